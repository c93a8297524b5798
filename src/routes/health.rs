//! `/health`: answers 200 when the database answers, for container health checks, and says
//! when writes are failing (a full disk): the service still serves reads then, and a restart
//! would not free any space, so the status stays 200 and the body says `degraded`.

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
    Ok(Json(match state.writes.failing() {
        None => json!({"status": "ok"}),
        Some(reason) => json!({"status": "degraded", "writes": "failing", "reason": reason}),
    }))
}
