//! The checks of metrics: references, enums, periods, quotes, and that each number says what
//! its `original` says.

use super::{Checker, ResolvedMetric};
use crate::bundle::dates::period_years;
use crate::bundle::model::*;

/// The subject's region, when the subject is known: a region is its own.
fn subject_region(c: &Checker, subject: &Subject) -> Option<Option<String>> {
    let id = subject.id.as_str();
    let (own, stored) = match subject.type_.as_str() {
        "region" => return c.has_region(id).then(|| Some(id.to_owned())),
        "enterprise" => (&c.own.enterprises, &c.catalog.enterprises),
        "project" => (&c.own.projects, &c.catalog.projects),
        "policy" => (&c.own.policies, &c.catalog.policies),
        _ => return None,
    };
    own.get(id)
        .map(|&region| region.clone())
        .or_else(|| stored.get(id).cloned())
}

/// A number as a person would write it: whole numbers without a fraction.
fn show(value: f64) -> String {
    match crate::quantity::whole(value) {
        Some(n) => n.to_string(),
        None => value.to_string(),
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

pub(super) fn check_omissions(c: &mut Checker) {
    for (i, o) in c.bundle.omissions.iter().enumerate() {
        let at = c.bundle.pointer("omissions", i);
        c.non_empty(&at, "reason", &o.reason);
        if o.text.is_empty() || !c.text.contains(&o.text) {
            c.problem(
                format!("{at}/text"),
                "is not a verbatim substring of the source text",
            );
        }
    }
}

pub(super) fn check_metrics(c: &mut Checker) -> Vec<ResolvedMetric> {
    let b = c.bundle;
    let mut resolved = Vec::new();
    for (i, m) in b.metrics.iter().enumerate() {
        let at = c.bundle.pointer("metrics", i);
        let before = c.problems.len();
        let indicator_unit = c
            .own
            .indicators
            .get(m.indicator.as_str())
            .map(|&unit| unit.to_owned())
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
            let start = c.text.char_offset(&m.quote);
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
