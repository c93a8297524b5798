//! `/v1/search`: one text search across every collection; the shape of a hit for the OpenAPI
//! document (`db::read::search` finds and builds them).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// The collection: region, enterprise, project, policy, indicator, source or metric.
    #[serde(rename = "type")]
    pub type_: String,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The matched text around the first match.
    pub snippet: String,
}
