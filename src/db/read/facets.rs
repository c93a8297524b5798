//! Facets: how many of the rows a list request selects carry each value of a field, so a
//! dashboard draws its filter chips and bar charts without downloading the collection. Counts
//! are taken over every matching row (the same conditions as the page, `q` included), never a
//! page of them.

use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::ListQuery;
use super::sql::{push_matching_ids, push_with};
use crate::db::budget::{Reads, Weight};
use crate::db::error::Result;

pub const DEFAULT_FACET_SIZE: i64 = 20;
pub const MAX_FACET_SIZE: i64 = 1000;

/// A field a list can be faceted on.
#[derive(Debug)]
pub struct Facet {
    pub name: &'static str,
    /// `SELECT id, v`: each row's id with a value it carries (a row may carry several).
    relation: &'static str,
    /// The labels of a value `v`, when it names an entity.
    labels: Option<(&'static str, &'static str)>,
    /// Whether the values are region ids, which `facet_level` rolls up.
    pub region: bool,
}

const REGION_LABELS: Option<(&str, &str)> = Some((
    "(SELECT name_zh FROM regions WHERE id = v)",
    "(SELECT name_en FROM regions WHERE id = v)",
));

const fn plain(name: &'static str, relation: &'static str) -> Facet {
    Facet {
        name,
        relation,
        labels: None,
        region: false,
    }
}

const fn region(relation: &'static str) -> Facet {
    Facet {
        name: "region",
        relation,
        labels: REGION_LABELS,
        region: true,
    }
}

const REGIONS: &[Facet] = &[
    plain("level", "SELECT id, level AS v FROM regions"),
    Facet {
        name: "parent",
        relation: "SELECT id, parent_id AS v FROM regions",
        labels: REGION_LABELS,
        region: true,
    },
];

const ENTERPRISES: &[Facet] = &[
    plain("kind", "SELECT id, kind AS v FROM enterprises"),
    region("SELECT id, region_id AS v FROM enterprises"),
    plain(
        "industry",
        "SELECT enterprise_id AS id, industry AS v FROM enterprise_industries",
    ),
];

const PROJECTS: &[Facet] = &[
    plain("status", "SELECT id, status AS v FROM projects"),
    region("SELECT id, region_id AS v FROM projects"),
    Facet {
        name: "enterprise",
        relation: "SELECT project_id AS id, enterprise_id AS v FROM project_enterprises",
        labels: Some((
            "(SELECT name_zh FROM enterprises WHERE id = v)",
            "(SELECT name_en FROM enterprises WHERE id = v)",
        )),
        region: false,
    },
];

const POLICIES: &[Facet] = &[
    plain("kind", "SELECT id, kind AS v FROM policies"),
    region("SELECT id, region_id AS v FROM policies"),
];

const INDICATORS: &[Facet] = &[plain("unit", "SELECT id, unit AS v FROM indicators")];

const METRICS: &[Facet] = &[
    Facet {
        name: "indicator",
        relation: "SELECT id, indicator AS v FROM metrics",
        labels: Some((
            "(SELECT name_zh FROM indicators WHERE id = v)",
            "(SELECT name_en FROM indicators WHERE id = v)",
        )),
        region: false,
    },
    region("SELECT id, region_id AS v FROM metrics"),
    plain("unit", "SELECT id, unit AS v FROM metrics"),
    plain("qualifier", "SELECT id, qualifier AS v FROM metrics"),
    plain("kind", "SELECT id, kind AS v FROM metrics"),
    plain("period", "SELECT id, period AS v FROM metrics"),
    plain("subject_type", "SELECT id, subject_type AS v FROM metrics"),
    Facet {
        name: "subject",
        relation: "SELECT id, subject_id AS v FROM metrics",
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
        relation: "SELECT id, source_id AS v FROM metrics",
        // A source has one title, in the language it was written in.
        labels: Some((
            "(SELECT title FROM sources WHERE id = v)",
            "(SELECT title FROM sources WHERE id = v)",
        )),
        region: false,
    },
];

const SOURCES: &[Facet] = &[plain(
    "publication",
    "SELECT id, publication AS v FROM sources",
)];

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

fn facet_query(
    query: &ListQuery,
    facet: &Facet,
    request: &FacetRequest,
) -> QueryBuilder<'static, Sqlite> {
    let mut qb = QueryBuilder::new("");
    push_with(&mut qb, query);
    qb.push(", sel AS MATERIALIZED (");
    push_matching_ids(&mut qb, query);
    qb.push(format!(
        "), f AS (SELECT rel.v AS v FROM sel CROSS JOIN ({}) rel ON rel.id = sel.id \
         WHERE rel.v IS NOT NULL)",
        facet.relation
    ));
    let (label_zh, label_en) = facet.labels.unwrap_or(("NULL", "NULL"));
    qb.push(format!(
        " SELECT v, n, {label_zh} AS label_zh, {label_en} AS label_en FROM ("
    ));
    match (&request.level, facet.region) {
        (Some(level), true) => {
            // A value below the level counts for its ancestor at the level; one above it has
            // no such ancestor and is left out.
            qb.push(
                "SELECT rc.ancestor AS v, COUNT(*) AS n FROM f \
                 CROSS JOIN region_closure rc ON rc.descendant = f.v \
                 CROSS JOIN regions lr ON lr.id = rc.ancestor WHERE lr.level = ",
            );
            qb.push_bind(level.clone());
            qb.push(" GROUP BY rc.ancestor");
        }
        _ => {
            qb.push("SELECT v, COUNT(*) AS n FROM f GROUP BY v");
        }
    }
    qb.push(") ORDER BY n DESC, v LIMIT ");
    qb.push_bind(request.size + 1);
    qb
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
    let mut out = Vec::new();
    for facet in &request.facets {
        let rows = facet_query(query, facet, request)
            .build()
            .fetch_all(&mut *conn)
            .await?;
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            values.push(FacetValue {
                value: row.try_get::<String, _>(0)?,
                count: row.try_get(1)?,
                label_zh: row.try_get(2)?,
                label_en: row.try_get(3)?,
            });
        }
        let truncated = values.len() as i64 > request.size;
        values.truncate(request.size as usize);
        out.push((facet.name, FacetCounts { values, truncated }));
    }
    Ok(Facets(out))
}
