//! `/health`: answers 200 only when the database does, for container health checks.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> AppResult<Json<Value>> {
    sqlx::query("SELECT 1")
        .execute(&state.pool)
        .await
        .map_err(|e| AppError::Internal(format!("health check query failed: {e}")))?;
    Ok(Json(json!({"status": "ok"})))
}
