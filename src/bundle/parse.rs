//! From raw JSON to a typed [`Bundle`], listing every structural problem with its pointer.
//!
//! serde stops at the first error of a document, so each array element is decoded on its own:
//! one broken metric does not hide the problems of the others.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::catalog::Catalog;
use super::model::Bundle;
use super::validate::{ValidBundle, validate};
use crate::problems::PointerProblem;

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
            // serde names an unknown field in its message and, depending on the decoder,
            // in the path too: point at the field itself, once.
            if let Some(name) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
            {
                let token = format!("/{}", escape_token(name));
                if !pointer.ends_with(&token) {
                    pointer.push_str(&token);
                }
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

/// Keeps the elements that decoded, remembering where each stood.
fn keep<T>(
    items: Vec<Option<T>>,
    collection: &'static str,
    positions: &mut BTreeMap<&'static str, Vec<usize>>,
) -> Vec<T> {
    let mut kept = Vec::with_capacity(items.len());
    let mut at = Vec::with_capacity(items.len());
    let all = items.len();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(item) = item {
            kept.push(item);
            at.push(i);
        }
    }
    if kept.len() < all {
        positions.insert(collection, at);
    }
    kept
}

/// A bundle that did not decode whole: the problems, and what did decode (when the source
/// did), so that validation can still report the problems of the other elements.
pub type Partial = (Option<Box<Bundle>>, Vec<PointerProblem>);

/// Decodes a bundle; on any problem returns all of them with what could be decoded.
pub fn parse(raw: &Value) -> Result<Bundle, Partial> {
    let mut problems = Vec::new();
    let Some(root) = raw.as_object() else {
        return Err((
            None,
            vec![PointerProblem::new("", "a bundle is a JSON object")],
        ));
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
    let mut positions = BTreeMap::new();
    let regions = decode_list(root, "regions", &mut problems);
    let enterprises = decode_list(root, "enterprises", &mut problems);
    let projects = decode_list(root, "projects", &mut problems);
    let policies = decode_list(root, "policies", &mut problems);
    let indicators = decode_list(root, "indicators", &mut problems);
    let metrics = decode_list(root, "metrics", &mut problems);
    let omissions = decode_list(root, "omissions", &mut problems);
    let bundle = source.map(|source| Bundle {
        source,
        regions: keep(regions, "regions", &mut positions),
        enterprises: keep(enterprises, "enterprises", &mut positions),
        projects: keep(projects, "projects", &mut positions),
        policies: keep(policies, "policies", &mut positions),
        indicators: keep(indicators, "indicators", &mut positions),
        metrics: keep(metrics, "metrics", &mut positions),
        omissions: keep(omissions, "omissions", &mut positions),
        positions,
    });
    match bundle {
        Some(bundle) if problems.is_empty() => Ok(bundle),
        partial => Err((partial.map(Box::new), problems)),
    }
}

/// Decodes and validates, listing every problem of both steps together.
pub fn parse_and_validate(
    raw: &Value,
    catalog: &Catalog,
) -> Result<ValidBundle, Vec<PointerProblem>> {
    match parse(raw) {
        Ok(bundle) => validate(bundle, catalog),
        Err((partial, mut problems)) => {
            if let Some(Err(more)) = partial.map(|b| validate(*b, catalog)) {
                problems.extend(more);
            }
            Err(problems)
        }
    }
}
