//! The one error type of the service, rendered as RFC 9457 problem details.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db;

pub use crate::problems::{FieldChange, ParamProblem, PointerProblem};

/// What a 503 asks clients to wait: long enough for a burst to drain, short enough to not
/// matter to a person.
const RETRY_AFTER_SECS: &str = "1";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid query parameters")]
    InvalidParams(Vec<ParamProblem>),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("invalid bundle")]
    InvalidBundle(Vec<PointerProblem>),
    #[error("{0}")]
    Conflict(String),
    #[error("the bundle changes stored entities")]
    EntityConflict(Vec<FieldChange>),
    #[error("{0}")]
    BadRequest(String),
    #[error("writes are disabled")]
    WritesDisabled,
    #[error("this replica is read-only")]
    ReadOnly,
    #[error("{0}")]
    Unauthorized(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request took longer than {0:?}")]
    Timeout(std::time::Duration),
    #[error("too many requests are under way")]
    Overloaded,
    /// A read stopped by SQLite when its statements ran past the query time budget.
    #[error("the query ran longer than its budget of {0:?}")]
    QueryTimeout(std::time::Duration),
    /// The database's disk (or a file size limit) left no room for a write; nothing was stored.
    #[error("the database has no room left: {0}")]
    StorageFull(String),
    /// Another write held the database for longer than this one could wait; nothing was stored.
    #[error("the database is busy with another write: {0}")]
    Busy(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn param(param: &str, message: impl Into<String>) -> Self {
        Self::InvalidParams(vec![ParamProblem {
            param: param.to_owned(),
            message: message.into(),
        }])
    }

    /// Code, status and title of each error, side by side in one table: a new variant gets
    /// all three in one row, and the compiler insists on the row.
    fn kind(&self) -> (&'static str, StatusCode, &'static str) {
        match self {
            Self::InvalidParams(_) => (
                "invalid-parameter",
                StatusCode::BAD_REQUEST,
                "Invalid query parameter",
            ),
            Self::NotFound(_) => ("not-found", StatusCode::NOT_FOUND, "Not found"),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            Self::InvalidBundle(_) => (
                "invalid-bundle",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid bundle",
            ),
            Self::Conflict(_) => ("conflict", StatusCode::CONFLICT, "Conflict"),
            Self::EntityConflict(_) => ("entity-conflict", StatusCode::CONFLICT, "Entity conflict"),
            Self::BadRequest(_) => ("bad-request", StatusCode::BAD_REQUEST, "Bad request"),
            Self::WritesDisabled => (
                "writes-disabled",
                StatusCode::FORBIDDEN,
                "Writes are disabled",
            ),
            Self::ReadOnly => ("read-only", StatusCode::FORBIDDEN, "Read-only replica"),
            Self::Unauthorized(_) => ("unauthorized", StatusCode::UNAUTHORIZED, "Unauthorized"),
            Self::PayloadTooLarge(_) => (
                "payload-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
            ),
            Self::UnsupportedMediaType(_) => (
                "unsupported-media-type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
            ),
            Self::Timeout(_) | Self::QueryTimeout(_) => (
                "timeout",
                StatusCode::SERVICE_UNAVAILABLE,
                "Request timed out",
            ),
            Self::Overloaded => ("overloaded", StatusCode::SERVICE_UNAVAILABLE, "Server busy"),
            Self::StorageFull(_) => (
                "storage-full",
                StatusCode::INSUFFICIENT_STORAGE,
                "Insufficient storage",
            ),
            Self::Busy(_) => ("busy", StatusCode::SERVICE_UNAVAILABLE, "Writes busy"),
            Self::Database(_) | Self::Internal(_) => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
            ),
        }
    }

    /// A stable machine-readable name; clients switch on this, not on `title`.
    pub fn code(&self) -> &'static str {
        self.kind().0
    }

    pub fn status(&self) -> StatusCode {
        self.kind().1
    }

    fn title(&self) -> &'static str {
        self.kind().2
    }

    fn detail(&self) -> String {
        match self {
            Self::InvalidParams(problems) => problems
                .iter()
                .map(|p| format!("{}: {}", p.param, p.message))
                .collect::<Vec<_>>()
                .join("; "),
            Self::InvalidBundle(problems) => {
                format!(
                    "the bundle has {} problem(s); nothing was stored",
                    problems.len()
                )
            }
            Self::EntityConflict(changes) => format!(
                "the bundle would change {} field(s) of entities already stored; nothing was \
                 stored. Send it again with entities=update to make these changes",
                changes.len()
            ),
            Self::MethodNotAllowed => "this route does not support the request method".into(),
            // Internal messages may carry SQL or paths: they go to the log, never to the client.
            Self::Database(_) | Self::Internal(_) => {
                "the server failed to answer; the error was logged with this request's id".into()
            }
            Self::WritesDisabled => {
                "this server takes no writes: start it with --token-file or INDUSTRY_FACTS_TOKEN"
                    .into()
            }
            Self::ReadOnly => {
                "this server is a read-only replica; send writes to the primary".into()
            }
            // A write cut short may or may not have committed; PUT is safe to repeat.
            Self::Timeout(limit) => format!(
                "the request did not finish within {limit:?} and was abandoned; \
                 a write may or may not have been stored, so check or repeat it with PUT"
            ),
            Self::QueryTimeout(budget) => format!(
                "the database work of this request took longer than its budget of {} ms and was \
                 stopped; narrow it (fewer words in `q`, a filter, a smaller `limit`) or retry",
                budget.as_millis()
            ),
            Self::Overloaded => {
                "the server is answering as many requests as it is configured for; retry shortly"
                    .into()
            }
            // The cause (disk full, file size limit, which file) is for the operator's log.
            Self::StorageFull(_) => "the database's storage is full; nothing was stored. \
                 Writes work again once space is freed, with no restart"
                .into(),
            Self::Busy(_) => "another write held the database for longer than this one could \
                 wait; nothing was stored, so it is safe to send again"
                .into(),
            Self::PayloadTooLarge(limit) => {
                format!("the request body is larger than the limit of {limit} bytes")
            }
            Self::NotFound(msg)
            | Self::Conflict(msg)
            | Self::BadRequest(msg)
            | Self::Unauthorized(msg)
            | Self::UnsupportedMediaType(msg) => msg.clone(),
        }
    }
}

/// The RFC 9457 body; `errors` carries parameter or pointer problems when there are any.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// One entry of `errors`: a parameter problem, a pointer problem, or a field of a stored
/// entity that a bundle would change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ProblemItem {
    Param(ParamProblem),
    Pointer(PointerProblem),
    Change(FieldChange),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Database(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "request failed")
            }
            Self::StorageFull(_) => tracing::error!(error = %self, "write refused"),
            Self::Timeout(_) | Self::QueryTimeout(_) | Self::Overloaded | Self::Busy(_) => {
                tracing::warn!(error = %self, "request refused")
            }
            _ => {}
        }
        let errors = match &self {
            Self::InvalidParams(p) => p.iter().cloned().map(ProblemItem::Param).collect(),
            Self::InvalidBundle(p) => p.iter().cloned().map(ProblemItem::Pointer).collect(),
            Self::EntityConflict(c) => c.iter().cloned().map(ProblemItem::Change).collect(),
            _ => Vec::new(),
        };
        let body = Problem {
            type_: format!("/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            errors,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"industry-facts\""),
            );
        }
        response
    }
}

/// What storage reports becomes an answer a client can act on: a full disk is 507, a
/// database another writer holds is 503 with `Retry-After`, a read over its budget 503
/// `timeout`, names the database does not know 400; a fault of the program is a 500.
impl From<db::Error> for AppError {
    fn from(error: db::Error) -> Self {
        match error {
            db::Error::Sqlx(error) => Self::Database(error),
            db::Error::StorageFull(cause) => Self::StorageFull(cause),
            db::Error::Busy(cause) => Self::Busy(cause),
            db::Error::Timeout(budget) => Self::QueryTimeout(budget),
            db::Error::Invalid(problems) => Self::InvalidParams(problems),
            db::Error::InvalidBundle(problems) => Self::InvalidBundle(problems),
            exists @ db::Error::SourceExists(_) => Self::Conflict(exists.to_string()),
            db::Error::EntityConflict(changes) => Self::EntityConflict(changes),
            db::Error::Internal(message) => Self::Internal(message),
        }
    }
}

/// A statement run outside `db/` (a handler's own check) is judged as storage judges it.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        db::Error::from(error).into()
    }
}

pub type AppResult<T> = Result<T, AppError>;
