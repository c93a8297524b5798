//! The bundle format (docs/bundles.md): what a client sends, field for field.
//! Every struct rejects unknown fields so a typo never drops data silently; the same structs
//! write bundles (drafts) back out, so what is written is what is read, and checks that apply
//! to every text field can walk them all.

use serde::{Deserialize, Serialize, Serializer};

/// Whole numbers are written without a fraction, as the seed and the API write them.
pub fn number<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    match crate::quantity::whole(*value) {
        Some(n) => s.serialize_i64(n),
        None => s.serialize_f64(*value),
    }
}

pub fn optional_number<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => number(v, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub source: Source,
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub enterprises: Vec<Enterprise>,
    #[serde(default)]
    pub projects: Vec<Project>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// Numbers of the text deliberately not taken as metrics, each with its reason.
    #[serde(default)]
    pub omissions: Vec<Omission>,
    /// Where each element stood in the document, when elements that failed to decode were
    /// left out; empty when nothing was. Keeps pointers of later problems exact.
    #[serde(skip)]
    pub positions: std::collections::BTreeMap<&'static str, Vec<usize>>,
}

impl Bundle {
    /// The JSON pointer of element `i` of `collection`, as it stood in the document.
    pub fn pointer(&self, collection: &str, i: usize) -> String {
        let index = self
            .positions
            .get(collection)
            .and_then(|p| p.get(i).copied())
            .unwrap_or(i);
        format!("/{collection}/{index}")
    }
}

/// A passage whose numbers are left out on purpose (a date, an ordinal, a name with a
/// number in it). The coverage check accepts every number inside any occurrence of `text`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Omission {
    pub text: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publication: String,
    pub published: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: String,
    pub parent_id: Option<String>,
    pub admin_code: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Enterprise {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub region_id: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub region_id: Option<String>,
    #[serde(default)]
    pub enterprise_ids: Vec<String>,
    pub status: String,
    pub started: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub region_id: Option<String>,
    pub issued: Option<String>,
    pub kind: String,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    #[serde(rename = "type")]
    pub type_: String,
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub indicator: String,
    pub subject: Subject,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(serialize_with = "number")]
    pub value: f64,
    #[serde(default, serialize_with = "optional_number")]
    pub value_max: Option<f64>,
    pub unit: String,
    pub qualifier: String,
    pub kind: String,
    pub period: Option<String>,
    pub original: String,
    pub quote: String,
}

pub const REGION_LEVELS: &[&str] = &[
    "country",
    "province",
    "prefecture",
    "county",
    "district",
    "subdistrict",
    "zone",
];
pub const ENTERPRISE_KINDS: &[&str] = &[
    "company",
    "research_institute",
    "university",
    "association",
    "government",
];
pub const PROJECT_STATUSES: &[&str] = &[
    "planned",
    "under_construction",
    "operating",
    "completed",
    "unknown",
];
pub const POLICY_KINDS: &[&str] = &[
    "plan",
    "opinion",
    "measures",
    "action",
    "regulation",
    "slogan",
];
pub const SUBJECT_TYPES: &[&str] = &["region", "enterprise", "project", "policy"];
pub const METRIC_KINDS: &[&str] = &["actual", "target", "plan", "capacity"];
/// The codes of [`crate::quantity::Unit`], as filters and validators name them.
pub const UNITS: &[&str] = &[
    "CNY",
    "USD",
    "t",
    "mm",
    "m",
    "m2",
    "mu",
    "m3",
    "kW",
    "GWh",
    "percent",
    "percentage_point",
    "multiple",
    "count",
    "year",
    "month",
];
/// The codes of [`crate::quantity::Qualifier`].
pub const QUALIFIERS: &[&str] = &[
    "exact",
    "approx",
    "more_than",
    "at_least",
    "less_than",
    "at_most",
    "range",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::{Qualifier, Unit};

    #[test]
    fn code_lists_match_the_quantity_types() {
        let units: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
        assert_eq!(units, UNITS);
        let qualifiers: Vec<&str> = Qualifier::ALL.iter().map(|q| q.as_str()).collect();
        assert_eq!(qualifiers, QUALIFIERS);
    }
}
