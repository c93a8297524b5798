//! `/v1/policies`: the shape of a policy as the API shows it, for the OpenAPI document
//! (`db::read::policies` builds it).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
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
