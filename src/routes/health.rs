//! `/health`: answers 200 when the database answers, for container health checks, and says
//! when writes are failing (a full disk): the service still serves reads then, and a restart
//! would not free any space, so the status stays 200 and the body says `degraded`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `{"status":"ok"}` exactly when all is well; the other fields only when writes fail.
#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    writes: Option<&'static str>,
    /// The problem code the failed write was answered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

pub async fn health(State(state): State<AppState>) -> AppResult<Json<Health>> {
    sqlx::query("SELECT 1")
        .execute(&state.pool)
        .await
        .map_err(|e| AppError::Internal(format!("health check query failed: {e}")))?;
    let failing = state.writes.failing();
    Ok(Json(Health {
        status: if failing.is_some() { "degraded" } else { "ok" },
        writes: failing.map(|_| "failing"),
        reason: failing,
    }))
}
