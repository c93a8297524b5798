//! Who may write: a configured bearer token, compared in constant time, on a server that is
//! not a read-only replica.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::state::AppState;

/// Present in a handler's arguments, it admits only requests with the configured token.
pub struct WriteAccess;

/// `subtle` keeps the compiler from turning the comparison into an early exit, so the time a
/// wrong token takes says nothing about how much of it was right. Only the length can show,
/// and the token is at least 16 characters of the operator's choosing.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The token of a `Bearer` credential. The scheme name is case-insensitive (RFC 9110, 11.1),
/// and blanks may separate it from the token.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if state.read_only {
            return Err(AppError::ReadOnly);
        }
        let Some(token) = state.token.as_deref() else {
            return Err(AppError::WritesDisabled);
        };
        // The messages describe the header's shape, never its value: error bodies and logs
        // must not carry anything a client sent as a secret.
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "writes need an `Authorization: Bearer <token>` header".into(),
                )
            })?
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or_else(|| {
                AppError::Unauthorized("the Authorization header is not `Bearer <token>`".into())
            })?;
        if same_secret(given.as_bytes(), token.as_bytes()) {
            Ok(WriteAccess)
        } else {
            Err(AppError::Unauthorized("the token is not valid".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{bearer_token, same_secret};

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER  abc ", "Bearer\tabc"] {
            assert_eq!(bearer_token(value), Some("abc"), "{value:?}");
        }
        for value in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "abc"] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }

    #[test]
    fn compares_whole_secrets() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }
}
