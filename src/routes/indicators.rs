//! `/v1/indicators`: the shape of an indicator as the API shows it, for the OpenAPI document
//! (`db::read::indicators` builds it).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
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
