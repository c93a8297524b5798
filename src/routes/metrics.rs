//! `/v1/metrics`: the shape of a metric as the API shows it, for the OpenAPI document.
//! `db::read::metrics` builds these objects in SQL; the conformance tests hold every response
//! against this schema, so the two cannot drift apart unnoticed.

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Subject {
    /// region, enterprise, project or policy.
    #[serde(rename = "type")]
    pub type_: String,
    pub id: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Metric {
    pub id: String,
    pub indicator: String,
    /// The indicator's names, so a table of metrics reads without looking each id up.
    pub indicator_name_zh: String,
    pub indicator_name_en: String,
    pub subject: Subject,
    pub region_id: String,
    /// The region's names, beside its id for the same reason.
    pub region_name_zh: String,
    pub region_name_en: String,
    /// In the base unit, magnitudes multiplied out.
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    pub qualifier: String,
    pub kind: String,
    pub period: Option<String>,
    pub original: String,
    pub quote: String,
    /// Offset of `quote` in the source text, in characters.
    pub quote_start: i64,
    pub source_id: String,
}
