//! The shapes in which a client is told what is wrong with its input. They are found at every
//! layer (a bundle's validation, a name the database does not know, an entity a write would
//! change), so they live below all of them; `error` renders them into the response body.

use serde::Serialize;

/// A problem with one query parameter, named so a client can point at its own input.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ParamProblem {
    pub param: String,
    pub message: String,
}

/// A problem inside a request body or bundle, located by an RFC 6901 JSON pointer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PointerProblem {
    pub pointer: String,
    pub message: String,
}

impl PointerProblem {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// A field of a stored entity that a bundle would change: where the bundle says it, what is
/// stored and what the bundle proposes, so a client can decide to send it again with the
/// changes allowed, or to fix the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub pointer: String,
    pub message: String,
    /// The stored value (a string, null, or a list of strings).
    pub stored: serde_json::Value,
    /// The bundle's value, in the same form.
    pub proposed: serde_json::Value,
}
