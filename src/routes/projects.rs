//! `/v1/projects`: investment and construction projects with the enterprises behind them.

use serde::Serialize;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};

use super::enterprises::ENTERPRISE_EXISTS;
use super::list::{KeyType, Resource, SortSpec, push_region_subtree};
use super::params::{FilterKind, FilterSpec, FilterValue};
use super::regions::REGION_EXISTS;
use crate::bundle::model::PROJECT_STATUSES;
use crate::db::search_index::{self, DocKind};

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Project {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub region_id: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub enterprise_ids: Json<Vec<String>>,
    /// planned, under_construction, operating, completed or unknown.
    pub status: String,
    /// Partial ISO date.
    pub started: Option<String>,
    pub description: Option<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}

impl Resource for Project {
    type Item = Self;
    const COLLECTION: &'static str = "projects";
    const NOUN: &'static str = "project";
    const COLUMNS: &'static str = "p.id, p.name_zh, p.name_en, p.region_id, \
        (SELECT json_group_array(enterprise_id) FROM \
           (SELECT enterprise_id FROM project_enterprises WHERE project_id = p.id ORDER BY position)) AS enterprise_ids, \
        p.status, p.started, p.description, p.defined_by";
    const FROM: &'static str = "projects p";
    const ID: &'static str = "p.id";
    const DOC: &'static DocKind = &search_index::PROJECT;
    const SORTS: &'static [SortSpec] = &[
        SortSpec {
            name: "id",
            expr: "p.id",
            key: KeyType::Text,
        },
        SortSpec {
            name: "name_en",
            expr: "p.name_en",
            key: KeyType::Text,
        },
        SortSpec {
            name: "started",
            expr: "COALESCE(p.started, '')",
            key: KeyType::Text,
        },
        SortSpec {
            name: "status",
            expr: "p.status",
            key: KeyType::Text,
        },
    ];
    const FILTERS: &'static [FilterSpec] = &[
        FilterSpec {
            name: "status",
            kind: FilterKind::Enum(PROJECT_STATUSES),
            doc: "Projects in this status.",
        },
        FilterSpec {
            name: "region",
            kind: FilterKind::Ref(REGION_EXISTS),
            doc: "Projects in this region or any region below it.",
        },
        FilterSpec {
            name: "enterprise",
            kind: FilterKind::Ref(ENTERPRISE_EXISTS),
            doc: "Projects this enterprise takes part in.",
        },
    ];
    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name_zh",
        "name_en",
        "region_id",
        "enterprise_ids",
        "status",
        "started",
        "description",
        "defined_by",
    ];

    fn push_filter(qb: &mut QueryBuilder<'_, Sqlite>, name: &str, value: &FilterValue) {
        match name {
            "status" => {
                qb.push(" AND p.status = ").push_bind(value.text());
            }
            "region" => push_region_subtree(qb, "p.region_id", value.text()),
            "enterprise" => {
                qb.push(" AND p.id IN (SELECT project_id FROM project_enterprises WHERE enterprise_id = ")
                    .push_bind(value.text())
                    .push(")");
            }
            _ => {}
        }
    }
}
