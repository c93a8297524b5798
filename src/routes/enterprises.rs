//! `/v1/enterprises`: the shape of an enterprise as the API shows it, for the OpenAPI document
//! (`db::read::enterprises` builds it).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enterprise {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// company, research_institute, university, association or government.
    pub kind: String,
    pub region_id: Option<String>,
    pub industries: Vec<String>,
    pub aliases: Vec<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
}
