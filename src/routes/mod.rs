//! HTTP routes: the list machinery shared by every collection, the shapes of their items for
//! the OpenAPI document, health, writes; `router()` puts them together.

pub mod answers;
pub mod bundles;
pub mod drafts;
pub mod enterprises;
pub mod health;
pub mod indicators;
pub mod list;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod policies;
pub mod projects;
pub mod regions;
pub mod search;
pub mod sources;
pub mod table;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;

use crate::db::read;
use crate::error::AppError;
use crate::state::AppState;
pub use table::Routes;

/// Every route the service answers.
pub fn routes() -> Routes {
    Routes::new()
        .add(Method::GET, "/health", health::health)
        .add(Method::GET, "/openapi.json", openapi::serve)
        .add(Method::GET, "/docs", openapi::docs)
        .merge(list::routes(&read::regions::REGIONS, true))
        .merge(list::routes(&read::enterprises::ENTERPRISES, true))
        .merge(list::routes(&read::projects::PROJECTS, true))
        .merge(list::routes(&read::policies::POLICIES, true))
        .merge(list::routes(&read::indicators::INDICATORS, true))
        // Declared before `/v1/metrics/{id}` is matched; axum prefers the static segment anyway.
        .add(Method::GET, "/v1/metrics/breakdown", answers::breakdown)
        .merge(list::routes(&read::metrics::METRICS, true))
        .add(Method::GET, "/v1/series", answers::series)
        .merge(list::routes(&read::sources::SOURCES, true))
        .merge(list::routes(&read::search::SEARCH, false))
        .merge(bundles::routes())
        .merge(drafts::routes())
}

pub fn router(max_body: usize) -> Router<AppState> {
    crate::http::body::screened(routes().into_router(), max_body)
        .layer(DefaultBodyLimit::max(max_body))
        .fallback(|| async { AppError::NotFound("no such route; see /openapi.json".into()) })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
}
