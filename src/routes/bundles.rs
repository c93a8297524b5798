//! Writes: `POST /v1/bundles`, `PUT /v1/bundles/{source_id}` and `DELETE /v1/sources/{id}`.
//! Each is one transaction; readers keep reading the committed state meanwhile (WAL).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use serde_json::Value;

use super::list::Item;
use crate::db::store::{OnExisting, ingest};
use crate::error::{AppError, AppResult, PointerProblem};
use crate::http::auth::WriteAccess;
use crate::state::AppState;

/// The body as JSON, with every way it can be wrong named.
fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> AppResult<Value> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !(essence == "application/json" || essence.ends_with("+json")) {
        return Err(AppError::UnsupportedMediaType(format!(
            "a bundle is sent as application/json, not `{content_type}`"
        )));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(limit)
        } else {
            AppError::BadRequest(format!("the request body could not be read: {rejection}"))
        }
    })?;
    serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the body is not JSON: {e}")))
}

fn stored(status: StatusCode, summary: crate::db::store::StoreSummary) -> Response {
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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let raw = json_body(&headers, body, state.max_body)?;
    let summary = ingest(&state.pool, &raw, OnExisting::Refuse).await?;
    tracing::info!(source = %summary.source_id, metrics = summary.metrics, "bundle stored");
    Ok(stored(StatusCode::CREATED, summary))
}

async fn replace(
    _: WriteAccess,
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let raw = json_body(&headers, body, state.max_body)?;
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
    let summary = ingest(&state.pool, &raw, OnExisting::Replace).await?;
    tracing::info!(source = %summary.source_id, replaced = summary.replaced, "bundle stored");
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
) -> AppResult<StatusCode> {
    let mut tx = state.pool.begin_with("BEGIN IMMEDIATE").await?;
    let deleted = sqlx::query("DELETE FROM sources WHERE id = ?")
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    if deleted == 0 {
        return Err(AppError::NotFound(format!("no source with id `{id}`")));
    }
    tracing::info!(source = %id, "source deleted");
    Ok(StatusCode::NO_CONTENT)
}

pub fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/v1/bundles", post(create))
        .route("/v1/bundles/{source_id}", put(replace))
        .route("/v1/sources/{id}", delete(remove))
        .layer(DefaultBodyLimit::max(max_body))
}
