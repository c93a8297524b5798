//! `/health`: answers 200 only when the database does, for container health checks.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&state.pool)
        .await
        .map_err(|e| AppError::Internal(format!("health check query failed: {e}")))?;
    debug_assert_eq!(one, 1);
    Ok(Json(json!({"status": "ok"})))
}
