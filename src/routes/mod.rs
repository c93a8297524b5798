//! HTTP routes: the list machinery shared by every collection, the shapes of their items for
//! the OpenAPI document, health, writes; `router()` puts them together.

pub mod answers;
pub mod bundles;
pub mod docs;
pub mod drafts;
pub mod enterprises;
pub mod explorer;
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
        .add(Method::GET, "/docs", docs::docs)
        .add(Method::GET, "/", explorer::index)
        .add(Method::GET, "/explorer.js", explorer::script)
        .add(Method::GET, "/explorer.css", explorer::style)
        .merge(list::routes(
            "/v1/regions",
            Some("/v1/regions/{id}"),
            &read::regions::REGIONS,
        ))
        .merge(list::routes(
            "/v1/enterprises",
            Some("/v1/enterprises/{id}"),
            &read::enterprises::ENTERPRISES,
        ))
        .merge(list::routes(
            "/v1/projects",
            Some("/v1/projects/{id}"),
            &read::projects::PROJECTS,
        ))
        .merge(list::routes(
            "/v1/policies",
            Some("/v1/policies/{id}"),
            &read::policies::POLICIES,
        ))
        .merge(list::routes(
            "/v1/indicators",
            Some("/v1/indicators/{id}"),
            &read::indicators::INDICATORS,
        ))
        // Declared before `/v1/metrics/{id}` is matched; axum prefers the static segment anyway.
        .add(Method::GET, "/v1/metrics/breakdown", answers::breakdown)
        .merge(list::routes(
            "/v1/metrics",
            Some("/v1/metrics/{id}"),
            &read::metrics::METRICS,
        ))
        .add(Method::GET, "/v1/series", answers::series)
        .merge(list::routes(
            "/v1/sources",
            Some("/v1/sources/{id}"),
            &read::sources::SOURCES,
        ))
        .merge(list::routes("/v1/search", None, &read::search::SEARCH))
        .merge(bundles::routes())
        .merge(drafts::routes())
}

pub fn router(max_body: usize) -> Router<AppState> {
    crate::http::body::screened(routes().into_router(), max_body)
        .layer(DefaultBodyLimit::max(max_body))
        .fallback(|| async { AppError::NotFound("no such route; see /openapi.json".into()) })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
}
