//! The middleware stack every route shares, and its settings: limits on bodies, time and
//! concurrency, and the response cache, which belong to the layers rather than to the state
//! handlers share.

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

use crate::state;
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

/// Request bodies above this are refused with 413 unless configured otherwise.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// Long enough for the largest bundle write on a slow disk, short enough that a stuck request
/// gives its connection and concurrency slot back.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// Requests served at once; more are refused with 503 rather than queued, so a burst cannot
/// pile up memory and latency. SQLite serialises writes anyway, and reads are short.
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;

/// Enough for a few thousand typical pages, small next to SQLite's own caches.
pub const DEFAULT_CACHE_BYTES: usize = 32 * 1024 * 1024;

// A write's default wait for its turn is half of the default request deadline.
const _: () = assert!(state::DEFAULT_WRITE_WAIT_SECS * 2 == DEFAULT_REQUEST_TIMEOUT_SECS);

/// The settings of the middleware stack. A clone shares the response cache, so a caller can
/// look into the cache the stack serves from.
#[derive(Clone)]
pub struct Layers {
    max_body: usize,
    request_timeout: Duration,
    max_concurrency: usize,
    /// Encoded responses by data version; `None` when turned off.
    cache: Option<cache::ResponseCache>,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            max_body: DEFAULT_MAX_BODY,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            cache: Some(cache::ResponseCache::new(DEFAULT_CACHE_BYTES)),
        }
    }
}

impl Layers {
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// At least one request must be able to run, so zero counts as one.
    pub fn with_max_concurrency(mut self, requests: usize) -> Self {
        self.max_concurrency = requests.max(1);
        self
    }

    /// Zero bytes turns the response cache off.
    pub fn with_cache_bytes(mut self, bytes: usize) -> Self {
        self.cache = (bytes > 0).then(|| cache::ResponseCache::new(bytes));
        self
    }

    pub fn max_body(&self) -> usize {
        self.max_body
    }

    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    pub fn max_concurrency(&self) -> usize {
        self.max_concurrency
    }

    pub fn cache(&self) -> Option<&cache::ResponseCache> {
        self.cache.as_ref()
    }

    /// Wraps `router`; the response cache reads the data version from `pool`.
    pub fn apply(self, router: Router, pool: SqlitePool) -> Router {
        layers(
            router,
            self.cache.map(|c| (c, pool)),
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
