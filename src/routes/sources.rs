//! `/v1/sources`: the shapes of a source as the API shows it, for the OpenAPI document
//! (`db::read::sources` builds them); the single item adds the full text quotes point into.

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publication: String,
    /// Partial ISO date.
    pub published: Option<String>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    /// Metrics taken from this source.
    pub metric_count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceDetail {
    #[serde(flatten)]
    pub source: Source,
    /// The article as printed; `quote_start` of a metric counts characters into it.
    pub text: String,
}
