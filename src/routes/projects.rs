//! `/v1/projects`: the shape of a project as the API shows it, for the OpenAPI document
//! (`db::read::projects` builds it).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub region_id: Option<String>,
    pub enterprise_ids: Vec<String>,
    /// planned, under_construction, operating, completed or unknown.
    pub status: String,
    /// Partial ISO date.
    pub started: Option<String>,
    pub description: Option<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}
