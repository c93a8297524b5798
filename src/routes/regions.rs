//! `/v1/regions`: the shape of a region as the API shows it, for the OpenAPI document
//! (`db::read::regions` builds it).

use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// country, province, prefecture, county, district, subdistrict or zone.
    pub level: String,
    pub parent_id: Option<String>,
    /// Six-digit GB/T 2260 code; null for zones.
    pub admin_code: Option<String>,
    pub aliases: Vec<String>,
    /// The source whose bundle last wrote this entity's fields; null when that source was
    /// deleted (the entity stays as it was) or the entity predates this record.
    pub defined_by: Option<String>,
    /// The ids of the region's ancestors from the country down (`["china", "gansu"]` for
    /// Jinchang); empty for the country.
    pub path: Vec<String>,
}
