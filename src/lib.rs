//! industry-facts: numbers from reporting on China's regional industrial policy, served as
//! queryable facts, each traced to the sentence it came from.

pub mod bundle;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod fts;
pub mod http;
pub mod ingest;
pub mod problems;
pub mod quantity;
pub mod routes;
pub mod state;
pub mod telemetry;

use axum::Router;

pub use http::Layers;
pub use state::AppState;

/// The whole application: every route behind the shared middleware stack, with the stack's
/// default settings.
pub fn app(state: AppState) -> Router {
    app_with(state, Layers::default())
}

/// The whole application, with the middleware stack set up as `layers` says.
pub fn app_with(state: AppState, layers: Layers) -> Router {
    let pool = state.pool.clone();
    let router = routes::router(layers.max_body()).with_state(state);
    layers.apply(router, pool)
}
