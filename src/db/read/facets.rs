//! Facets: how many of the rows a list request selects carry each value of a field, so a
//! dashboard draws its filter chips and bar charts without downloading the collection. Counts
//! are taken over every matching row (the same conditions as the page, `q` included), never a
//! page of them.

use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::ListQuery;
use super::cells::{self, Cells, Scope};
use super::sql::{push_matching_ids, push_with};
use crate::db::budget::{Reads, Weight};
use crate::db::error::{Error, Result};

pub const DEFAULT_FACET_SIZE: i64 = 20;
pub const MAX_FACET_SIZE: i64 = 1000;

/// A field a list can be faceted on.
#[derive(Debug)]
pub struct Facet {
    pub name: &'static str,
    values: Values,
    /// The labels of a value `v`, when it names an entity.
    labels: Option<(&'static str, &'static str)>,
    /// Whether the values are region ids, which `facet_level` rolls up.
    pub region: bool,
}

/// Where a facet's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    /// One value per row, a column of the collection's own table. The columns of every such
    /// facet a request asks for are read in one pass over the selected rows, so asking for a
    /// second facet does not look every row up again.
    Column {
        table: &'static str,
        column: &'static str,
    },
    /// `SELECT id, v`: each row's id with a value it carries, for fields a row may carry
    /// several of (an enterprise's industries), kept in a table of their own.
    Relation(&'static str),
}

const REGION_LABELS: Option<(&str, &str)> = Some((
    "(SELECT name_zh FROM regions WHERE id = v)",
    "(SELECT name_en FROM regions WHERE id = v)",
));

const fn column(table: &'static str, column: &'static str) -> Values {
    Values::Column { table, column }
}

const fn plain(name: &'static str, values: Values) -> Facet {
    Facet {
        name,
        values,
        labels: None,
        region: false,
    }
}

const fn region(table: &'static str) -> Facet {
    Facet {
        name: "region",
        values: column(table, "region_id"),
        labels: REGION_LABELS,
        region: true,
    }
}

const REGIONS: &[Facet] = &[
    plain("level", column("regions", "level")),
    Facet {
        name: "parent",
        values: column("regions", "parent_id"),
        labels: REGION_LABELS,
        region: true,
    },
];

const ENTERPRISES: &[Facet] = &[
    plain("kind", column("enterprises", "kind")),
    region("enterprises"),
    plain(
        "industry",
        Values::Relation("SELECT enterprise_id AS id, industry AS v FROM enterprise_industries"),
    ),
];

const PROJECTS: &[Facet] = &[
    plain("status", column("projects", "status")),
    region("projects"),
    Facet {
        name: "enterprise",
        values: Values::Relation(
            "SELECT project_id AS id, enterprise_id AS v FROM project_enterprises",
        ),
        labels: Some((
            "(SELECT name_zh FROM enterprises WHERE id = v)",
            "(SELECT name_en FROM enterprises WHERE id = v)",
        )),
        region: false,
    },
];

const POLICIES: &[Facet] = &[
    plain("kind", column("policies", "kind")),
    region("policies"),
];

const INDICATORS: &[Facet] = &[plain("unit", column("indicators", "unit"))];

const METRICS: &[Facet] = &[
    Facet {
        name: "indicator",
        values: column("metrics", "indicator"),
        labels: Some((
            "(SELECT name_zh FROM indicators WHERE id = v)",
            "(SELECT name_en FROM indicators WHERE id = v)",
        )),
        region: false,
    },
    region("metrics"),
    plain("unit", column("metrics", "unit")),
    plain("qualifier", column("metrics", "qualifier")),
    plain("kind", column("metrics", "kind")),
    plain("period", column("metrics", "period")),
    plain("subject_type", column("metrics", "subject_type")),
    Facet {
        name: "subject",
        values: column("metrics", "subject_id"),
        labels: Some((
            "COALESCE((SELECT name_zh FROM regions WHERE id = v), \
             (SELECT name_zh FROM enterprises WHERE id = v), \
             (SELECT name_zh FROM projects WHERE id = v), \
             (SELECT title_zh FROM policies WHERE id = v))",
            "COALESCE((SELECT name_en FROM regions WHERE id = v), \
             (SELECT name_en FROM enterprises WHERE id = v), \
             (SELECT name_en FROM projects WHERE id = v), \
             (SELECT title_en FROM policies WHERE id = v))",
        )),
        region: false,
    },
    Facet {
        name: "source",
        values: column("metrics", "source_id"),
        // A source has one title, in the language it was written in.
        labels: Some((
            "(SELECT title FROM sources WHERE id = v)",
            "(SELECT title FROM sources WHERE id = v)",
        )),
        region: false,
    },
];

const SOURCES: &[Facet] = &[plain("publication", column("sources", "publication"))];

/// The fields a collection can be faceted on, by its name.
pub fn facets_of(collection: &str) -> &'static [Facet] {
    match collection {
        "regions" => REGIONS,
        "enterprises" => ENTERPRISES,
        "projects" => PROJECTS,
        "policies" => POLICIES,
        "indicators" => INDICATORS,
        "metrics" => METRICS,
        "sources" => SOURCES,
        _ => &[],
    }
}

/// The facets a list request asked for.
#[derive(Debug, Default)]
pub struct FacetRequest {
    pub facets: Vec<&'static Facet>,
    pub size: i64,
    /// The region level region facets are rolled up to.
    pub level: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct FacetValue {
    pub value: String,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub struct FacetCounts {
    pub values: Vec<FacetValue>,
    /// More values than `facet_size` carry a row.
    pub truncated: bool,
}

/// One statement counting every facet a request asks for over the rows `query` selects: the
/// rows are selected once, the columns the facets read are fetched once per row, and each
/// facet's counts are one arm of a `UNION ALL`, labelled after its largest values are kept.
/// The answer is one JSON array of `[facet index, value, count, label_zh, label_en]`.
fn facets_query(query: &ListQuery, request: &FacetRequest) -> QueryBuilder<'static, Sqlite> {
    let mut qb = QueryBuilder::new("");
    match cells::plan(query, request.facets.iter().map(|f| f.name)) {
        Some(cells) => {
            qb.push(format!("SELECT CASE WHEN {} THEN (", cells::FRESH));
            push_facets_from_cells(&mut qb, query, request, cells);
            qb.push(") ELSE (");
            push_facets_of_rows(&mut qb, query, request);
            qb.push(") END");
        }
        None => push_facets_of_rows(&mut qb, query, request),
    }
    qb
}

/// Pushes the statement counting the facets over the selected rows themselves.
fn push_facets_of_rows(
    qb: &mut QueryBuilder<'static, Sqlite>,
    query: &ListQuery,
    request: &FacetRequest,
) {
    push_with(qb, query);
    qb.push(", sel AS MATERIALIZED (");
    push_matching_ids(qb, query);
    qb.push(")");
    let mut tables: Vec<&str> = Vec::new();
    for facet in &request.facets {
        if let Values::Column { table, .. } = facet.values
            && !tables.contains(&table)
        {
            tables.push(table);
        }
    }
    for (j, table) in tables.iter().enumerate() {
        let columns: Vec<String> = request
            .facets
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match f.values {
                Values::Column { table: t, column } if t == *table => {
                    Some(format!("t.{column} AS v{i}"))
                }
                _ => None,
            })
            .collect();
        qb.push(format!(
            ", rows{j} AS MATERIALIZED (SELECT {} FROM sel CROSS JOIN {table} t ON t.id = sel.id)",
            columns.join(", ")
        ));
    }
    // One row holding every count as a JSON array: each row a statement hands back costs a
    // trip between SQLite's thread and the request's, which would cost more than the counting.
    qb.push(" SELECT json_group_array(json_array(facet, v, n, label_zh, label_en)) FROM (");
    for (i, facet) in request.facets.iter().enumerate() {
        qb.push(if i == 0 { "" } else { " UNION ALL " });
        let values = match facet.values {
            Values::Column { table, .. } => {
                let j = tables.iter().position(|t| *t == table).unwrap_or(0);
                format!("SELECT v{i} AS v FROM rows{j} WHERE v{i} IS NOT NULL")
            }
            Values::Relation(relation) => format!(
                "SELECT rel.v AS v FROM sel CROSS JOIN ({relation}) rel ON rel.id = sel.id \
                 WHERE rel.v IS NOT NULL"
            ),
        };
        let level = request.level.as_deref().filter(|_| facet.region);
        push_arm(qb, request, i, facet, level, |qb| {
            qb.push(format!(
                "SELECT v, COUNT(*) AS n FROM ({values}) GROUP BY v"
            ));
        });
    }
    qb.push(")");
}

/// Pushes one facet's arm of the compound statement: the counts `push_counts` gives (columns
/// `v` and `n`, one row per value), rolled up to the region `level` when there is one, the
/// largest kept and labelled.
fn push_arm(
    qb: &mut QueryBuilder<'static, Sqlite>,
    request: &FacetRequest,
    i: usize,
    facet: &Facet,
    level: Option<&str>,
    push_counts: impl FnOnce(&mut QueryBuilder<'static, Sqlite>),
) {
    let (label_zh, label_en) = facet.labels.unwrap_or(("NULL", "NULL"));
    qb.push(format!(
        "SELECT * FROM (SELECT {i} AS facet, v, n, {label_zh} AS label_zh, \
         {label_en} AS label_en FROM (SELECT v, n FROM ("
    ));
    match level {
        Some(level) => {
            // A value below the level counts for its ancestor at the level; one above it has
            // no such ancestor and is left out.
            qb.push("SELECT rc.ancestor AS v, SUM(f.n) AS n FROM (");
            push_counts(qb);
            qb.push(
                ") f CROSS JOIN region_closure rc ON rc.descendant = f.v \
                 WHERE rc.ancestor_level = ",
            );
            qb.push_bind(level.to_owned());
            qb.push(" GROUP BY rc.ancestor");
        }
        None => push_counts(qb),
    }
    qb.push(") ORDER BY n DESC, v LIMIT ");
    qb.push_bind(request.size + 1);
    qb.push("))");
}

/// The same answer as [`facets_query`], added up from the figures kept per region (see
/// `cells`): each arm sums the counts of the cells the request selects, from the smaller
/// table when neither the arm nor the filters look at the period.
fn push_facets_from_cells(
    qb: &mut QueryBuilder<'static, Sqlite>,
    query: &ListQuery,
    request: &FacetRequest,
    all: Cells,
) {
    qb.push("SELECT json_group_array(json_array(facet, v, n, label_zh, label_en)) FROM (");
    for (i, facet) in request.facets.iter().enumerate() {
        qb.push(if i == 0 { "" } else { " UNION ALL " });
        let cells = cells::plan(query, [facet.name]).unwrap_or(all);
        // A region rolled up to a level counts the cells of each region at that level (and
        // the selection's own, once for each region at that level above it), not every
        // region's own facts.
        let scopes = match (facet.region, request.level.as_deref()) {
            (true, Some(level)) => vec![Scope::AtLevel(level), Scope::Up(level)],
            (true, None) => vec![Scope::Own],
            (false, _) => vec![Scope::Selected],
        };
        push_arm(qb, request, i, facet, None, |qb| {
            qb.push("SELECT v, SUM(n) AS n FROM (");
            for (j, scope) in scopes.into_iter().enumerate() {
                let (v, present) = if facet.region {
                    (scope.region(), "1")
                } else {
                    cells::facet_value(facet.name)
                };
                qb.push(if j == 0 { "" } else { " UNION ALL " });
                qb.push(format!("SELECT {v} AS v, SUM(m.n) AS n"));
                cells::push_from(qb, query, cells, scope);
                qb.push(format!(" AND {present} GROUP BY {v}"));
            }
            qb.push(") GROUP BY v");
        });
    }
    qb.push(")");
}

/// The facets of one answer, in the order asked, serialized as one object keyed by field.
#[derive(Debug)]
pub struct Facets(pub Vec<(&'static str, FacetCounts)>);

impl Serialize for Facets {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, counts) in &self.0 {
            map.serialize_entry(name, counts)?;
        }
        map.end()
    }
}

/// Counts each requested facet over the rows `query` selects, in the order asked.
pub async fn fetch_facets(
    pool: &SqlitePool,
    reads: &Reads,
    query: &ListQuery,
    request: &FacetRequest,
) -> Result<Facets> {
    let mut conn = reads.acquire(pool, Weight::Heavy).await?;
    let counts: String = facets_query(query, request)
        .build()
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    type Counted = (
        usize,
        serde_json::Value,
        i64,
        Option<String>,
        Option<String>,
    );
    let counted: Vec<Counted> =
        serde_json::from_str(&counts).map_err(|e| Error::Internal(format!("facet counts: {e}")))?;
    let mut values: Vec<Vec<FacetValue>> = request.facets.iter().map(|_| Vec::new()).collect();
    for (i, value, count, label_zh, label_en) in counted {
        if let Some(facet) = values.get_mut(i) {
            facet.push(FacetValue {
                value: match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                },
                count,
                label_zh,
                label_en,
            });
        }
    }
    let mut out = Vec::with_capacity(values.len());
    for (facet, mut values) in request.facets.iter().zip(values) {
        // Arms of a compound statement come back in no promised order, nor do their rows.
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let truncated = values.len() as i64 > request.size;
        values.truncate(request.size as usize);
        out.push((facet.name, FacetCounts { values, truncated }));
    }
    Ok(Facets(out))
}
