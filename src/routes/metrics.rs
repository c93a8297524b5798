//! `/v1/metrics`: one number stated in an article, with its unit, bound, period and quote.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use super::indicators::INDICATOR_EXISTS;
use super::list::{KeyType, Resource, SortSpec, push_matching, push_region_subtree};
use super::params::{FilterKind, FilterSpec, FilterValue};
use super::regions::REGION_EXISTS;
use super::sources::SOURCE_EXISTS;
use crate::bundle::dates::period_years;
use crate::bundle::model::{METRIC_KINDS, QUALIFIERS, SUBJECT_TYPES, UNITS};
use crate::db::search_index::{self, DocKind};
use crate::fts::Term;

pub use crate::bundle::model::number as json_number;
use crate::bundle::model::optional_number as json_number_opt;

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Subject {
    /// region, enterprise, project or policy.
    #[serde(rename = "type")]
    #[sqlx(rename = "subject_type")]
    pub type_: String,
    #[sqlx(rename = "subject_id")]
    pub id: String,
    #[sqlx(rename = "subject_name_zh")]
    pub name_zh: Option<String>,
    #[sqlx(rename = "subject_name_en")]
    pub name_en: Option<String>,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Metric {
    pub id: String,
    pub indicator: String,
    #[sqlx(flatten)]
    pub subject: Subject,
    pub region_id: String,
    /// In the base unit, magnitudes multiplied out.
    #[serde(serialize_with = "json_number")]
    pub value: f64,
    #[serde(serialize_with = "json_number_opt")]
    pub value_max: Option<f64>,
    pub unit: String,
    pub qualifier: String,
    pub kind: String,
    pub period: Option<String>,
    pub original: String,
    pub quote: String,
    /// Offset of `quote` in the source text, in characters.
    pub quote_start: i64,
    pub source_id: String,
}

pub const SUBJECT_EXISTS: &str = "SELECT 1 FROM (SELECT id FROM regions UNION ALL SELECT id FROM enterprises \
    UNION ALL SELECT id FROM projects UNION ALL SELECT id FROM policies) WHERE id = ? LIMIT 1";

impl Resource for Metric {
    type Item = Self;
    const COLLECTION: &'static str = "metrics";
    const NOUN: &'static str = "metric";
    const COLUMNS: &'static str = "m.id, m.indicator, m.subject_type, m.subject_id, \
        COALESCE(sr.name_zh, se.name_zh, sp.name_zh, so.title_zh) AS subject_name_zh, \
        COALESCE(sr.name_en, se.name_en, sp.name_en, so.title_en) AS subject_name_en, \
        m.region_id, m.value, m.value_max, m.unit, m.qualifier, m.kind, m.period, m.original, m.quote, \
        m.quote_start, m.source_id";
    const FROM: &'static str = "metrics m \
        LEFT JOIN regions sr ON m.subject_type = 'region' AND sr.id = m.subject_id \
        LEFT JOIN enterprises se ON m.subject_type = 'enterprise' AND se.id = m.subject_id \
        LEFT JOIN projects sp ON m.subject_type = 'project' AND sp.id = m.subject_id \
        LEFT JOIN policies so ON m.subject_type = 'policy' AND so.id = m.subject_id";
    const COUNT_FROM: &'static str = "metrics m";
    const ID: &'static str = "m.id";
    const DOC: &'static DocKind = &search_index::METRIC;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "m.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "value",
            expr: "m.value",
            key: KeyType::Number,
        },
        SortSpec {
            name: "period",
            expr: "COALESCE(m.period, '')",
            key: KeyType::Text,
        },
        SortSpec {
            name: "indicator",
            expr: "m.indicator",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "indicator",
            kind: FilterKind::Ref(INDICATOR_EXISTS),
            doc: "Metrics of this indicator.",
        },
        FilterSpec {
            name: "subject_type",
            kind: FilterKind::Enum(SUBJECT_TYPES),
            doc: "Metrics whose subject is of this type.",
        },
        FilterSpec {
            name: "subject",
            kind: FilterKind::Ref(SUBJECT_EXISTS),
            doc: "Metrics about this region, enterprise, project or policy (by id).",
        },
        FilterSpec {
            name: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Metrics of this region or any region below it.",
        },
        FilterSpec {
            name: "unit",
            kind: FilterKind::Enum(UNITS),
            doc: "Metrics in this unit.",
        },
        FilterSpec {
            name: "qualifier",
            kind: FilterKind::Enum(QUALIFIERS),
            doc: "Metrics bounded this way.",
        },
        FilterSpec {
            name: "kind",
            kind: FilterKind::Enum(METRIC_KINDS),
            doc: "Metrics of this kind.",
        },
        FilterSpec {
            name: "period",
            kind: FilterKind::Period,
            doc: "Metrics of this period; a year also matches its months and days.",
        },
        FilterSpec {
            name: "from",
            kind: FilterKind::Year,
            doc: "Metrics whose period ends in or after this year.",
        },
        FilterSpec {
            name: "to",
            kind: FilterKind::Year,
            doc: "Metrics whose period starts in or before this year.",
        },
        FilterSpec {
            name: "min",
            kind: FilterKind::Number,
            doc: "Metrics with value at least this.",
        },
        FilterSpec {
            name: "max",
            kind: FilterKind::Number,
            doc: "Metrics with value at most this.",
        },
        FilterSpec {
            name: "source",
            kind: FilterKind::Ref(SOURCE_EXISTS),
            doc: "Metrics taken from this source.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "indicator",
        "subject_type",
        "subject_id",
        "subject_name_zh",
        "subject_name_en",
        "region_id",
        "value",
        "value_max",
        "unit",
        "qualifier",
        "kind",
        "period",
        "original",
        "quote",
        "quote_start",
        "source_id",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        let column = match name {
            "indicator" => "m.indicator",
            "subject_type" => "m.subject_type",
            "subject" => "m.subject_id",
            "unit" => "m.unit",
            "qualifier" => "m.qualifier",
            "kind" => "m.kind",
            "source" => "m.source_id",
            "region" => return push_region_subtree(qb, "m.region_id", value.text()),
            "period" => {
                let period = value.text();
                // Every period this matches spans the same years, so the years narrow the
                // search through their index without changing what matches.
                if let Some((from, to)) = period_years(&period) {
                    qb.push(" AND m.period_from = ")
                        .push_bind(i64::from(from))
                        .push(" AND m.period_to = ")
                        .push_bind(i64::from(to));
                }
                qb.push(" AND (m.period = ").push_bind(period.clone());
                qb.push(" OR m.period LIKE ")
                    .push_bind(format!("{period}-%"))
                    .push(")");
                return;
            }
            "from" => {
                qb.push(" AND m.period_to >= ")
                    .push_bind(value.number() as i64);
                return;
            }
            "to" => {
                qb.push(" AND m.period_from <= ")
                    .push_bind(value.number() as i64);
                return;
            }
            "min" => {
                qb.push(" AND m.value >= ").push_bind(value.number());
                return;
            }
            "max" => {
                qb.push(" AND m.value <= ").push_bind(value.number());
                return;
            }
            _ => return,
        };
        qb.push(format!(" AND {column} = ")).push_bind(value.text());
    }

    /// A metric matches by its quote, its indicator's names or its subject's names.
    fn push_search(qb: &mut QueryBuilder<'_, Sqlite>, term: &Term) {
        qb.push(" AND m.id IN (");
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
