//! `metrics`: one number stated in an article, with its unit, bound, period and quote.

use sqlx::{QueryBuilder, Sqlite};

use super::sql::push_matching;
use super::text;
use super::{Collection, Field, Filter, FilterKind, KeyType, Keyed, Rows, Search, Shape, Sort};
use crate::bundle::model::{METRIC_KINDS, QUALIFIERS, SUBJECT_TYPES, UNITS};
use crate::db::search_index;
use crate::fts::Term;

pub const REGION_EXISTS: &str = "EXISTS (SELECT 1 FROM regions WHERE id = ?)";
pub const INDICATOR_EXISTS: &str = "EXISTS (SELECT 1 FROM indicators WHERE id = ?)";
pub const SOURCE_EXISTS: &str = "EXISTS (SELECT 1 FROM sources WHERE id = ?)";
pub const ENTERPRISE_EXISTS: &str = "EXISTS (SELECT 1 FROM enterprises WHERE id = ?)";
const SUBJECT_EXISTS: &str = "EXISTS (SELECT 1 FROM regions WHERE id = ?) \
    OR EXISTS (SELECT 1 FROM enterprises WHERE id = ?) \
    OR EXISTS (SELECT 1 FROM projects WHERE id = ?) \
    OR EXISTS (SELECT 1 FROM policies WHERE id = ?)";

/// The subject's names come from the `*_names` indexes alone (migration `0005`): SQLite
/// would pick the unique index on `id` and then read the row, a second lookup for each name
/// of each metric on a page.
pub const SUBJECT: &[Field] = &[
    Field {
        name: "type",
        sql: "m.subject_type",
        shape: Shape::Text,
    },
    Field {
        name: "id",
        sql: "m.subject_id",
        shape: Shape::Text,
    },
    Field {
        name: "name_zh",
        sql: "CASE m.subject_type \
            WHEN 'region' THEN (SELECT name_zh FROM regions INDEXED BY regions_names WHERE id = m.subject_id) \
            WHEN 'enterprise' THEN (SELECT name_zh FROM enterprises INDEXED BY enterprises_names WHERE id = m.subject_id) \
            WHEN 'project' THEN (SELECT name_zh FROM projects INDEXED BY projects_names WHERE id = m.subject_id) \
            WHEN 'policy' THEN (SELECT title_zh FROM policies INDEXED BY policies_names WHERE id = m.subject_id) END",
        shape: Shape::Text,
    },
    Field {
        name: "name_en",
        sql: "CASE m.subject_type \
            WHEN 'region' THEN (SELECT name_en FROM regions INDEXED BY regions_names WHERE id = m.subject_id) \
            WHEN 'enterprise' THEN (SELECT name_en FROM enterprises INDEXED BY enterprises_names WHERE id = m.subject_id) \
            WHEN 'project' THEN (SELECT name_en FROM projects INDEXED BY projects_names WHERE id = m.subject_id) \
            WHEN 'policy' THEN (SELECT title_en FROM policies INDEXED BY policies_names WHERE id = m.subject_id) END",
        shape: Shape::Text,
    },
];

pub const METRICS: Collection = Collection {
    name: "metrics",
    noun: "metric",
    rows: Rows::Table {
        from: "metrics m",
        id: "m.id",
        keyed: Some(Keyed {
            table: "metric_regions a",
            id: "a.id",
            by: "region",
        }),
    },
    carry: &[],
    fields: &[
        text("id", "m.id"),
        text("indicator", "m.indicator"),
        text(
            "indicator_name_zh",
            "(SELECT name_zh FROM indicators WHERE id = m.indicator)",
        ),
        text(
            "indicator_name_en",
            "(SELECT name_en FROM indicators WHERE id = m.indicator)",
        ),
        Field {
            name: "subject",
            sql: "",
            shape: Shape::Object(SUBJECT),
        },
        text("region_id", "m.region_id"),
        // From the covering index, as the subject's names are (see `SUBJECT`).
        text(
            "region_name_zh",
            "(SELECT name_zh FROM regions INDEXED BY regions_names WHERE id = m.region_id)",
        ),
        text(
            "region_name_en",
            "(SELECT name_en FROM regions INDEXED BY regions_names WHERE id = m.region_id)",
        ),
        Field {
            name: "value",
            sql: "m.value",
            shape: Shape::Number,
        },
        Field {
            name: "value_max",
            sql: "m.value_max",
            shape: Shape::Number,
        },
        text("unit", "m.unit"),
        text("qualifier", "m.qualifier"),
        text("kind", "m.kind"),
        text("period", "m.period"),
        text("original", "m.original"),
        text("quote", "m.quote"),
        Field {
            name: "quote_start",
            sql: "m.quote_start",
            shape: Shape::Integer,
        },
        text("source_id", "m.source_id"),
    ],
    detail: &[],
    sorts: &[
        Sort {
            name: "id",
            expr: "m.id",
            key: KeyType::Text,
            keyed: Some("a.id"),
        },
        Sort {
            name: "value",
            expr: "m.value",
            key: KeyType::Number,
            keyed: Some("a.value"),
        },
        Sort {
            name: "period",
            expr: "COALESCE(m.period, '')",
            key: KeyType::Text,
            keyed: None,
        },
        Sort {
            name: "indicator",
            expr: "m.indicator",
            key: KeyType::Text,
            keyed: Some("a.indicator"),
        },
    ],
    filters: &[
        Filter {
            param: "indicator",
            kind: FilterKind::Ref(INDICATOR_EXISTS),
            doc: "Metrics of this indicator.",
            sql: "m.indicator = ?",
            keyed: Some("a.indicator = ?"),
        },
        Filter {
            param: "subject_type",
            kind: FilterKind::Enum(SUBJECT_TYPES),
            doc: "Metrics whose subject is of this type.",
            sql: "m.subject_type = ?",
            keyed: None,
        },
        Filter {
            param: "subject",
            kind: FilterKind::Ref(SUBJECT_EXISTS),
            doc: "Metrics about this region, enterprise, project or policy (by id).",
            sql: "m.subject_id = ?",
            keyed: None,
        },
        Filter {
            param: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Metrics of this region or any region below it.",
            sql: "m.region_id IN (SELECT descendant FROM region_closure WHERE ancestor = ?)",
            keyed: Some("a.ancestor = ?"),
        },
        Filter {
            param: "unit",
            kind: FilterKind::Enum(UNITS),
            doc: "Metrics in this unit.",
            sql: "m.unit = ?",
            keyed: None,
        },
        Filter {
            param: "qualifier",
            kind: FilterKind::Enum(QUALIFIERS),
            doc: "Metrics bounded this way.",
            sql: "m.qualifier = ?",
            keyed: None,
        },
        Filter {
            param: "kind",
            kind: FilterKind::Enum(METRIC_KINDS),
            doc: "Metrics of this kind.",
            sql: "m.kind = ?",
            keyed: None,
        },
        Filter {
            param: "period",
            kind: FilterKind::Period,
            doc: "Metrics of this period; a year also matches its months and days.",
            // Every period this matches spans the same years, so the years narrow the search
            // through their index without changing what matches.
            sql: "m.period_from = ? AND m.period_to = ? AND (m.period = ? OR m.period LIKE ?)",
            keyed: None,
        },
        Filter {
            param: "from",
            kind: FilterKind::Year,
            doc: "Metrics whose period ends in or after this year.",
            sql: "m.period_to >= ?",
            keyed: None,
        },
        Filter {
            param: "to",
            kind: FilterKind::Year,
            doc: "Metrics whose period starts in or before this year.",
            sql: "m.period_from <= ?",
            keyed: None,
        },
        Filter {
            param: "min",
            kind: FilterKind::Number,
            doc: "Metrics with value at least this.",
            sql: "m.value >= ?",
            keyed: Some("a.value >= ?"),
        },
        Filter {
            param: "max",
            kind: FilterKind::Number,
            doc: "Metrics with value at most this.",
            sql: "m.value <= ?",
            keyed: Some("a.value <= ?"),
        },
        Filter {
            param: "source",
            kind: FilterKind::Ref(SOURCE_EXISTS),
            doc: "Metrics taken from this source.",
            sql: "m.source_id = ?",
            keyed: None,
        },
    ],
    search: Search::Custom(push_search),
    requires_q: false,
};

/// A metric matches by its quote, its indicator's names or its subject's names.
fn push_search(qb: &mut QueryBuilder<'_, Sqlite>, id: &str, term: &Term) {
    qb.push(format!(" AND {id} IN ("));
    push_quote_or_indicator_ids(qb, term);
    for kind in [
        &search_index::REGION,
        &search_index::ENTERPRISE,
        &search_index::PROJECT,
        &search_index::POLICY,
    ] {
        qb.push(format!(
            " UNION ALL SELECT id FROM metrics WHERE subject_type = '{}' AND subject_id IN (",
            kind.kind
        ));
        push_matching(qb, kind, term);
        qb.push(")");
    }
    qb.push(")");
}

/// Pushes a subquery of the ids of metrics whose quote or indicator's names match: what
/// `/v1/search` looks at, which leaves out the subject so a place's name does not list every
/// number about the place. One set of ids, so the outer query looks each up by primary key
/// rather than testing every metric against several conditions.
pub fn push_quote_or_indicator_ids(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
    push_matching(qb, &search_index::METRIC, term);
    qb.push(" UNION ALL SELECT id FROM metrics WHERE indicator IN (");
    push_matching(qb, &search_index::INDICATOR, term);
    qb.push(")");
}
