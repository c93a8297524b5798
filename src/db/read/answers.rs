//! Answers over every metric a request's filters select, pages aside: breakdowns (count, sum,
//! min and max per group) and series (the facts of one indicator and subject in time order).
//! Both start from the very id query a metrics page picks its rows with, so a chart can never
//! disagree with the table beside it.

use std::collections::BTreeMap;

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::cells::{self, Cells, Scope};
use super::metrics::SUBJECT;
use super::sql::{json_object, push_matching_ids, push_with};
use super::{FilterKind, ListQuery};
use crate::bundle::dates::period_bounds;
use crate::db::budget::{Reads, Weight};
use crate::db::error::{Error, Result};
use crate::problems::ParamProblem;

/// A field a breakdown groups by: its name in `by=` and `key`, the SQL of its value, and where
/// its labels come from (`None` when the value is its own label).
#[derive(Debug)]
pub struct By {
    pub name: &'static str,
    pub sql: &'static str,
    /// SQL giving the Chinese and English labels of the value held in `k`.
    labels: Option<(&'static str, &'static str)>,
}

const SUBJECT_ZH: &str = "COALESCE((SELECT name_zh FROM regions WHERE id = k), \
    (SELECT name_zh FROM enterprises WHERE id = k), (SELECT name_zh FROM projects WHERE id = k), \
    (SELECT title_zh FROM policies WHERE id = k))";
const SUBJECT_EN: &str = "COALESCE((SELECT name_en FROM regions WHERE id = k), \
    (SELECT name_en FROM enterprises WHERE id = k), (SELECT name_en FROM projects WHERE id = k), \
    (SELECT title_en FROM policies WHERE id = k))";

/// Every field `by=` accepts, in the order the documentation lists them.
pub const BY: &[By] = &[
    By {
        name: "indicator",
        sql: "m.indicator",
        labels: Some((
            "(SELECT name_zh FROM indicators WHERE id = k)",
            "(SELECT name_en FROM indicators WHERE id = k)",
        )),
    },
    By {
        name: "region",
        sql: "m.region_id",
        labels: Some((
            "(SELECT name_zh FROM regions WHERE id = k)",
            "(SELECT name_en FROM regions WHERE id = k)",
        )),
    },
    By {
        name: "subject",
        sql: "m.subject_id",
        labels: Some((SUBJECT_ZH, SUBJECT_EN)),
    },
    By {
        name: "period",
        sql: "m.period",
        labels: None,
    },
    By {
        name: "kind",
        sql: "m.kind",
        labels: None,
    },
    By {
        name: "unit",
        sql: "m.unit",
        labels: None,
    },
    By {
        name: "qualifier",
        sql: "m.qualifier",
        labels: None,
    },
    By {
        name: "source",
        sql: "m.source_id",
        labels: Some((
            "(SELECT title FROM sources WHERE id = k)",
            "(SELECT title FROM sources WHERE id = k)",
        )),
    },
];

/// At most this many groups are returned; `truncated` says when there were more.
pub const MAX_GROUPS: i64 = 10_000;

/// A breakdown as asked: the metrics query (filters and `q`), one or two fields, and the
/// region level to roll `region` up to.
#[derive(Debug)]
pub struct BreakdownQuery<'a> {
    pub query: &'a ListQuery,
    pub by: Vec<&'static By>,
    pub level: Option<String>,
}

/// The groups as SQLite built them, each a JSON object.
#[derive(Debug)]
pub struct Breakdown {
    /// The data version the answer was read at, which a response cache may keep it under.
    pub version: i64,
    pub groups: Vec<String>,
    /// Rows over all groups: the total the metrics list gives for the same filters.
    pub rows: i64,
    pub truncated: bool,
}

/// Every id the filters of `query` name, one per value (`region=gansu,chongqing` names two),
/// with the filter's parameter and the SQL telling whether it exists.
fn named_ids(query: &ListQuery) -> Vec<(&'static str, &'static str, String)> {
    query
        .filters
        .iter()
        .flat_map(|(f, v)| match f.kind {
            FilterKind::Ref(exists) => v
                .values()
                .into_iter()
                .map(|one| (f.param, exists, one.text()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Pushes a JSON array holding the data version, then for each named id in order 1 when it
/// exists and 0 when not, so the version and the existence checks ride along in the
/// statement that answers the request.
fn push_checks(qb: &mut QueryBuilder<'_, Sqlite>, named: &[(&'static str, &'static str, String)]) {
    qb.push("json_array((SELECT version FROM data_version WHERE id = 1)");
    for (_, exists, value) in named {
        qb.push(", (");
        for (j, part) in exists.split('?').enumerate() {
            if j > 0 {
                qb.push_bind(value.clone());
            }
            qb.push(part);
        }
        qb.push(")");
    }
    qb.push(")");
}

/// The data version the statement ran under, and the named ids that do not exist, as the
/// problems a request naming them is refused with. `checks` is what [`push_checks`] made
/// SQLite give.
fn missing(
    named: &[(&'static str, &'static str, String)],
    checks: &str,
) -> Result<(i64, Vec<ParamProblem>)> {
    let bad = || Error::Internal(format!("existence checks gave `{checks}`"));
    let found: Vec<i64> = serde_json::from_str(checks).map_err(|_| bad())?;
    let (&version, found) = found.split_first().ok_or_else(bad)?;
    let absent = named
        .iter()
        .zip(found.iter().chain(std::iter::repeat(&0)))
        .filter(|(_, exists)| **exists == 0)
        .map(|((param, _, value), _)| ParamProblem {
            param: (*param).to_owned(),
            message: format!("no {} with id `{value}`", param.replace('_', " ")),
        })
        .collect();
    Ok((version, absent))
}

/// Checks the named ids (and reads the data version) in a statement of their own: what a
/// breakdown does when it has no group to carry the checks.
async fn check_refs(
    conn: &mut SqliteConnection,
    named: &[(&'static str, &'static str, String)],
) -> Result<(i64, Vec<ParamProblem>)> {
    let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("SELECT ");
    push_checks(&mut qb, named);
    let checks: String = qb.build().fetch_one(&mut *conn).await?.try_get(0)?;
    missing(named, &checks)
}

/// An answer, or the ids the filters named that no stored entity has. Those may be names,
/// which the list takes too: the caller resolves them to ids and asks again, and otherwise
/// refuses the request with these problems, so a mistyped id never gets an empty chart.
#[derive(Debug)]
pub enum Checked<T> {
    Answer(T),
    Missing(Vec<ParamProblem>),
}

/// Pushes the list's own `WITH` (the term and its index matches), then `picked(id)`: the ids
/// the metrics list would show.
fn push_picked(qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
    push_with(qb, query);
    qb.push(", picked(id) AS MATERIALIZED (");
    push_matching_ids(qb, query);
    qb.push(") ");
}

/// One breakdown. A request whose groups would add figures of different units is refused,
/// naming the filter or field that would separate them.
pub async fn breakdown(
    pool: &SqlitePool,
    reads: &Reads,
    ask: &BreakdownQuery<'_>,
) -> Result<Checked<Breakdown>> {
    let mut conn = reads.acquire(pool, Weight::Heavy).await?;
    let named = named_ids(ask.query);
    let cells = cells::plan(ask.query, ask.by.iter().map(|b| b.name));
    let mut qb = QueryBuilder::new("");
    if cells.is_none() {
        push_picked(&mut qb, ask.query);
    }
    qb.push("SELECT ");
    for i in 0..ask.by.len() {
        qb.push(format!("k{i}, "));
    }
    // Every group carries the existence checks of the named ids (SQLite works them out once),
    // which saves a statement whenever there is a group; and the total of the rows, which the
    // groups' counts exceed when a region lies within two regions of the level.
    push_checks(&mut qb, &named);
    qb.push(" AS checks, (");
    match cells {
        Some(cells) => {
            qb.push("SELECT COALESCE(SUM(m.n), 0)");
            cells::push_from(&mut qb, ask.query, cells, Scope::Selected);
        }
        None => {
            qb.push("SELECT COUNT(*) FROM picked");
        }
    }
    qb.push(
        ") AS rows, SUM(n) AS n, COUNT(DISTINCT unit) AS units, \
         group_concat(DISTINCT unit) AS unit_list, ",
    );
    // The group's object: its key, labels, figures and whether any figure is a bound.
    let mut key = Vec::new();
    let mut labels = Vec::new();
    let mut label_zh = Vec::new();
    let mut label_en = Vec::new();
    for (i, by) in ask.by.iter().enumerate() {
        key.push(format!("'{}', k{i}", by.name));
        let (zh, en) = match by.labels {
            Some((zh, en)) => (
                zh.replace(" = k)", &format!(" = k{i})")),
                en.replace(" = k)", &format!(" = k{i})")),
            ),
            None => (format!("k{i}"), format!("k{i}")),
        };
        labels.push(format!(
            "'{}', json_object('zh', {zh}, 'en', {en})",
            by.name
        ));
        label_zh.push(zh);
        label_en.push(en);
    }
    let join = |parts: &[String]| match parts {
        [one] => one.clone(),
        _ => format!("concat_ws(' · ', {})", parts.join(", ")),
    };
    qb.push(format!(
        "json_object('key', json_object({}), 'label_zh', {}, 'label_en', {}, \
         'labels', json_object({}), 'count', SUM(n), \
         'sum', json(fact_number(SUM(total))), 'min', json(fact_number(MIN(least))), \
         'max', json(fact_number(MAX(most))), 'unit', MIN(unit), \
         'bounded', json(CASE WHEN MAX(bound) THEN 'true' ELSE 'false' END)) \
         AS j FROM (",
        key.join(", "),
        join(&label_zh),
        join(&label_en),
        labels.join(", ")
    ));
    let level = ask.level.as_deref();
    let region = ask.by.iter().position(|b| b.name == "region");
    match cells {
        Some(cells) => push_cell_parts(&mut qb, ask, cells),
        None => {
            // The rows are first added up per value of each field as stored (and per unit),
            // which makes a handful of parts however many rows there are; only then is a
            // region rolled up to its level, once per part instead of once per row, and the
            // parts added up per group.
            qb.push("SELECT ");
            for i in 0..ask.by.len() {
                match (level, region) {
                    (Some(_), Some(r)) if r == i => qb.push(format!("up.ancestor AS k{i}, ")),
                    _ => qb.push(format!("g{i} AS k{i}, ")),
                };
            }
            qb.push("n, total, least, most, unit, bound FROM (SELECT ");
            for (i, by) in ask.by.iter().enumerate() {
                qb.push(format!("{} AS g{i}, ", by.sql));
            }
            qb.push(
                "m.unit AS unit, COUNT(*) AS n, SUM(m.value) AS total, MIN(m.value) AS least, \
                 MAX(m.value) AS most, MAX(m.qualifier <> 'exact') AS bound \
                 FROM metrics m WHERE m.id IN (SELECT id FROM picked) GROUP BY ",
            );
            for i in 0..ask.by.len() {
                qb.push(format!("g{i}, "));
            }
            qb.push("m.unit) p");
            if let (Some(level), Some(r)) = (level, region) {
                // Each of the region's ancestors at that level (itself included), as the
                // region filter and facets count it; rows whose region lies above the level
                // have none and form the group whose region is null.
                qb.push(
                    " LEFT JOIN (SELECT descendant, ancestor FROM region_closure \
                     WHERE ancestor_level = ",
                );
                qb.push_bind(level.to_owned());
                qb.push(format!(") up ON up.descendant = p.g{r}"));
            }
        }
    }
    qb.push(") GROUP BY ");
    let keys: Vec<String> = (0..ask.by.len()).map(|i| format!("k{i}")).collect();
    qb.push(keys.join(", "));
    qb.push(" ORDER BY ");
    let order: Vec<String> = keys.iter().map(|k| format!("{k} IS NULL, {k}")).collect();
    qb.push(order.join(", "));
    qb.push(" LIMIT ");
    qb.push_bind(MAX_GROUPS + 1);
    let rows = qb.build().fetch_all(&mut *conn).await?;
    let (version, absent) = match rows.first() {
        Some(row) => missing(&named, &row.try_get::<String, _>(ask.by.len())?)?,
        None => check_refs(&mut conn, &named).await?,
    };
    if !absent.is_empty() {
        return Ok(Checked::Missing(absent));
    }
    // Past the keys, the checks and the total.
    let width = ask.by.len() + 2;
    let mut groups = Vec::with_capacity(rows.len());
    let total = match rows.first() {
        Some(row) => row.try_get::<i64, _>(width - 1)?,
        None => 0,
    };
    for row in rows.iter().take(MAX_GROUPS as usize) {
        let units: i64 = row.try_get(width + 1)?;
        if units > 1 {
            let unit_list: String = row.try_get(width + 2)?;
            let mut named = Vec::new();
            for (i, by) in ask.by.iter().enumerate() {
                let k: Option<String> = row.try_get(i)?;
                named.push(format!("{}={}", by.name, k.as_deref().unwrap_or("null")));
            }
            return Err(Error::Invalid(vec![ParamProblem {
                param: "by".into(),
                message: format!(
                    "the group {} holds figures in several units ({unit_list}), which cannot \
                     be added up; add unit= or indicator=, or by=unit",
                    named.join(", ")
                ),
            }]));
        }
        groups.push(row.try_get::<String, _>(width + 3)?);
    }
    Ok(Checked::Answer(Breakdown {
        version,
        groups,
        rows: total,
        truncated: rows.len() as i64 > MAX_GROUPS,
    }))
}

/// Pushes the parts of a breakdown read from the figures kept per region: for each group key
/// and unit, the count, sum, least and greatest value and whether any is a bound. Grouped by
/// region at a level, they are the cells of each region at that level, those of the selection
/// under each region at that level above it, and the own facts of regions with none at or
/// above them, under a null region.
fn push_cell_parts(qb: &mut QueryBuilder<'_, Sqlite>, ask: &BreakdownQuery<'_>, cells: Cells) {
    let scopes = match (
        ask.by.iter().any(|b| b.name == "region"),
        ask.level.as_deref(),
    ) {
        (true, Some(level)) => vec![Scope::AtLevel(level), Scope::Up(level), Scope::Above(level)],
        (true, None) => vec![Scope::Own],
        (false, _) => vec![Scope::Selected],
    };
    for (j, scope) in scopes.into_iter().enumerate() {
        qb.push(if j == 0 {
            "SELECT "
        } else {
            " UNION ALL SELECT "
        });
        for (i, by) in ask.by.iter().enumerate() {
            let sql = match by.name {
                "region" => scope.region(),
                name => cells::value(name),
            };
            qb.push(format!("{sql} AS k{i}, "));
        }
        qb.push(
            "SUM(m.n) AS n, SUM(m.total) AS total, MIN(m.least) AS least, \
             MAX(m.most) AS most, m.unit AS unit, MAX(m.qualifier <> 'exact') AS bound",
        );
        cells::push_from(qb, ask.query, cells, scope);
        qb.push(" GROUP BY ");
        for i in 0..ask.by.len() {
            qb.push(format!("k{i}, "));
        }
        qb.push("m.unit");
    }
}

/// Where a page of series ends: the key of its last series.
pub type SeriesKey = [String; 5];

/// One page of series, each already a JSON object, with how many selected facts have no period.
#[derive(Debug)]
pub struct SeriesPage {
    /// The data version the answer was read at, which a response cache may keep it under.
    pub version: i64,
    pub series: Vec<serde_json::Value>,
    pub next: Option<SeriesKey>,
    pub without_period: i64,
    pub points: usize,
}

/// Series of the selected facts: one per indicator, subject, unit and region, at most `limit`
/// of them after `after`, each with its points in time order.
pub async fn series(
    pool: &SqlitePool,
    reads: &Reads,
    query: &ListQuery,
    limit: i64,
    after: Option<&SeriesKey>,
) -> Result<Checked<SeriesPage>> {
    let mut conn = reads.acquire(pool, Weight::Heavy).await?;
    let named = named_ids(query);
    let mut qb = QueryBuilder::new("");
    push_picked(&mut qb, query);
    // Only the columns a point or its series shows: a fact's quote and original text, which
    // can fill pages of their own, are never read.
    qb.push(format!(
        ", facts AS MATERIALIZED (SELECT m.id, m.indicator, m.subject_type, m.subject_id, m.unit, \
         m.region_id, m.period, m.value, m.value_max, m.qualifier, m.kind, m.source_id \
         FROM metrics m WHERE m.id IN (SELECT id FROM picked)), \
         keys AS MATERIALIZED (SELECT m.*, {} AS subject FROM (\
         SELECT DISTINCT indicator, subject_type, subject_id, unit, region_id \
         FROM facts WHERE period IS NOT NULL",
        json_object(SUBJECT)
    ));
    if let Some(k) = after {
        qb.push(" AND (indicator, subject_type, subject_id, unit, region_id) > (");
        for (i, part) in k.iter().enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            qb.push_bind(part.clone());
        }
        qb.push(")");
    }
    qb.push(" ORDER BY 1, 2, 3, 4, 5 LIMIT ");
    qb.push_bind(limit + 1);
    // The points of each series are the dated facts whose key lies after the cursor and up to
    // the page's last series (a range, so no fact is matched against every series). A series'
    // subject names are looked up once, not once per point. It all comes back as one row (the
    // series as one JSON array, the facts without a period, the existence checks of the named
    // ids): each row a statement hands back costs a trip between SQLite's thread and the
    // request's, which would cost more than the points.
    qb.push(
        ") m), pts AS (SELECT m.indicator, m.subject_type, m.subject_id, m.unit, m.region_id, \
         json_group_array(json_array(m.period, json_object('value', json(fact_number(m.value)), \
         'value_max', json(fact_number(m.value_max)), 'qualifier', m.qualifier, 'kind', m.kind, \
         'metric_id', m.id, 'source_id', m.source_id))) AS points \
         FROM facts m WHERE m.period IS NOT NULL \
         AND (m.indicator, m.subject_type, m.subject_id, m.unit, m.region_id) <= \
         (SELECT indicator, subject_type, subject_id, unit, region_id FROM keys \
         ORDER BY 1 DESC, 2 DESC, 3 DESC, 4 DESC, 5 DESC LIMIT 1)",
    );
    if let Some(k) = after {
        qb.push(" AND (m.indicator, m.subject_type, m.subject_id, m.unit, m.region_id) > (");
        for (i, part) in k.iter().enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            qb.push_bind(part.clone());
        }
        qb.push(")");
    }
    qb.push(
        " GROUP BY 1, 2, 3, 4, 5) SELECT (SELECT json_group_array(json_array(k.indicator, \
         k.subject_type, k.subject_id, k.unit, k.region_id, json(k.subject), json(p.points))) \
         FROM keys k JOIN pts p ON p.indicator = k.indicator AND p.subject_type = k.subject_type \
         AND p.subject_id = k.subject_id AND p.unit = k.unit AND p.region_id = k.region_id), \
         (SELECT COUNT(*) FROM facts WHERE period IS NULL), ",
    );
    push_checks(&mut qb, &named);
    let row = qb.build().fetch_one(&mut *conn).await?;
    let without_period: i64 = row.try_get(1)?;
    let (version, absent) = missing(&named, &row.try_get::<String, _>(2)?)?;
    type Found = (
        String,
        String,
        String,
        String,
        String,
        serde_json::Value,
        Vec<(String, serde_json::Value)>,
    );
    let found: Vec<Found> = serde_json::from_str(&row.try_get::<String, _>(0)?)
        .map_err(|e| Error::Internal(format!("series: {e}")))?;
    let mut grouped: BTreeMap<SeriesKey, (serde_json::Value, Vec<serde_json::Value>)> =
        BTreeMap::new();
    for (indicator, subject_type, subject_id, unit, region_id, subject, found) in found {
        let key: SeriesKey = [indicator, subject_type, subject_id, unit, region_id];
        let mut points = Vec::with_capacity(found.len());
        for (period, mut point) in found {
            let (start, end) = match period_bounds(&period) {
                Some((s, e)) => (Some(s), Some(e)),
                None => (None, None),
            };
            if let Some(obj) = point.as_object_mut() {
                obj.insert("period".into(), period.into());
                obj.insert("period_start".into(), start.into());
                obj.insert("period_end".into(), end.into());
            }
            points.push(point);
        }
        grouped.insert(key, (subject, points));
    }
    if !absent.is_empty() {
        return Ok(Checked::Missing(absent));
    }
    let more = grouped.len() as i64 > limit;
    let mut series = Vec::new();
    let mut last = None;
    for (key, (subject, mut pts)) in grouped.into_iter().take(limit as usize) {
        pts.sort_by(|a, b| {
            let field = |v: &serde_json::Value, f: &str| v[f].as_str().unwrap_or("").to_owned();
            (
                field(a, "period_start"),
                field(a, "kind"),
                field(a, "period_end"),
            )
                .cmp(&(
                    field(b, "period_start"),
                    field(b, "kind"),
                    field(b, "period_end"),
                ))
                .then_with(|| field(a, "metric_id").cmp(&field(b, "metric_id")))
        });
        series.push(serde_json::json!({
            "indicator": key[0],
            "unit": key[3],
            "subject": subject,
            "region_id": key[4],
            "points": pts,
        }));
        last = Some(key);
    }
    if !more {
        last = None;
    }
    let points = series
        .iter()
        .map(|s| s["points"].as_array().map_or(0, Vec::len))
        .sum();
    Ok(Checked::Answer(SeriesPage {
        version,
        series,
        next: last,
        without_period,
        points,
    }))
}
