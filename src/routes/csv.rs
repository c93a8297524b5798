//! CSV rendering of list pages: nested objects become `parent_child` columns, lists are joined
//! with `; `, so a spreadsheet gets one flat row per item.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};

/// Flattens one serialized item into `column → cell`.
pub fn flatten(value: &Value) -> Map<String, Value> {
    fn walk(prefix: &str, value: &Value, out: &mut Map<String, Value>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}_{k}")
                    };
                    walk(&key, v, out);
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.clone());
            }
        }
    }
    let mut out = Map::new();
    walk("", value, &mut out);
    out
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| cell(Some(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

pub fn to_csv<T: Serialize>(columns: &[&str], items: &[T]) -> AppResult<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns).map_err(internal)?;
    for item in items {
        let flat = flatten(&serde_json::to_value(item).map_err(internal)?);
        writer
            .write_record(columns.iter().map(|c| cell(flat.get(*c))))
            .map_err(internal)?;
    }
    let bytes = writer.into_inner().map_err(internal)?;
    String::from_utf8(bytes).map_err(internal)
}
