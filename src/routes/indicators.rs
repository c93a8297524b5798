//! `/v1/indicators`: the vocabulary metrics use, each with the one unit it is measured in.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, Resource, SortSpec};
use super::params::{FilterKind, FilterSpec, FilterValue};
use crate::bundle::model::UNITS;
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Indicator {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    pub description: Option<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}

pub const INDICATOR_EXISTS: &str = "SELECT 1 FROM indicators WHERE id = ?";

impl Resource for Indicator {
    type Item = Self;
    const COLLECTION: &'static str = "indicators";
    const NOUN: &'static str = "indicator";
    const COLUMNS: &'static str = "i.id, i.name_zh, i.name_en, i.unit, i.description, i.defined_by";
    const FROM: &'static str = "indicators i";
    const ID: &'static str = "i.id";
    const DOC: &'static DocKind = &search_index::INDICATOR;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "i.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_en",
            expr: "i.name_en",
            key: KeyType::Text,
        },
        SortSpec {
            name: "unit",
            expr: "i.unit",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[FilterSpec {
        name: "unit",
        kind: FilterKind::Enum(UNITS),
        doc: "Indicators measured in this unit.",
    }];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name_zh",
        "name_en",
        "unit",
        "description",
        "defined_by",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        if name == "unit" {
            qb.push(" AND i.unit = ").push_bind(value.text());
        }
    }
}
