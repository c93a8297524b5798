//! `/v1/sources`: the articles; the single item adds the full text quotes point into.

use serde::Serialize;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, Resource, SortSpec};
use super::params::{FilterKind, FilterSpec, FilterValue};
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publication: String,
    /// Partial ISO date.
    pub published: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub authors: Json<Vec<String>>,
    pub url: Option<String>,
    /// Metrics taken from this source.
    pub metric_count: i64,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SourceDetail {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub source: Source,
    /// The article as printed; `quote_start` of a metric counts characters into it.
    pub text: String,
}

pub const SOURCE_EXISTS: &str = "SELECT 1 FROM sources WHERE id = ?";

impl Resource for Source {
    type Item = SourceDetail;
    const COLLECTION: &'static str = "sources";
    const NOUN: &'static str = "source";
    const COLUMNS: &'static str = "s.id, s.title, s.publication, s.published, s.authors, s.url, \
        (SELECT COUNT(*) FROM metrics WHERE source_id = s.id) AS metric_count";
    const ITEM_COLUMNS: &'static str = "s.id, s.title, s.publication, s.published, s.authors, s.url, \
        (SELECT COUNT(*) FROM metrics WHERE source_id = s.id) AS metric_count, s.text";
    const FROM: &'static str = "sources s";
    const ID: &'static str = "s.id";
    const DOC: &'static DocKind = &search_index::SOURCE;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "s.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "published",
            expr: "COALESCE(s.published, '')",
            key: KeyType::Text,
        },
        SortSpec {
            name: "title",
            expr: "s.title",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "publication",
            kind: FilterKind::Text,
            doc: "Sources of this publication, such as 科技日报.",
        },
        FilterSpec {
            name: "author",
            kind: FilterKind::Text,
            doc: "Sources with this person among their authors.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "title",
        "publication",
        "published",
        "authors",
        "url",
        "metric_count",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        match name {
            "publication" => {
                qb.push(" AND s.publication = ").push_bind(value.text());
            }
            "author" => {
                qb.push(" AND EXISTS (SELECT 1 FROM json_each(s.authors) WHERE value = ")
                    .push_bind(value.text())
                    .push(")");
            }
            _ => {}
        }
    }
}
