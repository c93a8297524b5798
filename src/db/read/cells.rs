//! Answers from the figures kept per region, indicator, kind, unit, qualifier and period
//! (`db::metric_cells`) instead of the facts themselves. A province's facts about one
//! indicator number in the tens of thousands at a million facts, its cells in the hundreds, and
//! a cell's count, sum, least and greatest value add up to exactly what its facts would give.
//!
//! Only answers whose filters and fields all stay within a cell's key can be read this way;
//! every other request (a `q`, a value range, a subject or a source, several regions at once,
//! which may lie one inside the other) reads the facts as before.

use sqlx::{QueryBuilder, Sqlite};

use super::sql::push_condition;
use super::{FilterValue, ListQuery};

/// The filters a cell can answer, by parameter, and whether each needs the period.
const FILTERS: &[(&str, bool)] = &[
    ("indicator", false),
    ("region", false),
    ("unit", false),
    ("kind", false),
    ("qualifier", false),
    ("period", true),
    ("from", true),
    ("to", true),
];

/// The fields a facet or a breakdown can group cells by, with the SQL of their value in the
/// cells `m`. `region` is the metrics' own region, read from the cells of each region's own
/// facts; a period of '' is a fact without one.
const FIELDS: &[(&str, &str)] = &[
    ("indicator", "m.indicator"),
    ("region", "m.ancestor"),
    ("unit", "m.unit"),
    ("kind", "m.kind"),
    ("qualifier", "m.qualifier"),
    ("period", "NULLIF(m.period, '')"),
];

/// True while no figures wait to be worked out again. Every write of this program settles
/// them before it commits, but another program's write may leave some stale until the next
/// start; a statement reading figures asks this and reads the facts instead when it is false.
pub const FRESH: &str = "NOT EXISTS (SELECT 1 FROM metric_cells_stale)";

/// Which table of figures answers a request.
#[derive(Debug, Clone, Copy)]
pub struct Cells {
    table: &'static str,
}

/// The table that answers a metrics request grouped by `fields`, or `None` when the facts
/// must be read.
pub fn plan<'a>(query: &ListQuery, fields: impl IntoIterator<Item = &'a str>) -> Option<Cells> {
    if query.collection.name != "metrics" || query.q.is_some() {
        return None;
    }
    let mut dated = false;
    for (filter, value) in &query.filters {
        let (_, needs_period) = FILTERS.iter().find(|(p, _)| *p == filter.param)?;
        if filter.param == "region" && matches!(value, FilterValue::Any(v) if v.len() != 1) {
            return None;
        }
        dated |= needs_period;
    }
    for field in fields {
        FIELDS.iter().find(|(f, _)| *f == field)?;
        dated |= field == "period";
    }
    Some(Cells {
        table: if dated {
            "metric_cells"
        } else {
            "metric_totals"
        },
    })
}

/// The SQL of a field's value in the cells `m`.
pub fn value(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("NULL", |(_, sql)| sql)
}

/// A facet's value in the cells `m` and the condition that it has one. The period is grouped
/// as stored, so cells read in key order need no sort.
pub fn facet_value(field: &str) -> (&'static str, &'static str) {
    match field {
        "period" => ("m.period", "m.period <> ''"),
        other => (value(other), "1"),
    }
}

/// Which cells a part of an answer reads, each fact of the request in exactly one of them
/// (or, rolled up to a level, once under each of its regions at that level).
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The cells of the region filtered on, or of every top region when there is none.
    Selected,
    /// The cells of each region's own facts, for grouping by the fact's region.
    Own,
    /// The cells of each region at this level within the one filtered on, keyed by it.
    AtLevel(&'a str),
    /// The cells of the region filtered on, once under each region at this level above it.
    Up(&'a str),
    /// The cells of the own facts of regions with no region at this level at or above them.
    Above(&'a str),
}

impl Scope<'_> {
    /// The SQL of the region a part's cells count for.
    pub fn region(self) -> &'static str {
        match self {
            Self::Selected | Self::Own | Self::AtLevel(_) => "m.ancestor",
            Self::Up(_) => "up.ancestor",
            Self::Above(_) => "NULL",
        }
    }
}

/// Pushes `FROM <cells> m WHERE …`: the cells `scope` names that hold the facts the
/// request's filters select.
pub fn push_from(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, cells: Cells, scope: Scope) {
    qb.push(format!(" FROM {} m", cells.table));
    let region = query
        .filters
        .iter()
        .find(|(f, _)| f.param == "region")
        .map(|(_, v)| v.values()[0].text());
    // The regions of the selection: the one filtered on and those below it.
    let push_within = |qb: &mut QueryBuilder<'_, Sqlite>| match &region {
        Some(region) => {
            qb.push("(SELECT descendant FROM region_closure WHERE ancestor = ");
            qb.push_bind(region.clone());
            qb.push(")");
        }
        None => {
            qb.push("(SELECT id FROM regions)");
        }
    };
    match scope {
        Scope::Selected | Scope::Up(_) => {
            if let Scope::Up(level) = scope {
                // No region filter selects every top region, which has nothing above it.
                qb.push(
                    " CROSS JOIN (SELECT ancestor FROM region_closure \
                     WHERE descendant = ",
                );
                qb.push_bind(region.clone());
                qb.push(" AND ancestor_level = ");
                qb.push_bind(level.to_owned());
                qb.push(" AND ancestor <> descendant) up");
            }
            match &region {
                Some(region) => {
                    qb.push(" WHERE m.own = 0 AND m.ancestor = ");
                    qb.push_bind(region.clone());
                }
                None => {
                    qb.push(
                        " WHERE m.own = 0 AND m.ancestor IN \
                         (SELECT id FROM regions WHERE parent_id IS NULL)",
                    );
                }
            }
        }
        // Region by region, so the key's leading columns find each one's cells.
        Scope::Own => {
            qb.push(" WHERE m.own = 1 AND m.ancestor IN ");
            push_within(qb);
        }
        Scope::AtLevel(level) => {
            qb.push(" WHERE m.own = 0 AND m.ancestor IN ");
            match &region {
                Some(region) => {
                    qb.push("(SELECT descendant FROM region_closure WHERE ancestor = ");
                    qb.push_bind(region.clone());
                    qb.push(" AND descendant_level = ");
                }
                None => {
                    qb.push("(SELECT id FROM regions WHERE level = ");
                }
            }
            qb.push_bind(level.to_owned());
            qb.push(")");
        }
        Scope::Above(level) => {
            qb.push(" WHERE m.own = 1 AND m.ancestor IN ");
            let d = match &region {
                Some(region) => {
                    qb.push("(SELECT d.descendant FROM region_closure d WHERE d.ancestor = ");
                    qb.push_bind(region.clone());
                    "d.descendant"
                }
                None => {
                    qb.push("(SELECT d.id FROM regions d WHERE 1 = 1");
                    "d.id"
                }
            };
            qb.push(format!(
                " AND NOT EXISTS (SELECT 1 FROM region_closure u \
                 WHERE u.descendant = {d} AND u.ancestor_level = "
            ));
            qb.push_bind(level.to_owned());
            qb.push("))");
        }
    }
    push_conditions_but_region(qb, query);
}

/// Pushes the list's conditions on the metrics or cells `m`, the region left to the caller,
/// which reaches it through the closure or the cells' own region.
pub fn push_conditions_but_region(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    push_conditions_but(qb, query, Some("region"));
}

/// Pushes every one of the list's conditions on the metrics `m`.
pub fn push_conditions(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    push_conditions_but(qb, query, None);
}

fn push_conditions_but(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery, but: Option<&str>) {
    for (filter, value) in &query.filters {
        if Some(filter.param) != but {
            push_condition(qb, filter.sql, filter.kind, value);
        }
    }
}
