//! `/v1/policies`: plans, opinions, measure packages, campaigns, rules and slogans.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use super::list::{KeyType, Resource, SortSpec, push_region_subtree};
use super::params::{FilterKind, FilterSpec, FilterValue};
use super::regions::REGION_EXISTS;
use crate::bundle::model::POLICY_KINDS;
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Policy {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub region_id: Option<String>,
    /// Partial ISO date.
    pub issued: Option<String>,
    /// plan, opinion, measures, action, regulation or slogan.
    pub kind: String,
    pub summary: Option<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}

impl Resource for Policy {
    type Item = Self;
    const COLLECTION: &'static str = "policies";
    const NOUN: &'static str = "policy";
    const COLUMNS: &'static str = "po.id, po.title_zh, po.title_en, po.region_id, po.issued, po.kind, po.summary, po.defined_by";
    const FROM: &'static str = "policies po";
    const ID: &'static str = "po.id";
    const DOC: &'static DocKind = &search_index::POLICY;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "po.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "issued",
            expr: "COALESCE(po.issued, '')",
            key: KeyType::Text,
        },
        SortSpec {
            name: "title_en",
            expr: "po.title_en",
            key: KeyType::Text,
        },
        SortSpec {
            name: "kind",
            expr: "po.kind",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "kind",
            kind: FilterKind::Enum(POLICY_KINDS),
            doc: "Policies of this kind.",
        },
        FilterSpec {
            name: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Policies of this region or any region below it.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "title_zh",
        "title_en",
        "region_id",
        "issued",
        "kind",
        "summary",
        "defined_by",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        match name {
            "kind" => {
                qb.push(" AND po.kind = ").push_bind(value.text());
            }
            "region" => push_region_subtree(qb, "po.region_id", value.text()),
            _ => {}
        }
    }
}
