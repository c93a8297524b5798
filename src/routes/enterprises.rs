//! `/v1/enterprises`: companies, research institutes, universities, associations and
//! government bodies the articles name.

use serde::Serialize;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, Resource, SortSpec, push_region_subtree};
use super::params::{FilterKind, FilterSpec, FilterValue};
use super::regions::REGION_EXISTS;
use crate::bundle::model::ENTERPRISE_KINDS;
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// company, research_institute, university, association or government.
    pub kind: String,
    pub region_id: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub industries: Json<Vec<String>>,
    #[schema(value_type = Vec<String>)]
    pub aliases: Json<Vec<String>>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}

pub const ENTERPRISE_EXISTS: &str = "SELECT 1 FROM enterprises WHERE id = ?";

impl Resource for Enterprise {
    type Item = Self;
    const COLLECTION: &'static str = "enterprises";
    const NOUN: &'static str = "enterprise";
    const COLUMNS: &'static str = "e.id, e.name_zh, e.name_en, e.kind, e.region_id, \
        (SELECT json_group_array(industry) FROM enterprise_industries WHERE enterprise_id = e.id) AS industries, \
        (SELECT json_group_array(alias) FROM enterprise_aliases WHERE enterprise_id = e.id) AS aliases, e.defined_by";
    const FROM: &'static str = "enterprises e";
    const ID: &'static str = "e.id";
    const DOC: &'static DocKind = &search_index::ENTERPRISE;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "e.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_en",
            expr: "e.name_en",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_zh",
            expr: "e.name_zh",
            key: KeyType::Text,
        },
        SortSpec {
            name: "kind",
            expr: "e.kind",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "kind",
            kind: FilterKind::Enum(ENTERPRISE_KINDS),
            doc: "Enterprises of this kind.",
        },
        FilterSpec {
            name: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Enterprises based in this region or any region below it.",
        },
        FilterSpec {
            name: "industry",
            kind: FilterKind::Tag,
            doc: "Enterprises tagged with this industry.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name_zh",
        "name_en",
        "kind",
        "region_id",
        "industries",
        "aliases",
        "defined_by",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        match name {
            "kind" => {
                qb.push(" AND e.kind = ").push_bind(value.text());
            }
            "region" => push_region_subtree(qb, "e.region_id", value.text()),
            "industry" => {
                qb.push(" AND e.id IN (SELECT enterprise_id FROM enterprise_industries WHERE industry = ")
                    .push_bind(value.text())
                    .push(")");
            }
            _ => {}
        }
    }
}
