//! Reading a bundle's JSON text without losing anything on the way: `serde_json::Value`
//! keeps only the last of two equal keys in an object, so a bundle that says `source` twice
//! would be stored as whichever came last. This reader builds the same `Value` while it
//! watches every object, and names each repeated key by its JSON pointer.

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::parse::escape_token;
use crate::problems::PointerProblem;

/// Why a text is not a bundle document.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON at all: the body or file is malformed.
    Syntax(serde_json::Error),
    /// JSON, but some object repeats a key; one problem per repeated key.
    DuplicateKeys(Vec<PointerProblem>),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(e) => write!(f, "not JSON: {e}"),
            Self::DuplicateKeys(problems) => {
                write!(f, "{} key(s) repeated in an object", problems.len())
            }
        }
    }
}

/// Parses `bytes` as one JSON document, refusing any object that repeats a key.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut problems = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Strict {
        pointer: String::new(),
        problems: &mut problems,
    }
    .deserialize(&mut de)
    .map_err(JsonError::Syntax)?;
    de.end().map_err(JsonError::Syntax)?;
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(JsonError::DuplicateKeys(problems))
    }
}

/// One value being read, with where it stands in the document.
struct Strict<'p> {
    pointer: String,
    problems: &'p mut Vec<PointerProblem>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite number, so this is always `Some`.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let element = Strict {
                pointer: format!("{}/{}", self.pointer, items.len()),
                problems: &mut *self.problems,
            };
            match seq.next_element_seed(element)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        // How often each key was seen, and in which order keys first appeared.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut order = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let member = Strict {
                pointer: format!("{}/{}", self.pointer, escape_token(&key)),
                problems: &mut *self.problems,
            };
            let value = map.next_value_seed(member)?;
            let count = seen.entry(key.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                order.push(key.clone());
                object.insert(key, value);
            }
        }
        for key in order {
            let count = seen[&key];
            if count > 1 {
                self.problems.push(PointerProblem::new(
                    format!("{}/{}", self.pointer, escape_token(&key)),
                    format!(
                        "the key `{key}` appears {count} times in this object; \
                         each key may appear only once"
                    ),
                ));
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicates(text: &str) -> Vec<String> {
        match parse_strict(text.as_bytes()) {
            Err(JsonError::DuplicateKeys(p)) => p.into_iter().map(|p| p.pointer).collect(),
            other => panic!("expected duplicates in {text}, got {other:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c~/d": "\u00e9"}"#;
        let strict = parse_strict(text.as_bytes()).unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(strict, plain);
        for (_, seed) in crate::db::seed::SEED {
            assert_eq!(
                parse_strict(seed.as_bytes()).unwrap(),
                serde_json::from_str::<Value>(seed).unwrap()
            );
        }
    }

    #[test]
    fn names_every_repeated_key_by_its_pointer() {
        assert_eq!(duplicates(r#"{"source": {}, "source": {}}"#), ["/source"]);
        assert_eq!(
            duplicates(r#"{"regions": [{"id": "a"}, {"id": "b", "x/y": 1, "id": "c", "x/y": 2}]}"#),
            ["/regions/1/id", "/regions/1/x~1y"]
        );
        assert_eq!(
            duplicates(r#"{"a": {"b": 1, "b": 2, "b": 3}, "c": [[{"d": 1, "d": 1}]]}"#),
            ["/a/b", "/c/0/0/d"]
        );
    }

    #[test]
    fn malformed_text_is_a_syntax_error() {
        for text in ["{\"a\": ", "{} {}", "[1,]", ""] {
            assert!(
                matches!(parse_strict(text.as_bytes()), Err(JsonError::Syntax(_))),
                "{text:?}"
            );
        }
    }
}
