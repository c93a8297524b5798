//! From raw JSON to a typed [`Bundle`], listing every structural problem with its pointer.
//!
//! serde stops at the first error of a document, so each array element is decoded on its own:
//! one broken metric does not hide the problems of the others.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model::Bundle;
use crate::error::PointerProblem;

const TOP_LEVEL: &[&str] = &[
    "source",
    "regions",
    "enterprises",
    "projects",
    "policies",
    "indicators",
    "metrics",
    "omissions",
];

/// Escapes one reference token of an RFC 6901 pointer.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn decode<T: DeserializeOwned>(
    value: &Value,
    base: &str,
    problems: &mut Vec<PointerProblem>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(err) => {
            let mut pointer = base.to_owned();
            for segment in err.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => {
                        pointer.push_str(&format!("/{index}"))
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        pointer.push('/');
                        pointer.push_str(&escape_token(key));
                    }
                    _ => {}
                }
            }
            let message = err.inner().to_string();
            // serde names an unknown field only in its message; point at the field itself.
            if let Some(name) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
            {
                pointer.push('/');
                pointer.push_str(&escape_token(name));
            }
            problems.push(PointerProblem::new(pointer, message));
            None
        }
    }
}

fn decode_list<T: DeserializeOwned>(
    root: &serde_json::Map<String, Value>,
    key: &str,
    problems: &mut Vec<PointerProblem>,
) -> Vec<Option<T>> {
    match root.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| decode(item, &format!("/{key}/{i}"), problems))
            .collect(),
        Some(_) => {
            problems.push(PointerProblem::new(format!("/{key}"), "expected an array"));
            Vec::new()
        }
    }
}

/// Decodes a bundle; on any problem returns all of them.
pub fn parse(raw: &Value) -> Result<Bundle, Vec<PointerProblem>> {
    let mut problems = Vec::new();
    let Some(root) = raw.as_object() else {
        return Err(vec![PointerProblem::new("", "a bundle is a JSON object")]);
    };
    for key in root.keys() {
        if !TOP_LEVEL.contains(&key.as_str()) {
            problems.push(PointerProblem::new(
                format!("/{}", escape_token(key)),
                format!(
                    "unknown field `{key}`, expected one of {}",
                    TOP_LEVEL.join(", ")
                ),
            ));
        }
    }
    let source = match root.get("source") {
        Some(v) => decode(v, "/source", &mut problems),
        None => {
            problems.push(PointerProblem::new("/source", "missing field `source`"));
            None
        }
    };
    let regions = decode_list(root, "regions", &mut problems);
    let enterprises = decode_list(root, "enterprises", &mut problems);
    let projects = decode_list(root, "projects", &mut problems);
    let policies = decode_list(root, "policies", &mut problems);
    let indicators = decode_list(root, "indicators", &mut problems);
    let metrics = decode_list(root, "metrics", &mut problems);
    let omissions = decode_list(root, "omissions", &mut problems);
    match source {
        Some(source) if problems.is_empty() => Ok(Bundle {
            source,
            regions: regions.into_iter().flatten().collect(),
            enterprises: enterprises.into_iter().flatten().collect(),
            projects: projects.into_iter().flatten().collect(),
            policies: policies.into_iter().flatten().collect(),
            indicators: indicators.into_iter().flatten().collect(),
            metrics: metrics.into_iter().flatten().collect(),
            omissions: omissions.into_iter().flatten().collect(),
        }),
        _ => Err(problems),
    }
}
