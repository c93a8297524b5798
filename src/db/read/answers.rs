//! Answers over every metric a request's filters select, pages aside: breakdowns (count, sum,
//! min and max per group) and series (the facts of one indicator and subject in time order).
//! Both start from the very id query a metrics page picks its rows with, so a chart can never
//! disagree with the table beside it.

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::cells::{self, Cells, Scope};
use super::metrics::SUBJECT;
use super::sql::{json_object, push_matching_ids, push_with};
use super::{FilterKind, ListQuery};
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
    /// The rows selected: the total the metrics list gives for the same filters.
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
/// With `fresh`, whether the figures per region are current comes last (see [`is_fresh`]).
fn push_checks(
    qb: &mut QueryBuilder<'_, Sqlite>,
    named: &[(&'static str, &'static str, String)],
    fresh: bool,
) {
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
    if fresh {
        qb.push(format!(", {}", cells::FRESH));
    }
    qb.push(")");
}

/// Whether checks pushed with `fresh` say the figures per region were current.
fn is_fresh(checks: &str) -> bool {
    serde_json::from_str::<Vec<i64>>(checks)
        .ok()
        .and_then(|found| found.last().copied())
        == Some(1)
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
    fresh: bool,
) -> Result<String> {
    let mut qb: QueryBuilder<'_, Sqlite> = QueryBuilder::new("SELECT ");
    push_checks(&mut qb, named, fresh);
    Ok(qb.build().fetch_one(&mut *conn).await?.try_get(0)?)
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
    let cells = cells::plan(ask.query, ask.by.iter().map(|b| b.name));
    if let Some(answer) = breakdown_on(&mut conn, ask, cells).await? {
        return Ok(answer);
    }
    // The figures were stale: the facts themselves always answer.
    breakdown_on(&mut conn, ask, None)
        .await?
        .ok_or_else(|| Error::Internal("a breakdown of the facts met stale figures".into()))
}

/// One breakdown, from the figures per region when `cells` names them; `None` when those
/// turned out to be stale.
async fn breakdown_on(
    conn: &mut SqliteConnection,
    ask: &BreakdownQuery<'_>,
    cells: Option<Cells>,
) -> Result<Option<Checked<Breakdown>>> {
    let named = named_ids(ask.query);
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
    push_checks(&mut qb, &named, cells.is_some());
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
    let checks = match rows.first() {
        Some(row) => row.try_get::<String, _>(ask.by.len())?,
        None => check_refs(conn, &named, cells.is_some()).await?,
    };
    if cells.is_some() && !is_fresh(&checks) {
        return Ok(None);
    }
    let (version, absent) = missing(&named, &checks)?;
    if !absent.is_empty() {
        return Ok(Some(Checked::Missing(absent)));
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
    Ok(Some(Checked::Answer(Breakdown {
        version,
        groups,
        rows: total,
        truncated: rows.len() as i64 > MAX_GROUPS,
    })))
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

/// Where a page of series ends: the key of its last series, region first, as series are
/// ordered: region, indicator, subject type, subject and unit.
pub type SeriesKey = [String; 5];

/// The columns of a series key, in order, on the metrics `m`.
const SERIES_KEY: &str = "m.region_id, m.indicator, m.subject_type, m.subject_id, m.unit";

/// One point of a series as JSON text, from a metric `m`, written in one piece (see
/// `fact_object`): thousands of points make a page.
const POINT: &str = "fact_object('kind', m.kind, 'metric_id', m.id, 'period', m.period, \
    'period_end', m.period_end, 'period_start', m.period_start, 'qualifier', m.qualifier, \
    'source_id', m.source_id, 'value', m.value, 'value_max', m.value_max)";
/// The order of a series' points: the order the series indexes keep them in after the key.
const POINT_ORDER: &str = "m.period_start, m.kind, m.period_end, m.id";

/// One page of series as the JSON array of the response's `data`, with how many selected
/// facts have no period.
#[derive(Debug)]
pub struct SeriesPage {
    /// The data version the answer was read at, which a response cache may keep it under.
    pub version: i64,
    pub series: String,
    pub next: Option<SeriesKey>,
    pub without_period: i64,
    pub points: usize,
}

/// Where a page of series finds its facts.
#[derive(Debug)]
enum Walk {
    /// `metrics_series`, in key order: the facts of the selected region's regions one region
    /// after another (of every region with none), so the page ends as soon as it is full.
    Regions(Option<String>),
    /// `metrics_subject_series`: the selected subjects' facts, a range per subject, whose few
    /// series are put in order after.
    Subjects,
    /// The facts the list selects, read first: with a text search, a source (whose own index
    /// finds its few facts soonest) or several regions.
    Picked,
}

impl Walk {
    fn of(query: &ListQuery) -> Walk {
        let values = |param| {
            query
                .filters
                .iter()
                .find(|(f, _)| f.param == param)
                .map(|(_, v)| v.values())
        };
        if query.q.is_some() || values("source").is_some() {
            return Walk::Picked;
        }
        if values("subject").is_some() {
            return Walk::Subjects;
        }
        match values("region").as_deref() {
            None => Walk::Regions(None),
            Some([one]) => Walk::Regions(Some(one.text())),
            Some(_) => Walk::Picked,
        }
    }

    /// The index a series' points are one range of.
    fn index(&self) -> Option<&'static str> {
        match self {
            Walk::Regions(_) => Some("metrics_series"),
            Walk::Subjects => Some("metrics_subject_series"),
            Walk::Picked => None,
        }
    }

    /// The column a walk reads a fact's region from: the closure's, over one region, so its
    /// regions are taken in order.
    fn region(&self) -> &'static str {
        match self {
            Walk::Regions(Some(_)) => "d.descendant",
            _ => "m.region_id",
        }
    }

    /// Pushes `FROM … WHERE` with every selected fact on the walk's index; the caller adds
    /// what it asks of them.
    fn push_from(&self, qb: &mut QueryBuilder<'_, Sqlite>, query: &ListQuery) {
        match self {
            Walk::Regions(Some(region)) => {
                qb.push(
                    " FROM region_closure d NOT INDEXED CROSS JOIN metrics m \
                     INDEXED BY metrics_series ON m.region_id = d.descendant \
                     WHERE d.ancestor = ",
                );
                qb.push_bind(region.clone());
                cells::push_conditions_but_region(qb, query);
            }
            Walk::Regions(None) => {
                qb.push(" FROM metrics m INDEXED BY metrics_series WHERE 1 = 1");
                cells::push_conditions_but_region(qb, query);
            }
            Walk::Subjects => {
                qb.push(" FROM metrics m INDEXED BY metrics_subject_series WHERE 1 = 1");
                cells::push_conditions(qb, query);
            }
            Walk::Picked => unreachable!("picked facts are read first"),
        }
    }
}

/// Pushes ` AND (key) > (after)` when there is a cursor.
fn push_after(qb: &mut QueryBuilder<'_, Sqlite>, key: &str, after: Option<&SeriesKey>) {
    if let Some(k) = after {
        qb.push(format!(" AND ({key}) > ("));
        for (i, part) in k.iter().enumerate() {
            if i > 0 {
                qb.push(", ");
            }
            qb.push_bind(part.clone());
        }
        qb.push(")");
    }
}

/// Series of the selected facts: one per region, indicator, subject and unit, at most `limit`
/// of them after `after`, each with its points in time order. The statement builds the page's
/// JSON itself, points in order, so nothing is parsed and written again here.
///
/// With no text search, source or several regions, the facts are read from an index that
/// holds every column a point shows, with each series' points in time order after its key
/// (see [`Walk`]): each series' points are then one range of it, read in order. Otherwise the
/// selected facts are read first, as the list picks them, and each series' sorted.
pub async fn series(
    pool: &SqlitePool,
    reads: &Reads,
    query: &ListQuery,
    limit: i64,
    after: Option<&SeriesKey>,
) -> Result<Checked<SeriesPage>> {
    let mut conn = reads.acquire(pool, Weight::Heavy).await?;
    let named = named_ids(query);
    let row = series_query(query, limit, after, "")
        .build()
        .fetch_one(&mut *conn)
        .await?;
    let (version, absent) = missing(&named, &row.try_get::<String, _>(4)?)?;
    if !absent.is_empty() {
        return Ok(Checked::Missing(absent));
    }
    let series: String = row.try_get(0)?;
    let last: Option<String> = row.try_get(1)?;
    let found: i64 = row.try_get(2)?;
    let without_period: i64 = row.try_get(3)?;
    let next = match last {
        Some(last) if found > limit => Some(
            serde_json::from_str::<SeriesKey>(&last)
                .map_err(|e| Error::Internal(format!("series key `{last}`: {e}")))?,
        ),
        _ => None,
    };
    Ok(Checked::Answer(SeriesPage {
        version,
        points: count_points(&series),
        series,
        next,
        without_period,
    }))
}

/// The one statement a page of series takes (see [`series`]), after `prefix` (`EXPLAIN QUERY
/// PLAN ` shows how SQLite runs it).
pub fn series_query(
    query: &ListQuery,
    limit: i64,
    after: Option<&SeriesKey>,
    prefix: &str,
) -> QueryBuilder<'static, Sqlite> {
    let subject = json_object(SUBJECT);
    let mut qb = QueryBuilder::new(prefix);
    let walk = Walk::of(query);
    // `keys`: the page's series (and the one after it), in order, with their subjects; the
    // facts each series' points come from are `points` below.
    match walk {
        Walk::Picked => {
            push_picked(&mut qb, query);
            // Only the columns a point or its series shows: a fact's quote and original
            // text, which can fill pages of their own, are never read.
            qb.push(format!(
                ", facts AS MATERIALIZED (SELECT m.id, m.indicator, m.subject_type, \
                 m.subject_id, m.unit, m.region_id, m.period, m.period_start, m.period_end, \
                 m.value, m.value_max, m.qualifier, m.kind, m.source_id FROM metrics m \
                 WHERE m.id IN (SELECT id FROM picked) AND m.period IS NOT NULL), \
                 keys AS MATERIALIZED (SELECT m.*, {subject} AS subject FROM (\
                 SELECT DISTINCT {SERIES_KEY} FROM facts m WHERE 1 = 1"
            ));
            push_after(&mut qb, SERIES_KEY, after);
            qb.push(format!(" ORDER BY {SERIES_KEY} LIMIT "));
            qb.push_bind(limit + 1);
            qb.push(") m)");
        }
        _ => {
            qb.push("WITH keys AS MATERIALIZED (SELECT ");
            // The region column goes first as the walk reads it, so the keys of a region walk
            // come out in order and the page ends as soon as it is full.
            let region = walk.region();
            qb.push(format!(
                "{region} AS region_id, m.indicator, m.subject_type, m.subject_id, m.unit, \
                 {subject} AS subject"
            ));
            walk.push_from(&mut qb, query);
            qb.push(" AND m.period IS NOT NULL");
            push_after(
                &mut qb,
                &format!("{region}, m.indicator, m.subject_type, m.subject_id, m.unit"),
                after,
            );
            qb.push(" GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 LIMIT ");
            qb.push_bind(limit + 1);
            qb.push(")");
        }
    }
    // One row: the page's series as one JSON array, the key of the page's last series, how
    // many series there are up to one past the page, the facts without a period, and the data
    // version and existence checks of the named ids. Each row a statement hands back costs a
    // trip between SQLite's thread and the request's. The array is joined as text: each
    // series' points and subject are JSON already, and handing them to a JSON function would
    // parse every point again. `format` writes each series in one piece, where `||` would copy
    // its points once per piece joined after them.
    qb.push(
        " SELECT (SELECT format('[%s]', group_concat(j, ',' ORDER BY region_id, indicator, \
         subject_type, subject_id, unit)) FROM (SELECT k.*, format('{\"indicator\":%s,\
         \"points\":[%s],\"region_id\":%s,\"subject\":%s,\"unit\":%s}', \
         json_quote(k.indicator), (SELECT group_concat(p, ',') FROM (SELECT ",
    );
    qb.push(POINT);
    // A series' points: one range of the index, in order, or its facts among those selected,
    // sorted. The subquery's order reaches `group_concat`: SQLite keeps a subquery's ORDER BY
    // under an aggregate other than count, min and max.
    qb.push(match walk.index() {
        Some(index) => format!(" AS p FROM metrics m INDEXED BY {index}"),
        None => " AS p FROM facts m".to_owned(),
    });
    qb.push(format!(
        " WHERE ({SERIES_KEY}) = (k.region_id, k.indicator, k.subject_type, k.subject_id, \
         k.unit) AND m.period IS NOT NULL"
    ));
    if walk.index().is_some() {
        cells::push_conditions_but_region(&mut qb, query);
    }
    qb.push(format!(
        " ORDER BY {POINT_ORDER})), json_quote(k.region_id), k.subject, json_quote(k.unit)) \
         AS j FROM keys k ORDER BY region_id, indicator, subject_type, subject_id, unit LIMIT "
    ));
    qb.push_bind(limit);
    qb.push(
        ")), (SELECT json_array(region_id, indicator, subject_type, subject_id, unit) \
         FROM keys ORDER BY region_id, indicator, subject_type, subject_id, unit LIMIT 1 \
         OFFSET ",
    );
    qb.push_bind(limit - 1);
    qb.push("), (SELECT COUNT(*) FROM keys), (");
    // The selected facts without a period: from the figures per region when they answer the
    // filters and are current, else counted on the walk's index.
    let undated = |qb: &mut QueryBuilder<'_, Sqlite>| {
        qb.push("SELECT COUNT(*)");
        walk.push_from(qb, query);
        qb.push(" AND m.period IS NULL");
    };
    match (&walk, cells::plan(query, ["period"])) {
        (Walk::Picked, _) => {
            qb.push("SELECT (SELECT COUNT(*) FROM picked) - (SELECT COUNT(*) FROM facts)");
        }
        (Walk::Regions(_), Some(cells)) => {
            qb.push(format!(
                "SELECT CASE WHEN {} THEN (SELECT COALESCE(SUM(m.n), 0)",
                cells::FRESH
            ));
            cells::push_from(&mut qb, query, cells, Scope::Selected);
            qb.push(" AND m.period = '') ELSE (");
            undated(&mut qb);
            qb.push(") END");
        }
        _ => undated(&mut qb),
    }
    qb.push("), ");
    push_checks(&mut qb, &named_ids(query), false);
    qb
}

/// The points in a page of series as the statement wrote it: each point is the one object
/// that opens with its `kind`, and a string value cannot hold that text unescaped.
fn count_points(series: &str) -> usize {
    memchr::memmem::find_iter(series.as_bytes(), b"{\"kind\":").count()
}
