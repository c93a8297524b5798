//! What a number measures: the indicator whose name, or a word for it, is written next to the
//! number, among those in the number's unit (a metric's unit must be its indicator's).
//!
//! Stored indicators come first; the built-in vocabulary lends them its words and stands in
//! for them when none is stored. Nothing fits: a new indicator is proposed, named after the
//! words before the number, for a person to name properly.

use std::collections::HashMap;
use std::ops::Range;

use super::known::Known;
use super::names::Kind;
use super::text::Doc;
use super::vocabulary::{COUNT_SUFFIXES, GROWTH_WORDS, VOCABULARY};
use crate::bundle::model::Indicator;
use crate::quantity::Unit;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub indicator: Indicator,
    /// Written forms, longest first.
    words: Vec<String>,
    /// Words of a broader vocabulary entry (长度 for a stored 设备长度), which count a little
    /// less than the indicator's own.
    borrowed: Vec<String>,
    counters: String,
    pub subject: Option<Kind>,
    pub kind: Option<&'static str>,
    /// In the catalog the draft is made against; otherwise the draft defines it.
    pub stored: bool,
}

/// How an indicator was chosen, for the review report.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Its name or a word for it is written next to the number.
    Named(String),
    /// Most of its name is written near the number.
    Resembles(String),
    /// Only the counter (珠, 家) or the unit points at it.
    Counter,
    /// A percentage after an amount: the growth of that amount's indicator.
    Growth(String),
    /// Nothing fitted: a new indicator named after these words.
    New(String),
}

/// Verbs indicator names start with that the text often leaves out.
const LEADING_VERBS: &[&str] = &["获得", "新增", "累计", "实现", "完成", "拥有"];

/// Counters of people: what they count is named with 人, 员, 者 or the like.
const PERSON_COUNTERS: &str = "名人位";
const PERSON_WORDS: &str = "人员者工才士生";

fn without_count_suffix(name: &str) -> &str {
    COUNT_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|rest| rest.chars().count() >= 2)
        .unwrap_or(name)
}

pub struct Indicators {
    pub candidates: Vec<Candidate>,
    /// How rare each two-character piece of a name is among all names: a shared rare piece
    /// (出口) says more than a common one (企业).
    weight: HashMap<(char, char), f64>,
}

fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

impl Indicators {
    pub fn new(known: &Known) -> Self {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut lent = vec![false; VOCABULARY.len()];
        for ind in &known.indicators {
            let bare = without_count_suffix(&ind.name_zh).to_owned();
            let mut words = vec![ind.name_zh.clone(), bare.clone()];
            // 获得发明专利 is written 发明专利 as often as not.
            words.extend(
                LEADING_VERBS
                    .iter()
                    .filter_map(|v| bare.strip_prefix(v))
                    .filter(|rest| rest.chars().count() >= 2)
                    .map(str::to_owned),
            );
            let mut counters = String::new();
            let mut borrowed = Vec::new();
            let (mut subject, mut kind) = (None, None);
            for (i, e) in VOCABULARY.iter().enumerate() {
                let same = e.id == ind.id || (e.name_zh == ind.name_zh && e.unit == ind.unit);
                // A stored 设备长度 is a kind of 长度: it takes that entry's words too, and
                // the general entry stays on offer.
                let narrower = e.unit == ind.unit && ind.name_zh.contains(e.name_zh);
                if same {
                    lent[i] = true;
                    words.extend(e.words.iter().map(|w| w.to_string()));
                    counters.push_str(e.counters);
                    subject = subject.or(e.subject.and_then(Kind::from_str));
                    kind = kind.or(e.kind);
                } else if narrower {
                    borrowed.extend(e.words.iter().map(|w| w.to_string()));
                }
            }
            candidates.push(Candidate {
                indicator: ind.clone(),
                words,
                borrowed,
                counters,
                subject,
                kind,
                stored: true,
            });
        }
        let stored_ids: std::collections::HashSet<&str> =
            known.indicators.iter().map(|i| i.id.as_str()).collect();
        for (i, e) in VOCABULARY.iter().enumerate() {
            if lent[i] || stored_ids.contains(e.id) {
                continue;
            }
            let mut words: Vec<String> = e.words.iter().map(|w| w.to_string()).collect();
            words.push(e.name_zh.to_owned());
            candidates.push(Candidate {
                indicator: Indicator {
                    id: e.id.into(),
                    name_zh: e.name_zh.into(),
                    name_en: e.name_en.into(),
                    unit: e.unit.into(),
                    description: Some(e.description.into()),
                },
                words,
                borrowed: Vec::new(),
                counters: e.counters.into(),
                subject: e.subject.and_then(Kind::from_str),
                kind: e.kind,
                stored: false,
            });
        }
        for c in &mut candidates {
            c.borrowed.retain(|w| !c.words.contains(w));
            c.words.retain(|w| !w.is_empty());
            c.words
                .sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            c.words.dedup();
        }
        let mut counts: HashMap<(char, char), f64> = HashMap::new();
        for c in &candidates {
            let mut seen: Vec<(char, char)> = c.words.iter().flat_map(|w| bigrams(w)).collect();
            seen.sort();
            seen.dedup();
            for b in seen {
                *counts.entry(b).or_default() += 1.0;
            }
        }
        let n = candidates.len().max(1) as f64;
        let weight = counts
            .into_iter()
            .map(|(b, k)| (b, (1.0 + n / k).ln()))
            .collect();
        Indicators { candidates, weight }
    }

    pub fn by_id(&self, id: &str) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.indicator.id == id)
    }

    /// The best indicator for the number at `span`, if any fits well enough.
    /// Names of entities (`names`) are whom a number is about, not what it measures, so their
    /// words are not read here, except a name the number is part of (8吉瓦时储能电池项目).
    pub fn choose(
        &self,
        doc: &Doc,
        names: &[Range<usize>],
        span: &Range<usize>,
        unit: Unit,
        counter: Option<char>,
    ) -> Option<(usize, Reason)> {
        // Names other than one the number is part of.
        let names: Vec<&Range<usize>> = names
            .iter()
            .filter(|r| !(r.start <= span.start && span.end <= r.end))
            .collect();
        let clause = doc.clause_of(span.start);
        // The words that belong to this number: since the previous list item or number.
        let mut seg_start = span.start;
        while seg_start > clause.start
            && !matches!(doc.chars[seg_start - 1], '、')
            && !doc.chars[seg_start - 1].is_ascii_digit()
        {
            seg_start -= 1;
        }
        // The words after it, up to the next list item that has a number of its own
        // (15名技术、生产人员 is one noun; 12家、省级企业19家 are two items).
        let next_number = (span.end..clause.end).find(|&i| doc.chars[i].is_ascii_digit());
        let mut after_end = span.end;
        while after_end < clause.end
            && after_end - span.end < 16
            && !doc.chars[after_end].is_ascii_digit()
            && !(doc.chars[after_end] == '、' && next_number.is_some())
        {
            after_end += 1;
        }
        let plain = |r: Range<usize>| Window::new(doc, r, &names);
        let segment = plain(seg_start..span.start);
        let after = plain(span.end..after_end);
        let clause_before = plain(clause.start..seg_start);
        let sentence = doc.sentence_of(span.start);
        let sentence_before = plain(sentence.start..clause.start);
        let in_unit = |stored_only: bool| {
            self.candidates
                .iter()
                .filter(|c| (c.stored || !stored_only) && c.indicator.unit == unit.code())
                .count()
        };
        let (stored_in_unit, all_in_unit) = (in_unit(true), in_unit(false));
        let mut best: Option<(f64, usize, Reason)> = None;
        for (i, c) in self.candidates.iter().enumerate() {
            if c.indicator.unit != unit.code() {
                continue;
            }
            let mut score = 0.0;
            let mut reason = Reason::Counter;
            let mut matched: Vec<&str> = Vec::new();
            let own = c.words.iter().map(|w| (w, 0.0));
            for (w, penalty) in own.chain(c.borrowed.iter().map(|w| (w, 1.5))) {
                let wc: Vec<char> = w.chars().collect();
                let len = wc.len() as f64 - penalty;
                let s = if let Some(d) = segment.last(&wc) {
                    10.0 + len - 0.1 * (segment.len() - d - wc.len()) as f64
                } else if let Some(d) = after.first(&wc) {
                    9.0 + len - 0.1 * d as f64
                } else if let Some(d) = clause_before.last(&wc) {
                    6.0 + len - 0.05 * (clause_before.len() - d - wc.len()) as f64
                } else if distributed(&clause_before, &segment, &wc) {
                    // 新认定A12家、B19家: the first item's qualifier holds for B too.
                    9.0 + len
                } else if sentence_before.first(&wc).is_some() {
                    2.0 + 0.5 * len
                } else {
                    0.0
                };
                if s >= 9.0 {
                    matched.push(w);
                }
                if s > score {
                    score = s;
                    reason = Reason::Named(w.clone());
                }
            }
            // Each further word of it next to the number (培训 and 人员 for 培训人数) counts.
            if let Reason::Named(best) = &reason {
                let others = matched.iter().filter(|w| !best.contains(**w)).count();
                score += others as f64;
            }
            // 90%的项目: a share of what follows.
            if unit == Unit::Percent && after.chars.first() == Some(&'的') {
                for share in ["占比", "比重", "份额"] {
                    if let Some(rest) = c.indicator.name_zh.strip_suffix(share) {
                        // A share of something named (项目占比) only when that is written.
                        let rest: Vec<char> = rest.chars().collect();
                        if !rest.is_empty() && after.first(&rest).is_none() {
                            continue;
                        }
                        let s = 8.0 + rest.len() as f64;
                        if s > score {
                            score = s;
                            reason = Reason::Named(format!("…%的…{share}"));
                        }
                    }
                }
            }
            if score == 0.0 {
                let near: String = segment.unnamed().chain(after.unnamed()).collect();
                let (resemblance, word) = c
                    .words
                    .iter()
                    .filter(|w| w.chars().count() >= 3)
                    .map(|w| (self.resemblance(w, &near), w))
                    .fold(
                        (0.0, None),
                        |acc, (r, w)| if r > acc.0 { (r, Some(w)) } else { acc },
                    );
                if resemblance >= 0.5 {
                    score = 4.0 * resemblance;
                    reason = Reason::Resembles(word.cloned().unwrap_or_default());
                }
            }
            if let Some(ch) = counter {
                if c.counters.contains(ch) || c.indicator.name_zh.contains(ch) {
                    score += if score == 0.0 { 3.0 } else { 0.5 };
                }
                if PERSON_COUNTERS.contains(ch)
                    && !c.indicator.name_zh.contains(|x| PERSON_WORDS.contains(x))
                {
                    score -= 6.0;
                }
            }
            if c.stored && stored_in_unit == 1 {
                score += 1.0;
            }
            // The only indicator in its unit (kW, 亩, 个百分点) fits by the unit alone.
            if all_in_unit == 1 && score < 3.0 {
                score = 3.5;
            }
            if !c.stored {
                score -= 0.5;
            }
            if score >= 3.0 && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, i, reason));
            }
        }
        best.map(|(_, i, reason)| (i, reason))
    }

    /// Weighted share of `word`'s two-character pieces found in `text`.
    fn resemblance(&self, word: &str, text: &str) -> f64 {
        let pieces = bigrams(word);
        let present: std::collections::HashSet<(char, char)> = bigrams(text).into_iter().collect();
        let total: f64 = pieces
            .iter()
            .map(|b| self.weight.get(b).copied().unwrap_or(1.0))
            .sum();
        let found: f64 = pieces
            .iter()
            .filter(|b| present.contains(b))
            .map(|b| self.weight.get(b).copied().unwrap_or(1.0))
            .sum();
        if total == 0.0 { 0.0 } else { found / total }
    }

    /// The growth indicator of `base` (地区生产总值 → 地区生产总值增速), stored or new.
    pub fn growth_of(&self, base: &Indicator) -> Candidate {
        let stored = self.candidates.iter().find(|c| {
            c.indicator.unit == "percent"
                && (c.indicator.id == format!("{}_growth", base.id)
                    || ["增速", "增长率", "增幅"]
                        .iter()
                        .any(|s| c.indicator.name_zh == format!("{}{s}", base.name_zh)))
        });
        match stored {
            Some(c) => c.clone(),
            None => Candidate {
                indicator: Indicator {
                    id: format!("{}_growth", base.id),
                    name_zh: format!("{}增速", base.name_zh),
                    name_en: format!("{} growth", base.name_en),
                    unit: "percent".into(),
                    description: Some(format!(
                        "Year-on-year growth of {}, in percent.",
                        base.name_en.to_lowercase()
                    )),
                },
                words: Vec::new(),
                borrowed: Vec::new(),
                counters: String::new(),
                subject: None,
                kind: None,
                stored: false,
            },
        }
    }
}

/// Whether a percentage at `span` states growth, judged by the words just around it.
pub fn states_growth(doc: &Doc, span: &Range<usize>) -> bool {
    let clause = doc.clause_of(span.start);
    let near = span.start.saturating_sub(8).max(clause.start)..span.start;
    doc.contains_any(near, GROWTH_WORDS)
}

/// Some text near a number, without quotation marks, where a word written wholly inside the
/// name of an entity does not count.
struct Window {
    chars: Vec<char>,
    inside_name: Vec<Option<usize>>,
}

impl Window {
    fn new(doc: &Doc, range: Range<usize>, names: &[&Range<usize>]) -> Self {
        let (chars, inside_name) = range
            .filter(|&i| !"“”‘’「」《》".contains(doc.chars[i]))
            .map(|i| (doc.chars[i], names.iter().position(|r| r.contains(&i))))
            .unzip();
        Window { chars, inside_name }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn counts(&self, at: usize, len: usize) -> bool {
        let first = self.inside_name[at];
        !(first.is_some() && self.inside_name[at..at + len].iter().all(|n| *n == first))
    }

    fn positions<'a>(&'a self, word: &'a [char]) -> impl DoubleEndedIterator<Item = usize> + 'a {
        let n = word.len();
        let last = if n == 0 || n > self.len() {
            0
        } else {
            self.len() - n + 1
        };
        (0..last).filter(move |&i| self.chars[i..i + n] == *word && self.counts(i, n))
    }

    fn first(&self, word: &[char]) -> Option<usize> {
        self.positions(word).next()
    }

    fn last(&self, word: &[char]) -> Option<usize> {
        self.positions(word).next_back()
    }

    fn unnamed(&self) -> impl Iterator<Item = char> + '_ {
        self.chars
            .iter()
            .zip(&self.inside_name)
            .filter(|(_, n)| n.is_none())
            .map(|(c, _)| *c)
    }
}

/// `word` = a qualifier written earlier in the clause + a name written in the segment.
fn distributed(clause_before: &Window, segment: &Window, word: &[char]) -> bool {
    word.len() >= 6
        && (2..=word.len() - 4).any(|k| {
            clause_before.first(&word[..k]).is_some() && segment.last(&word[k..]).is_some()
        })
}

/// Words to name a new indicator by: those right before the number, without the verbs and
/// bounding words news puts there.
pub fn words_before(doc: &Doc, span: &Range<usize>) -> String {
    let clause = doc.clause_of(span.start);
    let mut start = span.start;
    while start > clause.start
        && span.start - start < 8
        && doc.chars[start - 1].is_alphabetic()
        && !doc.chars[start - 1].is_ascii()
        && doc.chars[start - 1] != '、'
    {
        start -= 1;
    }
    let mut words = doc.slice(start..span.start);
    for verb in [
        "达到", "实现", "完成", "突破", "超过", "增长", "达", "为", "有", "共", "约", "近", "超",
    ] {
        if let Some(rest) = words.strip_suffix(verb) {
            words = rest.to_owned();
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(text: &str, original: &str) -> Option<String> {
        let known = Known::embedded_seed();
        let indicators = Indicators::new(&known);
        let doc = Doc::new(text);
        let at = doc.find_all(0..doc.chars.len(), original)[0];
        let span = at..at + original.chars().count();
        let q = crate::quantity::parse(original).unwrap();
        let counter = original.chars().last().filter(|c| !c.is_ascii_digit());
        indicators
            .choose(&doc, &[], &span, q.unit, counter)
            .map(|(i, _)| indicators.candidates[i].indicator.id.clone())
    }

    #[test]
    fn names_and_words_for_them() {
        let cases = [
            ("该企业实现营收12亿元", "12亿元", "revenue"),
            (
                "全市新认定高新技术企业12家、省级科技创新型企业19家",
                "19家",
                "new_provincial_tech_innovative_enterprises",
            ),
            ("拥有零配件生产厂家50余家", "50余家", "enterprises"),
            ("项目计划总投资57亿元", "57亿元", "investment"),
            ("新增装机容量30万千瓦", "30万千瓦", "installed_capacity"),
            (
                "全年发电量12亿千瓦时",
                "12亿千瓦时",
                "electricity_generation",
            ),
            ("项目占地300亩", "300亩", "land_area_mu"),
        ];
        for (text, original, want) in cases {
            assert_eq!(chosen(text, original).as_deref(), Some(want), "{text}");
        }
    }
}
