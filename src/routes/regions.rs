//! `/v1/regions`: the administrative hierarchy from country down to industrial zones.

use serde::Serialize;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, Resource, SortSpec, push_region_subtree};
use super::params::{FilterKind, FilterSpec, FilterValue};
use crate::bundle::model::REGION_LEVELS;
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Region {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// country, province, prefecture, county, district, subdistrict or zone.
    pub level: String,
    pub parent_id: Option<String>,
    /// Six-digit GB/T 2260 code; null for zones.
    pub admin_code: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub aliases: Json<Vec<String>>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}

pub const REGION_EXISTS: &str = "SELECT 1 FROM regions WHERE id = ?";

impl Resource for Region {
    type Item = Self;
    const COLLECTION: &'static str = "regions";
    const NOUN: &'static str = "region";
    const COLUMNS: &'static str = "r.id, r.name_zh, r.name_en, r.level, r.parent_id, r.admin_code, \
        (SELECT json_group_array(alias) FROM region_aliases WHERE region_id = r.id) AS aliases, r.defined_by";
    const FROM: &'static str = "regions r";
    const ID: &'static str = "r.id";
    const DOC: &'static DocKind = &search_index::REGION;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "r.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_en",
            expr: "r.name_en",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_zh",
            expr: "r.name_zh",
            key: KeyType::Text,
        },
        SortSpec {
            name: "admin_code",
            expr: "COALESCE(r.admin_code, '')",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "level",
            kind: FilterKind::Enum(REGION_LEVELS),
            doc: "Regions of this level.",
        },
        FilterSpec {
            name: "parent",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Direct children of this region.",
        },
        FilterSpec {
            name: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "This region and every region below it.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name_zh",
        "name_en",
        "level",
        "parent_id",
        "admin_code",
        "aliases",
        "defined_by",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        match name {
            "level" => {
                qb.push(" AND r.level = ").push_bind(value.text());
            }
            "parent" => {
                qb.push(" AND r.parent_id = ").push_bind(value.text());
            }
            "region" => push_region_subtree(qb, "r.id", value.text()),
            _ => {}
        }
    }
}
