//! When a number holds and how sure the article is of it: the `kind` from the words around it
//! (目标 → target, 计划 → plan, 设计年产 → capacity) and the `period` from the nearest time the
//! article names (2022年, 今年1月, 近两年, 到2030年), else from the publication date.

use std::ops::Range;

use super::text::Doc;
use super::vocabulary::{
    ANNUAL_MAKE, CAPACITY_WORDS, COMPARISON_WORDS, PLAN_WORDS, TARGET_WORDS, UNDATED_WORDS,
};
use crate::quantity::{Found, Unit, is_date};

/// A place where the article names a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub period: String,
    /// Written as a deadline (到2030年, 2025年前): what a target aims at.
    pub deadline: bool,
}

impl Mark {
    pub fn first_year(&self) -> Option<u16> {
        self.period.get(..4)?.parse().ok()
    }
}

/// How a period was found, which says whether a person should look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A time named in the same sentence.
    Sentence,
    /// A time named earlier in the same paragraph.
    Paragraph,
    /// No time named: the year of publication.
    Publication,
    /// No time named, and the number needs none (a capacity, a plan, a size, a policy's
    /// own content) or sums up years the article does not name.
    Undated,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        '〇' | '零' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// "2021年7月15日" → (2021, 7, 15), "1月" → (0, 1, 0); parts the text leaves out are 0.
fn date_parts(text: &str) -> (u32, u32, u32) {
    let (mut year, mut month, mut day) = (0, 0, 0);
    let mut digits = 0u32;
    let mut iso = 0;
    for c in text.chars() {
        match c {
            '年' => year = std::mem::take(&mut digits),
            '月' => month = std::mem::take(&mut digits),
            '日' | '号' => day = std::mem::take(&mut digits),
            '-' | '/' | '.' => {
                let value = std::mem::take(&mut digits);
                match iso {
                    0 => year = value,
                    _ => month = value,
                }
                iso += 1;
            }
            _ => {
                if let Some(d) = digit(c) {
                    digits = digits * 10 + d;
                }
            }
        }
    }
    if iso == 2 {
        day = digits;
    }
    (year, month, day)
}

fn partial(year: u32, month: u32, day: u32) -> String {
    match (month, day) {
        (0, _) => format!("{year:04}"),
        (m, 0) => format!("{year:04}-{m:02}"),
        (m, d) => format!("{year:04}-{m:02}-{d:02}"),
    }
}

/// Every time the article names, in order.
pub fn marks(doc: &Doc, found: &[Found], published: Option<u16>) -> Vec<Mark> {
    let mut out = Vec::new();
    let year = published.map(u32::from);
    for f in found {
        let deadline = (f.start > 0 && matches!(doc.chars[f.start - 1], '到' | '至'))
            || doc.has(f.end, "前")
            || doc.has(f.end, "底前");
        if is_date(&f.text) {
            let (y, m, d) = date_parts(&f.text);
            let period = if y >= 1900 {
                Some(partial(y, m, d))
            } else if m > 0 && f.start >= 2 {
                // 今年1月, 去年12月: a month of a year named in words.
                let before: String = doc.chars[f.start - 2..f.start].iter().collect();
                let offset = match before.as_str() {
                    "今年" => Some(0),
                    "去年" => Some(1),
                    _ => None,
                };
                year.zip(offset).map(|(y, o)| partial(y - o, m, 0))
            } else {
                None
            };
            if let Some(period) = period {
                out.push(Mark {
                    start: f.start,
                    end: f.end,
                    period,
                    deadline,
                });
            }
            continue;
        }
        // 2021—2025年: a span of years.
        let chars: Vec<char> = f.text.chars().collect();
        if chars.len() == 10
            && chars[9] == '年'
            && chars[..4]
                .iter()
                .chain(&chars[5..9])
                .all(|c| c.is_ascii_digit())
        {
            let a: String = chars[..4].iter().collect();
            let b: String = chars[5..9].iter().collect();
            if a < b {
                out.push(Mark {
                    start: f.start,
                    end: f.end,
                    period: format!("{a}/{b}"),
                    deadline,
                });
            }
            continue;
        }
        let plan_period = match f.text.as_str() {
            "十四五" => Some((2021, 2025)),
            "十五五" => Some((2026, 2030)),
            "十三五" => Some((2016, 2020)),
            _ => None,
        };
        if let Some((a, b)) = plan_period {
            let end_of_plan = doc.has(f.end, "末") || doc.has(f.end, "”末");
            out.push(Mark {
                start: f.start,
                end: f.end,
                period: if end_of_plan {
                    b.to_string()
                } else {
                    format!("{a}/{b}")
                },
                deadline: deadline || end_of_plan,
            });
            continue;
        }
        // 近两年, 两年来: the last years before the year of publication.
        if let (Some(q), Some(y)) = (&f.quantity, year)
            && q.unit == Unit::Year
            && (f.text.starts_with('近') || doc.has(f.end, "来") || doc.has(f.end, "以来"))
            && let Some(n) = crate::quantity::whole(q.value).filter(|n| (1..=10).contains(n))
        {
            let n = n as u32;
            out.push(Mark {
                start: f.start,
                end: f.end,
                period: if n == 1 {
                    (y - 1).to_string()
                } else {
                    format!("{}/{}", y - n, y - 1)
                },
                deadline: false,
            });
        }
    }
    if let Some(y) = year {
        for (word, offset) in [
            ("今年", 0i32),
            ("全年", 0),
            ("年内", 0),
            ("去年", -1),
            ("上年", -1),
            ("前年", -2),
            ("明年", 1),
        ] {
            for at in doc.find_all(0..doc.chars.len(), word) {
                // 今年1月 is already a month.
                if out.iter().any(|m| m.start <= at + 2 && at < m.end) {
                    continue;
                }
                out.push(Mark {
                    start: at,
                    end: at + 2,
                    period: (y as i32 + offset).to_string(),
                    deadline: false,
                });
            }
        }
    }
    // The base of a comparison (比去年同期, 较2022年) is not when a number holds.
    out.retain(|m| {
        !COMPARISON_WORDS
            .iter()
            .any(|w| m.start >= w.chars().count() && doc.has(m.start - w.chars().count(), w))
    });
    out.sort_by_key(|m| m.start);
    out
}

/// The kind of the number at `span`, with the word that decided it.
pub fn kind(
    doc: &Doc,
    span: &Range<usize>,
    unit: Unit,
    marks: &[Mark],
    published: Option<u16>,
) -> (&'static str, Option<String>) {
    let clause = doc.clause_of(span.start);
    let before = clause.start..span.start;
    let found = |words: &[&str], range: Range<usize>| -> Option<String> {
        words
            .iter()
            .find(|w| !doc.find_all(range.clone(), w).is_empty())
            .map(|w| w.to_string())
    };
    if let Some(w) = found(CAPACITY_WORDS, clause.clone()) {
        return ("capacity", Some(w));
    }
    let annual_make = doc
        .find_all(clause.clone(), ANNUAL_MAKE)
        .into_iter()
        .any(|at| !matches!(doc.chars.get(at + 2), Some('量' | '值')));
    if annual_make {
        return ("capacity", Some(ANNUAL_MAKE.into()));
    }
    // Power is a rating; energy is a capacity only for what stores it (8吉瓦时储能电池).
    let storage = ["电池", "储能"];
    if unit == Unit::Kilowatt
        || (unit == Unit::GigawattHour && found(&storage, clause.clone()).is_some())
    {
        return ("capacity", Some(format!("a rating in {}", unit.code())));
    }
    if let Some(w) = found(TARGET_WORDS, clause.clone()) {
        return ("target", Some(w));
    }
    let sentence = doc.sentence_of(span.start);
    let future = marks.iter().find(|m| {
        m.end <= span.start
            && m.start >= sentence.start
            && (m.deadline || m.start >= clause.start)
            && published.is_some_and(|p| m.first_year().is_some_and(|y| y > p))
    });
    if let Some(m) = future {
        return ("target", Some(doc.slice(m.start..m.end)));
    }
    if let Some(w) = found(PLAN_WORDS, before) {
        return ("plan", Some(w));
    }
    ("actual", None)
}

/// Facts about the number that decide whether a missing date matters.
pub struct Undated {
    pub kind: &'static str,
    pub unit: Unit,
    pub about_policy: bool,
}

/// The period of the number at `span`, with how it was found.
pub fn period(
    doc: &Doc,
    span: &Range<usize>,
    marks: &[Mark],
    facts: &Undated,
    published: Option<u16>,
) -> (Option<String>, Basis) {
    let clause = doc.clause_of(span.start);
    let sentence = doc.sentence_of(span.start);
    let paragraph = doc.paragraph_of(span.start);
    let before_in = |range: &Range<usize>, deadline_only: bool| {
        marks.iter().rev().find(|m| {
            m.end <= span.start && m.start >= range.start && (!deadline_only || m.deadline)
        })
    };
    // A capacity or a plan holds from some time on, not in the period of the sentence's
    // other facts: only a time in its own clause dates it.
    if facts.kind == "capacity" || facts.kind == "plan" {
        return match marks
            .iter()
            .find(|m| m.start >= clause.start && m.end <= clause.end)
        {
            Some(m) => (Some(m.period.clone()), Basis::Sentence),
            None => (None, Basis::Undated),
        };
    }
    let in_sentence = if facts.kind == "target" {
        before_in(&sentence, true).or_else(|| before_in(&sentence, false))
    } else {
        before_in(&sentence, false)
    };
    if let Some(m) = in_sentence {
        return (Some(m.period.clone()), Basis::Sentence);
    }
    if let Some(m) = marks
        .iter()
        .find(|m| m.start >= span.end && m.end <= clause.end)
    {
        return (Some(m.period.clone()), Basis::Sentence);
    }
    // A deadline (到2025年) holds for its own sentence, not for those after it.
    if let Some(m) = before_in(&paragraph, false).filter(|m| !m.deadline) {
        return (Some(m.period.clone()), Basis::Paragraph);
    }
    let needs_none = facts.kind == "plan"
        || (facts.about_policy && facts.kind != "target")
        || matches!(facts.unit, Unit::Millimetre | Unit::Metre)
        || doc.contains_any(sentence, UNDATED_WORDS);
    match published {
        Some(year) if !needs_none => (Some(year.to_string()), Basis::Publication),
        _ => (None, Basis::Undated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::scan;

    fn read(text: &str) -> Vec<(String, &'static str, Option<String>)> {
        let doc = Doc::new(text);
        let found = scan(text);
        let marks = marks(&doc, &found, Some(2023));
        found
            .iter()
            .filter(|f| f.quantity.as_ref().is_some_and(|q| q.unit != Unit::Year))
            .map(|f| {
                let span = f.start..f.end;
                let unit = f.quantity.as_ref().unwrap().unit;
                let (kind, _) = kind(&doc, &span, unit, &marks, Some(2023));
                let facts = Undated {
                    kind,
                    unit,
                    about_policy: false,
                };
                let (period, _) = period(&doc, &span, &marks, &facts, Some(2023));
                (f.text.clone(), kind, period)
            })
            .collect()
    }

    #[test]
    fn kinds_and_periods_from_the_words_around() {
        let got = read(
            "2022年，全市工业产值突破800亿元。到2025年，力争产值达到1200亿元。\
             项目计划总投资30亿元，设计年产电池材料5万吨，建成后装机容量20万千瓦。\
             今年1月，企业出口设备300台。近两年，研发投入超2亿元。",
        );
        let want: Vec<(String, &str, Option<String>)> = vec![
            ("突破800亿元".into(), "actual", Some("2022".into())),
            ("1200亿元".into(), "target", Some("2025".into())),
            ("30亿元".into(), "plan", None),
            ("5万吨".into(), "capacity", None),
            ("20万千瓦".into(), "capacity", None),
            ("300台".into(), "actual", Some("2023-01".into())),
            ("超2亿元".into(), "actual", Some("2021/2022".into())),
        ];
        assert_eq!(got, want);
    }
}
