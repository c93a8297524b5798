//! Text carries no control characters but tab, line feed and carriage return. A NUL cuts CSV
//! cells and search terms short, and the others show as nothing or garble a terminal, so
//! they are refused in every string of a bundle, each with its pointer.

use serde::Serialize;
use serde_json::Value;

use super::Checker;
use crate::bundle::parse::escape_token;

/// Whether `ch` may appear in stored text.
fn allowed(ch: char) -> bool {
    !ch.is_control() || matches!(ch, '\n' | '\r' | '\t')
}

pub(super) fn check_text(c: &mut Checker) {
    let b = c.bundle;
    walk(c, "/source".into(), &b.source);
    each(c, "regions", &b.regions);
    each(c, "enterprises", &b.enterprises);
    each(c, "projects", &b.projects);
    each(c, "policies", &b.policies);
    each(c, "indicators", &b.indicators);
    each(c, "metrics", &b.metrics);
    each(c, "omissions", &b.omissions);
}

fn each<T: Serialize>(c: &mut Checker, collection: &str, items: &[T]) {
    for (i, item) in items.iter().enumerate() {
        let at = c.bundle.pointer(collection, i);
        walk(c, at, item);
    }
}

/// Every string below `item`, reached through the same field names the bundle uses.
fn walk<T: Serialize>(c: &mut Checker, at: String, item: &T) {
    if let Ok(value) = serde_json::to_value(item) {
        visit(c, at, &value);
    }
}

fn visit(c: &mut Checker, at: String, value: &Value) {
    match value {
        Value::String(s) => {
            let mut bad = s.chars().enumerate().filter(|(_, ch)| !allowed(*ch));
            if let Some((offset, first)) = bad.next() {
                let more = bad.count();
                c.problem(
                    at,
                    format!(
                        "contains the control character U+{:04X} at character {offset}{}; \
                         text may hold tab, line feed and carriage return but no other",
                        first as u32,
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(c, format!("{at}/{i}"), item);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                visit(c, format!("{at}/{}", escape_token(key)), item);
            }
        }
        _ => {}
    }
}
