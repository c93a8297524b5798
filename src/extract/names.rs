//! Where the article names an entity: stored names and aliases, shortened forms of them
//! (a company without 有限公司, a policy title without its region, the most of a long
//! title), abbreviations the article defines (（以下简称《意见》）), words that refer back
//! (该市, 全区, 该公司), and names of organisations and projects that are not stored yet.

use std::collections::HashMap;
use std::ops::Range;

use super::known::Known;
use super::text::Doc;
use super::vocabulary::{
    BARE_REFERENTS, NAME_LEAD_WORDS, NAME_STOPS, NOT_PLACES, ORGANISATION_SUFFIXES,
    PLACE_FOLLOWERS, PLACE_SUFFIXES, REFERENTS, REFERRING_PREFIXES, ZONE_REFERENTS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Project,
    Enterprise,
    Policy,
    Region,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::Enterprise => "enterprise",
            Kind::Policy => "policy",
            Kind::Region => "region",
        }
    }

    pub fn from_str(s: &str) -> Option<Kind> {
        [Kind::Project, Kind::Enterprise, Kind::Policy, Kind::Region]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A name the article does not know yet, which a draft may propose as a new entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub name: String,
    /// The enterprise kind its ending suggests, for organisations.
    pub enterprise_kind: Option<&'static str>,
    /// For a place: what its ending says about it.
    pub place: Option<Place>,
}

/// A place the catalog does not know: its level by its ending (省, 市, 开发区), the region it
/// lies in (stored, or itself new), and its name without the ending (金昌 for 金昌市).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub level: &'static str,
    pub parent: Option<String>,
    pub short: Option<String>,
}

/// A stable id from a name, so one name is one proposal in every draft.
pub fn hashed(prefix: &str, text: &str) -> String {
    format!(
        "{prefix}-{:08x}",
        xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as u32
    )
}

/// A name the article itself introduces: an abbreviation it defines, or a new place.
type Local = (Vec<char>, Kind, String, Option<Unknown>);

const LEVELS: &[&str] = &[
    "country",
    "province",
    "prefecture",
    "county",
    "district",
    "subdistrict",
    "zone",
];

fn rank(level: &str) -> usize {
    LEVELS
        .iter()
        .position(|l| *l == level)
        .unwrap_or(LEVELS.len())
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// The entity's id; for an unknown name, empty until a draft proposes it.
    pub id: String,
    /// A word such as 该市 that stands for an entity named elsewhere.
    pub referring: bool,
    pub unknown: Option<Unknown>,
    /// Where the reporter learnt the news (记者从某某获悉): a source, not a subject.
    pub informant: bool,
}

impl Mention {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// One way of writing an entity's name. `exact` marks names and aliases as stored, which
/// win over shortened forms of the same text.
struct Name {
    kind: Kind,
    id: String,
    exact: bool,
}

/// Every way of writing every known entity, by its first character.
pub struct Names {
    by_first: HashMap<char, Vec<(Vec<char>, Name)>>,
}

const COMPANY_FORMS: &[&str] = &["股份有限公司", "有限责任公司", "有限公司"];
const QUOTES: &[char] = &['“', '”', '《', '》', '「', '」'];

impl Names {
    pub fn new(known: &Known) -> Self {
        let mut exact: Vec<(String, Kind, String)> = Vec::new();
        let mut shortened: Vec<(String, Kind, String)> = Vec::new();
        let region_words: Vec<&str> = known
            .regions
            .iter()
            .flat_map(|r| {
                std::iter::once(r.name_zh.as_str()).chain(r.aliases.iter().map(String::as_str))
            })
            .filter(|w| w.chars().count() >= 2)
            .collect();
        let without_region = |name: &str| -> Vec<String> {
            region_words
                .iter()
                .filter_map(|w| name.strip_prefix(w))
                .filter(|rest| rest.chars().count() >= 4)
                .map(str::to_owned)
                .collect()
        };
        for r in &known.regions {
            exact.push((r.name_zh.clone(), Kind::Region, r.id.clone()));
            for a in &r.aliases {
                exact.push((a.clone(), Kind::Region, r.id.clone()));
            }
            for suffix in ["省", "市", "县"] {
                if let Some(short) = r.name_zh.strip_suffix(suffix)
                    && short.chars().count() >= 2
                {
                    shortened.push((short.to_owned(), Kind::Region, r.id.clone()));
                }
            }
        }
        for e in &known.enterprises {
            exact.push((e.name_zh.clone(), Kind::Enterprise, e.id.clone()));
            for a in &e.aliases {
                exact.push((a.clone(), Kind::Enterprise, e.id.clone()));
            }
            let mut forms = vec![e.name_zh.clone()];
            for form in COMPANY_FORMS {
                if let Some(short) = e.name_zh.strip_suffix(form)
                    && short.chars().count() >= 4
                {
                    forms.push(short.to_owned());
                    shortened.push((short.to_owned(), Kind::Enterprise, e.id.clone()));
                }
            }
            for form in forms {
                for short in without_region(&form) {
                    shortened.push((short, Kind::Enterprise, e.id.clone()));
                }
            }
        }
        // Part of a long name is a name only when it keeps something distinctive: a place
        // (广西创新方法 of 广西创新方法大赛) or a code (“2+4”现代化产业集群); 卫星互联网产业
        // alone is an ordinary phrase.
        let distinctive = |part: &String| {
            part.chars().any(|c| !c.is_alphabetic() || c.is_ascii())
                || region_words.iter().any(|w| part.starts_with(w))
        };
        for p in &known.projects {
            exact.push((p.name_zh.clone(), Kind::Project, p.id.clone()));
            let parts = parts(&p.name_zh, 7, 5).into_iter().filter(distinctive);
            for short in without_region(&p.name_zh).into_iter().chain(parts) {
                shortened.push((short, Kind::Project, p.id.clone()));
            }
        }
        for p in &known.policies {
            exact.push((p.title_zh.clone(), Kind::Policy, p.id.clone()));
            let bare: String = p.title_zh.chars().filter(|c| !QUOTES.contains(c)).collect();
            if bare != p.title_zh {
                shortened.push((bare, Kind::Policy, p.id.clone()));
            }
            let parts = parts(&p.title_zh, 8, 5).into_iter().filter(distinctive);
            for short in without_region(&p.title_zh).into_iter().chain(parts) {
                shortened.push((short, Kind::Policy, p.id.clone()));
            }
        }
        // A shortened form that fits two entities says nothing; a stored name always counts.
        let mut owners: HashMap<String, Vec<(Kind, String)>> = HashMap::new();
        for (text, kind, id) in exact.iter().chain(shortened.iter()) {
            let list = owners.entry(text.clone()).or_default();
            if !list.contains(&(*kind, id.clone())) {
                list.push((*kind, id.clone()));
            }
        }
        let exact_texts: std::collections::HashSet<&str> =
            exact.iter().map(|(t, _, _)| t.as_str()).collect();
        let mut by_first: HashMap<char, Vec<(Vec<char>, Name)>> = HashMap::new();
        let mut add = |text: &str, name: Name| {
            let chars: Vec<char> = text.chars().collect();
            if let Some(&first) = chars.first() {
                by_first.entry(first).or_default().push((chars, name));
            }
        };
        for (text, kind, id) in &exact {
            add(
                text,
                Name {
                    kind: *kind,
                    id: id.clone(),
                    exact: true,
                },
            );
        }
        for (text, kind, id) in &shortened {
            if !exact_texts.contains(text.as_str()) && owners[text].len() == 1 {
                add(
                    text,
                    Name {
                        kind: *kind,
                        id: id.clone(),
                        exact: false,
                    },
                );
            }
        }
        for list in by_first.values_mut() {
            // Longest first; a stored name before a shortened one of the same text; then by
            // id, so the choice never depends on where the catalog came from.
            list.sort_by(|(a, x), (b, y)| {
                b.len()
                    .cmp(&a.len())
                    .then(y.exact.cmp(&x.exact))
                    .then(x.id.cmp(&y.id))
            });
        }
        Names { by_first }
    }

    fn longest_at(&self, chars: &[char], at: usize) -> Option<(usize, &Name)> {
        let list = self.by_first.get(chars.get(at)?)?;
        list.iter()
            .find(|(name, _)| chars.get(at..at + name.len()) == Some(name.as_slice()))
            .map(|(name, n)| (name.len(), n))
    }

    /// Every mention in the article, in order, without overlaps.
    /// `numbers` are the places of the numbers, which no new name runs into.
    pub fn find(&self, doc: &Doc, known: &Known, numbers: &[Range<usize>]) -> Vec<Mention> {
        let chars = &doc.chars;
        let mut local: Vec<Local> = Vec::new();
        // Abbreviations an article defines for itself: （以下简称《意见》）.
        for m in self.named(chars, &[]) {
            for form in defined_abbreviation(chars, m.end).into_iter().flatten() {
                local.push((form, m.kind, m.id.clone(), None));
            }
        }
        let first = self.pass(doc, known, numbers, &local);
        // New places are names from here on, with their short forms (金昌 for 金昌市).
        let places: Vec<Local> = first
            .iter()
            .filter_map(|m| {
                let u = m.unknown.as_ref()?;
                let place = u.place.as_ref()?;
                let forms = std::iter::once(u.name.clone()).chain(place.short.clone());
                Some(
                    forms
                        .map(|f| {
                            (
                                f.chars().collect(),
                                Kind::Region,
                                m.id.clone(),
                                Some(u.clone()),
                            )
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .collect();
        if places.is_empty() {
            return first;
        }
        local.extend(places);
        self.pass(doc, known, numbers, &local)
    }

    fn pass(
        &self,
        doc: &Doc,
        known: &Known,
        numbers: &[Range<usize>],
        local: &[Local],
    ) -> Vec<Mention> {
        let chars = &doc.chars;
        let mut mentions = self.named(chars, local);
        let mut covered = vec![false; chars.len()];
        for m in &mentions {
            covered[m.range()].iter_mut().for_each(|c| *c = true);
        }
        mentions.extend(referring(doc, &covered));
        for m in &mentions {
            covered[m.range()].iter_mut().for_each(|c| *c = true);
        }
        for n in numbers {
            covered[n.clone()].iter_mut().for_each(|c| *c = true);
        }
        let places = unknown_places(doc, known, &mentions, &mut covered);
        mentions.extend(places);
        mentions.sort_by_key(|m| (m.start, m.end));
        let unknown = unknown_names(doc, &mentions, &covered);
        // A place written as part of a new name (甘肃 in 甘肃某某有限公司) is not named alone.
        mentions.retain(|m| !unknown.iter().any(|u| u.start <= m.start && m.end <= u.end));
        mentions.extend(unknown);
        mentions.sort_by_key(|m| (m.start, m.end));
        resolve_referring(&mut mentions, known, doc);
        mentions.retain(|m| !m.id.is_empty() || m.unknown.is_some());
        for m in &mut mentions {
            m.informant = !m.referring && informs(doc, m);
        }
        mentions
    }

    fn named(&self, chars: &[char], local: &[Local]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let here = local
                .iter()
                .filter(|(a, ..)| chars.get(i..i + a.len()) == Some(a.as_slice()))
                .max_by_key(|(a, ..)| a.len())
                .map(|(a, kind, id, unknown)| (a.len(), *kind, id.clone(), unknown.clone()));
            let stored = self
                .longest_at(chars, i)
                .map(|(len, n)| (len, n.kind, n.id.clone(), None));
            let best = match (here, stored) {
                (Some(a), Some(b)) => Some(if a.0 >= b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            match best {
                Some((len, kind, id, unknown)) => {
                    out.push(Mention {
                        start: i,
                        end: i + len,
                        kind,
                        id,
                        referring: false,
                        unknown,
                        informant: false,
                    });
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// Places the catalog does not know: a place ending (省, 市, 县, 街道, 开发区, 产业园) after a
/// short stem that is not an ordinary word (上市, 城市, 社区 are not places). Each lies in the
/// place named right before it (甘肃省金昌市), else in the nearest larger one named earlier,
/// else in the country.
fn unknown_places(
    doc: &Doc,
    known: &Known,
    mentions: &[Mention],
    covered: &mut [bool],
) -> Vec<Mention> {
    let chars = &doc.chars;
    let mut hits: Vec<(usize, usize, &str, usize, usize)> = Vec::new();
    for &(suffix, level, min, max) in PLACE_SUFFIXES {
        for at in doc.find_all(0..chars.len(), suffix) {
            hits.push((at, at + suffix.chars().count(), level, min, max));
        }
    }
    // Left to right, the longest ending first (开发区 before 区).
    hits.sort_by_key(|&(start, end, ..)| (start, std::cmp::Reverse(end)));
    let mut out: Vec<Mention> = Vec::new();
    for (suffix_start, end, level, min, max) in hits {
        if covered[suffix_start..end].iter().any(|&c| c)
            || PLACE_FOLLOWERS.iter().any(|w| doc.has(end, w))
        {
            continue;
        }
        let sentence = doc.sentence_of(suffix_start);
        let mut start = suffix_start;
        while start > sentence.start
            && chars[start - 1].is_alphabetic()
            && !chars[start - 1].is_ascii()
            && !NAME_STOPS.contains(chars[start - 1])
            && !covered[start - 1]
            && suffix_start - start <= max
        {
            start -= 1;
        }
        let mut stem: String = chars[start..suffix_start].iter().collect();
        while let Some(lead) = NAME_LEAD_WORDS.iter().find(|w| stem.starts_with(**w)) {
            start += lead.chars().count();
            stem = chars[start..suffix_start].iter().collect();
        }
        let n = stem.chars().count();
        let name: String = chars[start..end].iter().collect();
        if n < min || n > max || NOT_PLACES.iter().any(|w| name.ends_with(w)) {
            continue;
        }
        covered[start..end].iter_mut().for_each(|c| *c = true);
        let short =
            (["省", "市", "县"].iter().any(|s| name.ends_with(s)) && n >= 2).then_some(stem);
        out.push(Mention {
            start,
            end,
            kind: Kind::Region,
            id: hashed("region", &name),
            referring: false,
            unknown: Some(Unknown {
                name,
                enterprise_kind: None,
                place: Some(Place {
                    level,
                    parent: None,
                    short,
                }),
            }),
            informant: false,
        });
    }
    // The region each new place lies in.
    let level_of = |m: &Mention| -> Option<usize> {
        match &m.unknown {
            Some(u) => u.place.as_ref().map(|p| rank(p.level)),
            None => known.region(&m.id).map(|r| rank(&r.level)),
        }
    };
    let regions: Vec<Mention> = mentions
        .iter()
        .filter(|m| m.kind == Kind::Region && !m.referring)
        .cloned()
        .chain(out.iter().cloned())
        .collect();
    let country = known
        .regions
        .iter()
        .find(|r| r.level == "country")
        .map(|r| r.id.clone());
    for m in out.iter_mut() {
        let own = level_of(m).unwrap_or(LEVELS.len());
        let larger = |r: &&Mention| r.id != m.id && level_of(r).is_some_and(|l| l < own);
        let adjacent = regions.iter().filter(larger).find(|r| r.end == m.start);
        let earlier = regions
            .iter()
            .filter(larger)
            .filter(|r| r.end <= m.start)
            .max_by_key(|r| r.end);
        let parent = adjacent
            .or(earlier)
            .map(|r| r.id.clone())
            .or_else(|| country.clone());
        if let Some(place) = m.unknown.as_mut().and_then(|u| u.place.as_mut()) {
            place.parent = parent;
        }
    }
    // A place that nothing can hold is not proposed.
    out.retain(|m| {
        m.unknown
            .as_ref()
            .and_then(|u| u.place.as_ref())
            .is_some_and(|p| p.parent.is_some())
    });
    out
}

/// Prefixes and suffixes of a long name that keep about two thirds of it: 广西创新方法 for
/// 广西创新方法大赛, “2+4”现代化产业集群 for 培育提升“2+4”现代化产业集群.
fn parts(name: &str, min_name: usize, min_part: usize) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len();
    if n < min_name {
        return Vec::new();
    }
    let least = min_part.max((n * 13).div_ceil(20));
    let mut out = Vec::new();
    for len in least..n {
        out.push(chars[..len].iter().collect());
        out.push(chars[n - len..].iter().collect());
    }
    out
}

/// The short names that `（以下简称《意见》）` right after a name at `at` defines.
fn defined_abbreviation(chars: &[char], at: usize) -> Option<Vec<Vec<char>>> {
    let mut at = at;
    while chars.get(at).is_some_and(|c| "》”」".contains(*c)) {
        at += 1;
    }
    let rest: String = chars.get(at..(at + 30).min(chars.len()))?.iter().collect();
    let inner = ["（以下简称", "(以下简称", "（简称", "(简称"]
        .iter()
        .find_map(|lead| rest.strip_prefix(lead))?;
    let end = inner.find(['）', ')'])?;
    let short: String = inner[..end]
        .chars()
        .filter(|c| !QUOTES.contains(c))
        .collect();
    if short.chars().count() < 2 {
        return None;
    }
    Some(vec![
        format!("《{short}》").chars().collect(),
        format!("“{short}”").chars().collect(),
    ])
}

/// 该市, 全区, 本项目, 该中试产线, and 街道 or 项目 opening a clause; resolved later.
fn referring(doc: &Doc, covered: &[bool]) -> Vec<Mention> {
    let chars = &doc.chars;
    let mut out = Vec::new();
    let clause_starts: std::collections::HashSet<usize> =
        doc.clauses.iter().map(|c| c.start).collect();
    let mut i = 0;
    while i < chars.len() {
        if covered[i] {
            i += 1;
            continue;
        }
        let prefixed = REFERRING_PREFIXES
            .iter()
            .filter(|p| doc.has(i, p))
            .flat_map(|p| {
                let after = i + p.chars().count();
                REFERENTS
                    .iter()
                    .filter(move |(word, _)| doc.has(after, word))
                    .map(move |(word, kind)| (after + word.chars().count(), *word, *kind))
            })
            .max_by_key(|(end, _, _)| *end);
        let bare = clause_starts
            .contains(&i)
            .then(|| {
                BARE_REFERENTS.iter().find(|w| doc.has(i, w)).map(|w| {
                    let kind = REFERENTS
                        .iter()
                        .find(|(r, _)| r == w)
                        .map_or("region", |r| r.1);
                    (i + w.chars().count(), *w, kind)
                })
            })
            .flatten();
        match prefixed.or(bare) {
            Some((end, word, kind)) if !covered[i..end].iter().any(|&c| c) => {
                out.push(Mention {
                    start: i,
                    end,
                    kind: Kind::from_str(kind).unwrap_or(Kind::Region),
                    // The referent word, kept until resolution replaces it with an id.
                    id: format!("?{word}"),
                    referring: true,
                    unknown: None,
                    informant: false,
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether the mention is the source of the news: 从某某获悉, 从某某了解到.
fn informs(doc: &Doc, m: &Mention) -> bool {
    let clause = doc.clause_of(m.start);
    let from = (m.start.saturating_sub(2).max(clause.start)..m.start).any(|i| doc.chars[i] == '从');
    from && ["获悉", "了解到", "得知", "获知"].iter().any(|w| {
        !doc.find_all(m.end..(m.end + 14).min(clause.end), w)
            .is_empty()
    })
}

/// The name an entity has in text: what a referring word's ending is compared with.
fn name_of<'a>(known: &'a Known, kind: Kind, id: &str) -> Option<&'a str> {
    match kind {
        Kind::Region => known.region(id).map(|r| r.name_zh.as_str()),
        Kind::Enterprise => known.enterprise(id).map(|e| e.name_zh.as_str()),
        Kind::Project => known.project(id).map(|p| p.name_zh.as_str()),
        Kind::Policy => known.policy(id).map(|p| p.title_zh.as_str()),
    }
}

/// Gives each referring word the entity it stands for: the nearest one named before it whose
/// name ends the same way (该市 → a 市; 该中试产线 → a 中试产线), or for an enterprise or project
/// the nearest of that kind; failing that, the first such one later in the same sentence.
fn resolve_referring(mentions: &mut [Mention], known: &Known, doc: &Doc) {
    for i in 0..mentions.len() {
        if !mentions[i].referring {
            continue;
        }
        let word = mentions[i].id.trim_start_matches('?').to_owned();
        let kind = mentions[i].kind;
        let zone = ZONE_REFERENTS.contains(&word.as_str());
        let fits = |m: &Mention| -> bool {
            let unresolved = m.referring && m.id.starts_with('?');
            if unresolved || (m.id.is_empty() && m.unknown.is_none()) {
                return false;
            }
            if zone && m.kind == Kind::Region {
                let new_zone = m
                    .unknown
                    .as_ref()
                    .and_then(|u| u.place.as_ref())
                    .is_some_and(|p| p.level == "zone");
                return new_zone || known.region(&m.id).is_some_and(|r| r.level == "zone");
            }
            let by_name = match &m.unknown {
                Some(u) => u.name.ends_with(&word),
                None => name_of(known, m.kind, &m.id).is_some_and(|n| n.ends_with(&word)),
            };
            by_name || (m.kind == kind && kind != Kind::Region)
        };
        let before = mentions[..i].iter().rev().find(|m| fits(m)).cloned();
        let sentence = doc.sentence_of(mentions[i].start);
        let after = || {
            mentions[i + 1..]
                .iter()
                .take_while(|m| m.start < sentence.end)
                .find(|m| fits(m))
                .cloned()
        };
        let target = before.or_else(after);
        let m = &mut mentions[i];
        match target {
            Some(t) => {
                m.kind = t.kind;
                m.id = t.id;
                m.unknown = t.unknown;
            }
            None => m.id.clear(),
        }
    }
}

/// Words before 项目 that make it a kind of project rather than the name of one.
const GENERIC_PROJECT_ENDS: &[&str] = &[
    "产业",
    "重点",
    "重大",
    "参赛",
    "建设",
    "招商",
    "合作",
    "签约",
    "科研",
    "示范",
    "报名",
    "相关",
    "入围",
    "擂台赛",
    "投资",
    "储备",
    "在建",
    "新建",
    "续建",
    "备案",
    "实现",
];

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || "（）()·".contains(c)
}

/// Organisations and projects the catalog does not know: a known ending (有限公司, 研究院,
/// 项目) with the characters before it up to a grammar word, a verb that introduces a name,
/// punctuation or another name. A region named right before belongs to the name
/// (甘肃 + 某某新能源有限公司).
fn unknown_names(doc: &Doc, known: &[Mention], covered: &[bool]) -> Vec<Mention> {
    let chars = &doc.chars;
    let region_at: HashMap<usize, &Mention> = known
        .iter()
        .filter(|m| m.kind == Kind::Region && !m.referring)
        .map(|m| (m.end, m))
        .collect();
    let mut endings: Vec<(usize, usize, Option<&'static str>)> = Vec::new();
    for (suffix, kind) in ORGANISATION_SUFFIXES {
        for at in doc.find_all(0..chars.len(), suffix) {
            endings.push((at, at + suffix.chars().count(), Some(*kind)));
        }
    }
    for at in doc.find_all(0..chars.len(), "项目") {
        endings.push((at, at + 2, None));
    }
    // The longest ending at each end position (有限公司 rather than 公司).
    endings.sort_by_key(|&(start, end, _)| (end, start));
    endings.dedup_by_key(|e| e.1);
    let mut out: Vec<Mention> = Vec::new();
    for (suffix_start, end, enterprise_kind) in endings {
        if covered[suffix_start..end].iter().any(|&c| c) {
            continue;
        }
        if out.iter().any(|m| m.start < end && suffix_start < m.end) {
            continue;
        }
        let sentence = doc.sentence_of(suffix_start);
        let mut start = suffix_start;
        while start > sentence.start
            && is_name_char(chars[start - 1])
            && !chars[start - 1].is_ascii_digit()
            && !NAME_STOPS.contains(chars[start - 1])
            && !covered[start - 1]
            && suffix_start - start < 24
        {
            start -= 1;
        }
        if let Some(region) = region_at.get(&start) {
            start = region.start;
        }
        let mut name: String = chars[start..end].iter().collect();
        while let Some(lead) = NAME_LEAD_WORDS.iter().find(|w| name.starts_with(**w)) {
            start += lead.chars().count();
            name = chars[start..end].iter().collect();
        }
        let stem = suffix_start.saturating_sub(start);
        // 产业项目 and 参赛项目 describe projects; they do not name one.
        let descriptive = GENERIC_PROJECT_ENDS
            .iter()
            .any(|g| doc.has(suffix_start.saturating_sub(g.chars().count()), g));
        let long_enough = match enterprise_kind {
            Some(_) => stem >= 2,
            None => end - start >= 7 && !descriptive,
        };
        if !long_enough || name.chars().any(|c| c.is_ascii_digit()) && enterprise_kind.is_some() {
            continue;
        }
        let (kind, prefix) = match enterprise_kind {
            Some(_) => (Kind::Enterprise, "enterprise"),
            None => (Kind::Project, "project"),
        };
        out.push(Mention {
            start,
            end,
            kind,
            id: hashed(prefix, &name),
            referring: false,
            unknown: Some(Unknown {
                name,
                enterprise_kind,
                place: None,
            }),
            informant: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::known::Known;

    fn mentions(text: &str) -> Vec<(String, &'static str, String)> {
        let known = Known::embedded_seed();
        let doc = Doc::new(text);
        Names::new(&known)
            .find(&doc, &known, &[])
            .into_iter()
            .map(|m| {
                let id = match &m.unknown {
                    Some(u) => format!("new:{}", u.name),
                    None => m.id.clone(),
                };
                (doc.slice(m.range()), m.kind.as_str(), id)
            })
            .collect()
    }

    #[test]
    fn names_aliases_and_shortened_forms() {
        let found =
            mentions("金昌市出台了市级强科技方案，金川集团公司营业收入增长，信胜科技也参加。");
        let ids: Vec<&str> = found.iter().map(|(_, _, id)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "jinchang",
                "jinchang-strong-technology-plan",
                "jinchuan-group",
                "zhejiang-xinsheng-technology",
            ],
            "{found:?}"
        );
    }

    #[test]
    fn referring_words_take_the_entity_named_before() {
        let found = mentions(
            "浙江信胜科技股份有限公司成立多年。该企业去年出口增长；诸暨市的全市产值也增长。",
        );
        let referring: Vec<(&str, &str)> = found
            .iter()
            .filter(|(text, _, _)| text == "该企业" || text == "全市")
            .map(|(text, _, id)| (text.as_str(), id.as_str()))
            .collect();
        assert_eq!(
            referring,
            [
                ("该企业", "zhejiang-xinsheng-technology"),
                ("全市", "zhuji")
            ]
        );
    }

    #[test]
    fn abbreviations_the_article_defines_are_names() {
        let found = mentions(
            "重庆市政府出台《关于加快推进以卫星互联网为引领的空天信息产业高质量发展的意见》（以下简称《意见》）。《意见》提出三个方面。",
        );
        let policy = "chongqing-satellite-internet-opinions";
        let named: Vec<&str> = found
            .iter()
            .filter(|(_, _, id)| id == policy)
            .map(|(text, _, _)| text.as_str())
            .collect();
        assert_eq!(named.last(), Some(&"《意见》"), "{found:?}");
    }

    #[test]
    fn unknown_organisations_are_cut_at_grammar_words() {
        let found =
            mentions("记者从新疆某某光伏材料有限公司了解到，位于园区的天山储能科技研究院已投产。");
        let unknown: Vec<&str> = found
            .iter()
            .filter_map(|(_, _, id)| id.strip_prefix("new:"))
            .collect();
        assert_eq!(unknown, ["新疆某某光伏材料有限公司", "天山储能科技研究院"]);
    }
}

#[cfg(test)]
mod place_tests {
    use super::*;

    #[test]
    fn new_places_lie_in_the_place_named_before_them() {
        let known = Known::embedded_seed();
        let text = "近日，新疆维吾尔自治区哈密市伊州区新签约项目12个。哈密今年工业增加值增长12%，\
                    企业上市3家，城市更新加快，社区服务提升。";
        let doc = Doc::new(text);
        let found = Names::new(&known).find(&doc, &known, &[]);
        let places: Vec<(String, &str, Option<String>)> = found
            .iter()
            .filter_map(|m| {
                let u = m.unknown.as_ref()?;
                let p = u.place.as_ref()?;
                Some((doc.slice(m.range()), p.level, p.parent.clone()))
            })
            .collect();
        let id = |name: &str| hashed("region", name);
        assert_eq!(
            places,
            [
                (
                    "新疆维吾尔自治区".to_owned(),
                    "province",
                    Some("china".to_owned())
                ),
                (
                    "哈密市".to_owned(),
                    "prefecture",
                    Some(id("新疆维吾尔自治区"))
                ),
                ("伊州区".to_owned(), "district", Some(id("哈密市"))),
                // The short form names the same new place.
                (
                    "哈密".to_owned(),
                    "prefecture",
                    Some(id("新疆维吾尔自治区"))
                ),
            ]
        );
    }
}
