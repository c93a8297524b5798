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
pub mod synth;
pub mod telemetry;

use axum::Router;

pub use state::AppState;

/// The whole application: every route behind the shared middleware stack.
pub fn app(state: AppState) -> Router {
    let layers = http::Layers::of(&state);
    layers.apply(routes::router(state.max_body).with_state(state))
}
