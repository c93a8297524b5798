//! Writes: `POST /v1/bundles`, `PUT /v1/bundles/{source_id}` and `DELETE /v1/sources/{id}`.
//! Each is one transaction, taken in turn with the process's other writes (see `ingest`);
//! readers keep reading the committed state meanwhile (WAL).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Routes;
use super::list::Item;
use super::params::Params;
use crate::bundle::json::{JsonError, parse_strict};
use crate::error::{AppError, AppResult, PointerProblem};
use crate::http::auth::WriteAccess;
use crate::http::body::BodyLimit;
use crate::ingest::{self, OnChangedEntity, OnExisting, StoreSummary, WriteMode};
use crate::state::AppState;

/// The body's bytes once it is known to be JSON and within the limit; `what` names what the
/// route takes, for the 415. Shared by every route that reads a JSON body.
pub(super) fn json_bytes(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
    what: &str,
) -> AppResult<Bytes> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Media types are case-insensitive (RFC 9110, 8.3.1).
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(essence == "application/json" || essence.ends_with("+json")) {
        return Err(AppError::UnsupportedMediaType(format!(
            "{what} is sent as application/json, not `{content_type}`"
        )));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(limit)
        } else {
            AppError::BadRequest(format!("the request body could not be read: {rejection}"))
        }
    })
}

/// The body as JSON, with every way it can be wrong named.
fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> AppResult<Value> {
    let body = json_bytes(headers, body, limit, "a bundle")?;
    parse_strict(&body).map_err(|e| match e {
        JsonError::Syntax(e) => AppError::BadRequest(format!("the body is not JSON: {e}")),
        JsonError::DuplicateKeys(problems) => AppError::InvalidBundle(problems),
    })
}

/// The one query parameter a bundle write takes: `entities=update` allows the bundle to
/// change entities already stored. Anything else in the query string is refused, so a
/// misspelt opt-in never passes for a plain write.
fn bundle_params(raw: Option<&str>) -> AppResult<OnChangedEntity> {
    let mut params = Params::parse(raw)?;
    let mut mode = OnChangedEntity::default();
    if let Some(name) = params.take("entities") {
        match OnChangedEntity::from_name(&name) {
            Some(m) => mode = m,
            None => params.problem(
                "entities",
                format!(
                    "unknown value `{name}`, expected one of {}",
                    OnChangedEntity::NAMES.join(", ")
                ),
            ),
        }
    }
    params.finish()?;
    Ok(mode)
}

/// The audit line of a stored bundle. It runs inside the request's span, which adds the
/// request id; the body itself is never logged, only what it changed.
fn log_stored(s: &StoreSummary) {
    tracing::info!(
        source = %s.source_id,
        replaced = s.replaced,
        entities_added = s.entities_added,
        entities_updated = s.entities_updated,
        entities_unchanged = s.entities_unchanged,
        metrics_added = s.metrics,
        metrics_removed = s.metrics_removed,
        "bundle stored"
    );
}

fn stored(status: StatusCode, summary: StoreSummary) -> Response {
    let location = format!("/v1/sources/{}", summary.source_id);
    let mut response = (status, axum::Json(Item { data: summary })).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn create(
    _: WriteAccess,
    State(state): State<AppState>,
    Extension(BodyLimit(limit)): Extension<BodyLimit>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let on_changed_entity = bundle_params(query.as_deref())?;
    let raw = json_body(&headers, body, limit)?;
    let mode = WriteMode {
        on_existing: OnExisting::Refuse,
        on_changed_entity,
    };
    let summary = ingest::store(&state.pool, &state.writes, raw, mode).await?;
    log_stored(&summary);
    Ok(stored(StatusCode::CREATED, summary))
}

async fn replace(
    _: WriteAccess,
    State(state): State<AppState>,
    Extension(BodyLimit(limit)): Extension<BodyLimit>,
    Path(source_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let on_changed_entity = bundle_params(query.as_deref())?;
    let raw = json_body(&headers, body, limit)?;
    let named = raw.pointer("/source/id").and_then(Value::as_str);
    if named.is_some_and(|id| id != source_id) {
        return Err(AppError::InvalidBundle(vec![PointerProblem::new(
            "/source/id",
            format!(
                "`{}` does not match the URL's `{source_id}`",
                named.unwrap_or_default()
            ),
        )]));
    }
    let mode = WriteMode {
        on_existing: OnExisting::Replace,
        on_changed_entity,
    };
    let summary = ingest::store(&state.pool, &state.writes, raw, mode).await?;
    log_stored(&summary);
    let status = if summary.replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(stored(status, summary))
}

async fn remove(
    _: WriteAccess,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<StatusCode> {
    Params::parse(query.as_deref())?.finish()?;
    let metrics_removed = ingest::delete(&state.pool, &state.writes, &id).await?;
    tracing::info!(source = %id, metrics_removed, "source deleted");
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Routes {
    Routes::new()
        .add(Method::POST, "/v1/bundles", create)
        .add(Method::PUT, "/v1/bundles/{source_id}", replace)
        .add(Method::DELETE, "/v1/sources/{id}", remove)
}
