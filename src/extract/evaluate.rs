//! How good drafts are: the drafts of some articles scored against the bundles people made
//! for them, field by field, so a change to the extractor shows what it wins and loses.
//!
//! A drafted metric is matched to a hand-made one when both point at the same place in the
//! text (the same `original` at the same offset). Precision counts over drafted metrics,
//! recall over hand-made ones; a number one side keeps as a metric and the other leaves out
//! counts against the first.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Known, Options, draft};
use crate::bundle::model::{Bundle, Metric};
use crate::bundle::validate::char_offset;

pub const FIELDS: [&str; 6] = [
    "found",
    "value+unit+qualifier",
    "kind",
    "period",
    "subject",
    "indicator",
];

/// Right answers per field, and how many metrics each side has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub right: BTreeMap<&'static str, usize>,
    pub drafted: usize,
    pub made: usize,
}

impl Score {
    pub fn precision(&self, field: &str) -> f64 {
        ratio(self.right.get(field).copied().unwrap_or(0), self.drafted)
    }

    pub fn recall(&self, field: &str) -> f64 {
        ratio(self.right.get(field).copied().unwrap_or(0), self.made)
    }

    fn add(&mut self, other: &Score) {
        for (field, n) in &other.right {
            *self.right.entry(field).or_default() += n;
        }
        self.drafted += other.drafted;
        self.made += other.made;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// A field a draft got wrong, for the report.
#[derive(Debug, Clone)]
pub struct Miss {
    pub source: String,
    pub original: String,
    pub field: &'static str,
    pub drafted: String,
    pub made: String,
}

#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub articles: Vec<(String, Score)>,
    pub total: Score,
    pub misses: Vec<Miss>,
}

/// Where in the text a metric's original stands.
fn place(text: &str, m: &Metric) -> Option<usize> {
    Some(char_offset(text, &m.quote)? + char_offset(&m.quote, &m.original)?)
}

fn subject(m: &Metric) -> String {
    format!("{}:{}", m.subject.type_, m.subject.id)
}

/// The names a bundle gives the entity `type:id` (its name and aliases).
fn names_in(b: &Bundle, type_: &str, id: &str) -> Vec<String> {
    match type_ {
        "region" => b
            .regions
            .iter()
            .filter(|r| r.id == id)
            .flat_map(|r| std::iter::once(r.name_zh.clone()).chain(r.aliases.clone()))
            .collect(),
        "enterprise" => b
            .enterprises
            .iter()
            .filter(|e| e.id == id)
            .flat_map(|e| std::iter::once(e.name_zh.clone()).chain(e.aliases.clone()))
            .collect(),
        "project" => b
            .projects
            .iter()
            .filter(|p| p.id == id)
            .map(|p| p.name_zh.clone())
            .collect(),
        "policy" => b
            .policies
            .iter()
            .filter(|p| p.id == id)
            .map(|p| p.title_zh.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// The same subject: the same id, or a new entity the draft proposes under one of the names
/// the hand-made bundle gives it (a new entity cannot know the id a person chose).
fn same_subject(drafted: &Bundle, d: &Metric, made: &Bundle, m: &Metric, known: &Known) -> bool {
    if d.subject.type_ == m.subject.type_ && d.subject.id == m.subject.id {
        return true;
    }
    let stored = match d.subject.type_.as_str() {
        "region" => known.region(&d.subject.id).is_some(),
        "enterprise" => known.enterprise(&d.subject.id).is_some(),
        "project" => known.project(&d.subject.id).is_some(),
        _ => known.policy(&d.subject.id).is_some(),
    };
    let proposed = names_in(drafted, &d.subject.type_, &d.subject.id);
    let made_names = names_in(made, &m.subject.type_, &m.subject.id);
    !stored && d.subject.type_ == m.subject.type_ && proposed.iter().any(|n| made_names.contains(n))
}

fn show(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "null".into())
}

/// Drafts each bundle's text (with its source's title, date and byline, as a person asking
/// for a draft would give them) against the catalog `known_for` gives for it, and scores it.
pub fn evaluate(bundles: &[Bundle], known_for: impl Fn(usize) -> Known) -> Evaluation {
    let mut out = Evaluation::default();
    for (i, made) in bundles.iter().enumerate() {
        let s = &made.source;
        let options = Options {
            source_id: Some(s.id.clone()),
            title: Some(s.title.clone()),
            publication: Some(s.publication.clone()),
            published: s.published.clone(),
            authors: s.authors.clone(),
            url: s.url.clone(),
        };
        let known = known_for(i);
        let drafted = draft(&s.text, &options, &known).bundle;
        let by_place: BTreeMap<usize, &Metric> = drafted
            .metrics
            .iter()
            .filter_map(|m| Some((place(&s.text, m)?, m)))
            .collect();
        let mut score = Score {
            drafted: drafted.metrics.len(),
            made: made.metrics.len(),
            ..Score::default()
        };
        for m in &made.metrics {
            let Some(d) = place(&s.text, m).and_then(|at| by_place.get(&at)) else {
                out.misses.push(Miss {
                    source: s.id.clone(),
                    original: m.original.clone(),
                    field: "found",
                    drafted: "left out".into(),
                    made: "a metric".into(),
                });
                continue;
            };
            let fields: [(&'static str, String, String); 6] = [
                ("found", String::new(), String::new()),
                (
                    "value+unit+qualifier",
                    format!("{} {:?} {} {}", d.value, d.value_max, d.unit, d.qualifier),
                    format!("{} {:?} {} {}", m.value, m.value_max, m.unit, m.qualifier),
                ),
                ("kind", d.kind.clone(), m.kind.clone()),
                ("period", show(&d.period), show(&m.period)),
                ("subject", subject(d), subject(m)),
                ("indicator", d.indicator.clone(), m.indicator.clone()),
            ];
            for (field, drafted_value, made_value) in fields {
                let right = drafted_value == made_value
                    || (field == "subject" && same_subject(&drafted, d, made, m, &known));
                if right {
                    *score.right.entry(field).or_default() += 1;
                } else {
                    out.misses.push(Miss {
                        source: s.id.clone(),
                        original: m.original.clone(),
                        field,
                        drafted: drafted_value,
                        made: made_value,
                    });
                }
            }
        }
        let made_places: Vec<usize> = made
            .metrics
            .iter()
            .filter_map(|m| place(&s.text, m))
            .collect();
        for (at, d) in &by_place {
            if !made_places.contains(at) {
                out.misses.push(Miss {
                    source: s.id.clone(),
                    original: d.original.clone(),
                    field: "found",
                    drafted: "a metric".into(),
                    made: "left out".into(),
                });
            }
        }
        out.total.add(&score);
        out.articles.push((s.id.clone(), score));
    }
    out
}

/// Every bundle's entities: what a database holding all of them would match against.
pub fn all_known(bundles: &[Bundle]) -> impl Fn(usize) -> Known {
    let known = Known::from_bundles(bundles);
    move |_| known.clone()
}

/// The entities of the other bundles only, as if each article were the first of its kind.
pub fn others_known(bundles: &[Bundle]) -> impl Fn(usize) -> Known {
    move |i| {
        Known::from_bundles(
            bundles
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, b)| b),
        )
    }
}

/// The evaluation as a table, one line per field, then one per article.
pub fn table(e: &Evaluation, title: &str) -> String {
    let mut out = String::new();
    let t = &e.total;
    let _ = writeln!(
        out,
        "{title}: {} articles, {} hand-made metrics, {} drafted",
        e.articles.len(),
        t.made,
        t.drafted
    );
    let _ = writeln!(
        out,
        "{:<22} {:>6} {:>10} {:>8}",
        "field", "right", "precision", "recall"
    );
    for field in FIELDS {
        let _ = writeln!(
            out,
            "{:<22} {:>6} {:>9.1}% {:>7.1}%",
            field,
            t.right.get(field).copied().unwrap_or(0),
            100.0 * t.precision(field),
            100.0 * t.recall(field)
        );
    }
    let _ = writeln!(out, "recall by article:");
    for (id, s) in &e.articles {
        let cells: Vec<String> = FIELDS
            .iter()
            .map(|f| format!("{:.0}", 100.0 * s.recall(f)))
            .collect();
        let _ = writeln!(
            out,
            "  {:<32} {:>3}/{:<3} {}",
            id,
            s.right.get("found").copied().unwrap_or(0),
            s.made,
            cells.join(" ")
        );
    }
    out
}

/// The disagreements, one line each.
pub fn misses(e: &Evaluation) -> String {
    let mut out = String::new();
    for m in &e.misses {
        let _ = writeln!(
            out,
            "  {} `{}` {}: drafted {}, hand-made {}",
            m.source, m.original, m.field, m.drafted, m.made
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::known::seed_bundles;

    /// The targets the extractor is held to on the seed, with its own entities stored.
    #[test]
    fn drafts_of_the_seed_meet_their_targets() {
        let bundles = seed_bundles();
        let e = evaluate(&bundles, all_known(&bundles));
        let t = &e.total;
        let report = format!("{}{}", table(&e, "seed"), misses(&e));
        assert!(t.made > 0);
        assert!(t.recall("value+unit+qualifier") >= 0.95, "{report}");
        for field in ["kind", "period", "subject", "indicator"] {
            assert!(t.recall(field) >= 0.80, "{field}\n{report}");
        }
    }
}
