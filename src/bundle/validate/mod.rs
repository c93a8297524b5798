//! Semantic checks of a decoded bundle: ids, enums, references, dates, and that every number
//! agrees with the words it was taken from.

use std::collections::{HashMap, HashSet};

mod metrics;
mod quotes;
mod text;

use super::catalog::Catalog;
use super::dates::parse_partial_date;
use super::model::*;
use crate::problems::PointerProblem;
use metrics::{check_metrics, check_omissions};
pub use quotes::Quotes;
use text::check_text;

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

/// Character (Unicode scalar value) offset of the first occurrence of `needle`, by searching
/// the text: for one-off lookups, and the reference [`Quotes`] answers like.
pub fn char_offset(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .find(needle)
        .map(|byte| haystack[..byte].chars().count())
}

struct Checker<'a> {
    problems: Vec<PointerProblem>,
    bundle: &'a Bundle,
    catalog: &'a Catalog,
    /// The bundle's own entities by id, so that a reference costs one lookup however many
    /// entities and metrics the bundle has.
    own: Own<'a>,
    /// Where every quote and omission occurs in the source text, found in one pass.
    text: Quotes<'a>,
}

/// The entities a bundle defines, by id; the first definition wins, as a search from the
/// start would find it.
#[derive(Default)]
struct Own<'a> {
    regions: HashSet<&'a str>,
    /// Id → region id, for enterprises, projects and policies.
    enterprises: HashMap<&'a str, &'a Option<String>>,
    projects: HashMap<&'a str, &'a Option<String>>,
    policies: HashMap<&'a str, &'a Option<String>>,
    /// Id → unit code.
    indicators: HashMap<&'a str, &'a str>,
}

impl<'a> Own<'a> {
    fn of(b: &'a Bundle) -> Self {
        let mut own = Self::default();
        own.regions.extend(b.regions.iter().map(|r| r.id.as_str()));
        for e in &b.enterprises {
            own.enterprises.entry(&e.id).or_insert(&e.region_id);
        }
        for p in &b.projects {
            own.projects.entry(&p.id).or_insert(&p.region_id);
        }
        for p in &b.policies {
            own.policies.entry(&p.id).or_insert(&p.region_id);
        }
        for i in &b.indicators {
            own.indicators.entry(&i.id).or_insert(&i.unit);
        }
        own
    }
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
        self.own.regions.contains(id) || self.catalog.regions.contains_key(id)
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
        own: Own::of(&bundle),
        text: Quotes::find(
            &bundle.source.text,
            (bundle.metrics.iter().map(|m| m.quote.as_str()))
                .chain(bundle.omissions.iter().map(|o| o.text.as_str())),
        ),
    };
    check_text(&mut c);
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
            if !c.own.enterprises.contains_key(e.as_str()) && !c.catalog.enterprises.contains_key(e)
            {
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
