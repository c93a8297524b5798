//! The middleware stack every route shares.

pub mod access_log;
pub mod auth;
pub mod body;
pub mod cache;
pub mod etag;
pub mod limits;
pub mod request_id;
pub mod serve;

use std::time::Duration;

use axum::Router;
use sqlx::SqlitePool;

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderName, Method, header};
use tower::util::MapRequestLayer;
use tower_http::LatencyUnit;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the middleware stack needs from the configuration.
pub struct Layers {
    request_timeout: Duration,
    max_concurrency: usize,
    cache: Option<(cache::ResponseCache, SqlitePool)>,
}

impl Layers {
    pub fn of(state: &AppState) -> Self {
        Self {
            request_timeout: state.request_timeout,
            max_concurrency: state.max_concurrency,
            cache: state.cache.clone().map(|c| (c, state.pool.clone())),
        }
    }

    pub fn apply(self, router: Router) -> Router {
        layers(
            router,
            self.cache,
            self.request_timeout,
            self.max_concurrency,
        )
    }
}

/// Wraps the routes, innermost first: ETag over the plain body, then compression (at its
/// fastest level: on JSON it costs little size and most of the CPU otherwise), the response
/// cache, the request deadline, the concurrency cap (outside the deadline, so a shed request
/// costs nothing and a waiting one cannot hold a slot past its deadline), CORS (so refusals
/// carry it too), tracing with the request id, and the request id itself outermost so every
/// log line, refusals included, has it, once a client's id that is too long or too odd to
/// log has been dropped in its favour.
fn layers(
    router: Router,
    cache: Option<(cache::ResponseCache, SqlitePool)>,
    request_timeout: Duration,
    max_concurrency: usize,
) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::IF_NONE_MATCH, header::ACCEPT, REQUEST_ID])
        .expose_headers([
            header::LINK,
            header::ETAG,
            REQUEST_ID,
            HeaderName::from_static("x-total-count"),
        ])
        .max_age(Duration::from_secs(3600));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            let uri = access_log::logged_uri(request.method(), request.uri());
            tracing::info_span!("request", method = %request.method(), uri = %uri, request_id = %id)
        })
        .on_response(
            DefaultOnResponse::new()
                .level(Level::INFO)
                .latency_unit(LatencyUnit::Micros),
        );
    let router = router
        .layer(axum::middleware::from_fn(etag::etag))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest));
    // Outside compression, so a stored page is sent as it was compressed and tagged, with
    // the limits, CORS and a request id still applied around it.
    let router = match cache {
        Some(cache) => router.layer(axum::middleware::from_fn_with_state(cache, cache::serve)),
        None => router,
    };
    let router = limits::deadline(router, request_timeout);
    limits::shed_load(router, max_concurrency)
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(MapRequestLayer::new(request_id::drop_unacceptable))
}
