//! Semantic checks of a decoded bundle: ids, enums, references, dates, and that every number
//! agrees with the words it was taken from.

use std::collections::{HashMap, HashSet};

use super::catalog::Catalog;
use super::dates::{parse_partial_date, period_years};
use super::model::*;
use crate::error::PointerProblem;

/// A metric ready to store: what the bundle said plus what is derived from it.
#[derive(Debug, Clone)]
pub struct ResolvedMetric {
    pub id: String,
    pub position: i64,
    pub region_id: String,
    pub quote_start: i64,
    pub period_from: Option<i64>,
    pub period_to: Option<i64>,
    pub metric: Metric,
}

#[derive(Debug, Clone)]
pub struct ValidBundle {
    pub bundle: Bundle,
    pub metrics: Vec<ResolvedMetric>,
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Character (Unicode scalar value) offset of the first occurrence of `needle`.
pub fn char_offset(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .find(needle)
        .map(|byte| haystack[..byte].chars().count())
}

struct Checker<'a> {
    problems: Vec<PointerProblem>,
    bundle: &'a Bundle,
    catalog: &'a Catalog,
}

impl Checker<'_> {
    fn problem(&mut self, pointer: String, message: impl Into<String>) {
        self.problems.push(PointerProblem::new(pointer, message));
    }

    fn slug(&mut self, at: &str, value: &str) {
        if !is_slug(value) {
            self.problem(
                format!("{at}/id"),
                format!(
                    "`{value}` is not an id: use lowercase ASCII letters, digits and single hyphens"
                ),
            );
        }
    }

    fn non_empty(&mut self, at: &str, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.problem(format!("{at}/{field}"), "must not be empty");
        }
    }

    fn one_of(&mut self, at: &str, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.problem(
                format!("{at}/{field}"),
                format!(
                    "unknown value `{value}`, expected one of {}",
                    allowed.join(", ")
                ),
            );
        }
    }

    fn date(&mut self, at: &str, field: &str, value: Option<&str>) {
        if let Some(v) = value
            && parse_partial_date(v).is_none()
        {
            self.problem(
                format!("{at}/{field}"),
                format!("`{v}` is not a partial ISO date (2021, 2021-07 or 2021-07-15)"),
            );
        }
    }

    fn names(&mut self, at: &str, field: &str, values: &[String]) {
        let mut seen = HashSet::new();
        for (i, v) in values.iter().enumerate() {
            if v.trim().is_empty() {
                self.problem(format!("{at}/{field}/{i}"), "must not be empty");
            } else if !seen.insert(v) {
                self.problem(
                    format!("{at}/{field}/{i}"),
                    format!("`{v}` is listed twice"),
                );
            }
        }
    }

    fn has_region(&self, id: &str) -> bool {
        self.bundle.regions.iter().any(|r| r.id == id) || self.catalog.regions.contains_key(id)
    }

    fn region_ref(&mut self, pointer: String, id: Option<&str>) {
        if let Some(id) = id
            && !self.has_region(id)
        {
            self.problem(pointer, format!("unknown region `{id}`"));
        }
    }

    /// Flags the second and later uses of an id within one collection of the bundle.
    fn unique<'b>(&mut self, collection: &str, ids: impl Iterator<Item = &'b str>) {
        let mut seen = HashSet::new();
        for (i, id) in ids.enumerate() {
            if !seen.insert(id) {
                self.problem(
                    format!("{}/id", self.bundle.pointer(collection, i)),
                    format!("id `{id}` is defined twice in this bundle"),
                );
            }
        }
    }
}

/// Checks everything the contract asks of a bundle; on any problem returns all of them.
pub fn validate(bundle: Bundle, catalog: &Catalog) -> Result<ValidBundle, Vec<PointerProblem>> {
    let mut c = Checker {
        problems: Vec::new(),
        bundle: &bundle,
        catalog,
    };
    check_source(&mut c);
    check_regions(&mut c);
    check_entities(&mut c);
    let metrics = check_metrics(&mut c);
    check_omissions(&mut c);
    let problems = c.problems;
    if problems.is_empty() {
        Ok(ValidBundle { bundle, metrics })
    } else {
        Err(problems)
    }
}

fn check_source(c: &mut Checker) {
    let s = &c.bundle.source;
    c.slug("/source", &s.id);
    c.non_empty("/source", "title", &s.title);
    c.non_empty("/source", "publication", &s.publication);
    c.non_empty("/source", "text", &s.text);
    c.date("/source", "published", s.published.as_deref());
    c.names("/source", "authors", &s.authors);
    if let Some(url) = &s.url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        c.problem("/source/url".into(), "must be an http(s) URL or null");
    }
}

fn check_regions(c: &mut Checker) {
    c.unique("regions", c.bundle.regions.iter().map(|r| r.id.as_str()));
    let mut parents: HashMap<&str, Option<&str>> = c
        .catalog
        .regions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    for r in &c.bundle.regions {
        parents.insert(&r.id, r.parent_id.as_deref());
    }
    for (i, r) in c.bundle.regions.iter().enumerate() {
        let at = c.bundle.pointer("regions", i);
        c.slug(&at, &r.id);
        c.non_empty(&at, "name_zh", &r.name_zh);
        c.non_empty(&at, "name_en", &r.name_en);
        c.one_of(&at, "level", &r.level, REGION_LEVELS);
        c.names(&at, "aliases", &r.aliases);
        match (r.level.as_str(), r.parent_id.as_deref()) {
            ("country", Some(_)) => c.problem(format!("{at}/parent_id"), "a country has no parent"),
            ("country", None) => {}
            (_, None) => c.problem(
                format!("{at}/parent_id"),
                "required for every level but country",
            ),
            (_, Some(p)) if p == r.id => c.problem(
                format!("{at}/parent_id"),
                "a region cannot be its own parent",
            ),
            (_, Some(p)) => c.region_ref(format!("{at}/parent_id"), Some(p)),
        }
        // Walk up: a chain longer than the number of regions has a cycle.
        let mut cursor = r.parent_id.as_deref();
        for _ in 0..=parents.len() {
            match cursor {
                Some(p) if p == r.id => {
                    c.problem(
                        format!("{at}/parent_id"),
                        "the parent chain loops back to this region",
                    );
                    break;
                }
                Some(p) => cursor = parents.get(p).copied().flatten(),
                None => break,
            }
        }
        match r.admin_code.as_deref() {
            Some(_) if r.level == "zone" => c.problem(
                format!("{at}/admin_code"),
                "zones have no GB/T 2260 code: use null",
            ),
            Some(code) if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) => c
                .problem(
                    format!("{at}/admin_code"),
                    format!("`{code}` is not a six-digit GB/T 2260 code"),
                ),
            _ => {}
        }
    }
}

fn check_entities(c: &mut Checker) {
    let b = c.bundle;
    c.unique("enterprises", b.enterprises.iter().map(|e| e.id.as_str()));
    c.unique("projects", b.projects.iter().map(|e| e.id.as_str()));
    c.unique("policies", b.policies.iter().map(|e| e.id.as_str()));
    c.unique("indicators", b.indicators.iter().map(|e| e.id.as_str()));
    for (i, e) in b.enterprises.iter().enumerate() {
        let at = c.bundle.pointer("enterprises", i);
        c.slug(&at, &e.id);
        c.non_empty(&at, "name_zh", &e.name_zh);
        c.non_empty(&at, "name_en", &e.name_en);
        c.one_of(&at, "kind", &e.kind, ENTERPRISE_KINDS);
        c.region_ref(format!("{at}/region_id"), e.region_id.as_deref());
        c.names(&at, "aliases", &e.aliases);
        c.names(&at, "industries", &e.industries);
        for (j, tag) in e.industries.iter().enumerate() {
            if !is_slug(tag) {
                c.problem(
                    format!("{at}/industries/{j}"),
                    format!("`{tag}` is not a tag: use lowercase ASCII and hyphens"),
                );
            }
        }
    }
    for (i, p) in b.projects.iter().enumerate() {
        let at = c.bundle.pointer("projects", i);
        c.slug(&at, &p.id);
        c.non_empty(&at, "name_zh", &p.name_zh);
        c.non_empty(&at, "name_en", &p.name_en);
        c.one_of(&at, "status", &p.status, PROJECT_STATUSES);
        c.date(&at, "started", p.started.as_deref());
        c.region_ref(format!("{at}/region_id"), p.region_id.as_deref());
        c.names(&at, "enterprise_ids", &p.enterprise_ids);
        for (j, e) in p.enterprise_ids.iter().enumerate() {
            if !b.enterprises.iter().any(|x| &x.id == e) && !c.catalog.enterprises.contains_key(e) {
                c.problem(
                    format!("{at}/enterprise_ids/{j}"),
                    format!("unknown enterprise `{e}`"),
                );
            }
        }
    }
    for (i, p) in b.policies.iter().enumerate() {
        let at = c.bundle.pointer("policies", i);
        c.slug(&at, &p.id);
        c.non_empty(&at, "title_zh", &p.title_zh);
        c.non_empty(&at, "title_en", &p.title_en);
        c.one_of(&at, "kind", &p.kind, POLICY_KINDS);
        c.date(&at, "issued", p.issued.as_deref());
        c.region_ref(format!("{at}/region_id"), p.region_id.as_deref());
    }
    for (i, ind) in b.indicators.iter().enumerate() {
        let at = c.bundle.pointer("indicators", i);
        if !is_slug(&ind.id.replace('_', "-")) || ind.id.contains('-') {
            c.problem(
                format!("{at}/id"),
                format!("`{}` is not an indicator id: use snake_case ASCII", ind.id),
            );
        }
        c.non_empty(&at, "name_zh", &ind.name_zh);
        c.non_empty(&at, "name_en", &ind.name_en);
        c.one_of(&at, "unit", &ind.unit, UNITS);
    }
}

/// The subject's region, when the subject is known: a region is its own.
fn subject_region(c: &Checker, subject: &Subject) -> Option<Option<String>> {
    let b = c.bundle;
    let id = subject.id.as_str();
    match subject.type_.as_str() {
        "region" => c.has_region(id).then(|| Some(id.to_owned())),
        "enterprise" => b
            .enterprises
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.region_id.clone())
            .or_else(|| c.catalog.enterprises.get(id).cloned()),
        "project" => b
            .projects
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.region_id.clone())
            .or_else(|| c.catalog.projects.get(id).cloned()),
        "policy" => b
            .policies
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.region_id.clone())
            .or_else(|| c.catalog.policies.get(id).cloned()),
        _ => None,
    }
}

/// A number as a person would write it: whole numbers without a fraction.
fn show(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// `value`, `value_max`, `unit` and `qualifier` must say what `original` says.
fn check_against_original(c: &mut Checker, at: &str, m: &Metric) {
    if m.original.trim().is_empty() {
        return;
    }
    let q = match crate::quantity::parse(&m.original) {
        Ok(q) => q,
        Err(e) => {
            c.problem(format!("{at}/original"), format!("is not a quantity: {e}"));
            return;
        }
    };
    let o = &m.original;
    if UNITS.contains(&m.unit.as_str()) && q.unit.code() != m.unit {
        c.problem(
            format!("{at}/unit"),
            format!("`{o}` is in {}, not {}", q.unit.code(), m.unit),
        );
    }
    if !same(q.value, m.value) {
        c.problem(
            format!("{at}/value"),
            format!(
                "`{o}` means {} {}, not {}",
                show(q.value),
                q.unit.code(),
                show(m.value)
            ),
        );
    }
    match (q.value_max, m.value_max) {
        (Some(expected), Some(given)) if !same(expected, given) => c.problem(
            format!("{at}/value_max"),
            format!("`{o}` ends at {}, not {}", show(expected), show(given)),
        ),
        (Some(expected), None) => c.problem(
            format!("{at}/value_max"),
            format!("`{o}` is a range up to {}", show(expected)),
        ),
        _ => {}
    }
    if QUALIFIERS.contains(&m.qualifier.as_str()) && q.qualifier.as_str() != m.qualifier {
        c.problem(
            format!("{at}/qualifier"),
            format!("`{o}` is {}, not {}", q.qualifier.as_str(), m.qualifier),
        );
    }
}

fn check_omissions(c: &mut Checker) {
    for (i, o) in c.bundle.omissions.iter().enumerate() {
        let at = c.bundle.pointer("omissions", i);
        c.non_empty(&at, "reason", &o.reason);
        if o.text.is_empty() || !c.bundle.source.text.contains(&o.text) {
            c.problem(
                format!("{at}/text"),
                "is not a verbatim substring of the source text",
            );
        }
    }
}

fn check_metrics(c: &mut Checker) -> Vec<ResolvedMetric> {
    let b = c.bundle;
    let text = &b.source.text;
    let mut resolved = Vec::new();
    for (i, m) in b.metrics.iter().enumerate() {
        let at = c.bundle.pointer("metrics", i);
        let before = c.problems.len();
        let indicator_unit = b
            .indicators
            .iter()
            .find(|x| x.id == m.indicator)
            .map(|x| x.unit.clone())
            .or_else(|| c.catalog.indicators.get(&m.indicator).cloned());
        match indicator_unit {
            None => c.problem(
                format!("{at}/indicator"),
                format!("unknown indicator `{}`", m.indicator),
            ),
            Some(unit) if UNITS.contains(&m.unit.as_str()) && unit != m.unit => c.problem(
                format!("{at}/unit"),
                format!(
                    "indicator `{}` is measured in `{unit}`, not `{}`",
                    m.indicator, m.unit
                ),
            ),
            Some(_) => {}
        }
        c.one_of(&at, "unit", &m.unit, UNITS);
        c.one_of(&at, "qualifier", &m.qualifier, QUALIFIERS);
        c.one_of(&at, "kind", &m.kind, METRIC_KINDS);
        c.one_of(
            &format!("{at}/subject"),
            "type",
            &m.subject.type_,
            SUBJECT_TYPES,
        );
        let region = match subject_region(c, &m.subject) {
            None if SUBJECT_TYPES.contains(&m.subject.type_.as_str()) => {
                c.problem(
                    format!("{at}/subject/id"),
                    format!("unknown {} `{}`", m.subject.type_, m.subject.id),
                );
                None
            }
            None => None,
            Some(derived) => match (m.region_id.clone(), derived) {
                (Some(explicit), _) => {
                    c.region_ref(format!("{at}/region_id"), Some(&explicit));
                    Some(explicit)
                }
                (None, Some(derived)) => Some(derived),
                (None, None) => {
                    c.problem(
                        format!("{at}/region_id"),
                        "the subject has no region: give the metric's region_id",
                    );
                    None
                }
            },
        };
        if !m.value.is_finite() {
            c.problem(format!("{at}/value"), "must be a finite number");
        }
        match (m.qualifier.as_str(), m.value_max) {
            ("range", None) => c.problem(format!("{at}/value_max"), "a range needs value_max"),
            ("range", Some(max)) if max <= m.value => c.problem(
                format!("{at}/value_max"),
                "value_max must be greater than value",
            ),
            ("range", Some(_)) | (_, None) => {}
            (_, Some(_)) => c.problem(
                format!("{at}/value_max"),
                "only a range has value_max: use null",
            ),
        }
        let years = match m.period.as_deref() {
            None => None,
            Some(p) => {
                let years = period_years(p);
                if years.is_none() {
                    c.problem(
                        format!("{at}/period"),
                        format!("`{p}` is not a period: a partial ISO date (2022, 2023-01) or an interval (2021/2022)"),
                    );
                }
                years
            }
        };
        c.non_empty(&at, "original", &m.original);
        let quote_start = if m.quote.is_empty() {
            c.problem(format!("{at}/quote"), "must not be empty");
            None
        } else {
            let start = char_offset(text, &m.quote);
            if start.is_none() {
                c.problem(
                    format!("{at}/quote"),
                    "is not a verbatim substring of the source text",
                );
            }
            start
        };
        if !m.original.is_empty() && !m.quote.contains(&m.original) {
            c.problem(
                format!("{at}/original"),
                format!("`{}` does not occur in the quote", m.original),
            );
        }
        check_against_original(c, &at, m);
        if c.problems.len() == before
            && let (Some(region_id), Some(quote_start)) = (region, quote_start)
        {
            resolved.push(ResolvedMetric {
                id: format!("{}-m{:03}", b.source.id, i + 1),
                position: i as i64 + 1,
                region_id,
                quote_start: quote_start as i64,
                period_from: years.map(|(a, _)| i64::from(a)),
                period_to: years.map(|(_, b)| i64::from(b)),
                metric: m.clone(),
            });
        }
    }
    resolved
}
