//! Encoded responses kept by data version.
//!
//! Data changes only when a bundle is written, and every write bumps `data_version` (a trigger
//! on `sources`, whichever process writes). A read looks the version up first and serves the
//! stored body of the same request at that version, so a dashboard polling one URL costs one
//! indexed row read instead of the page's query and its JSON. An entry made under an older
//! version is never served again and ages out of the LRU.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lru::LruCache;
use sqlx::SqlitePool;

/// Bodies larger than this are not kept: one of them would push out hundreds of pages.
const MAX_ENTRY: usize = 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    version: i64,
    /// Path and query, as sent.
    target: String,
    /// `Accept` chooses between JSON and CSV.
    accept: Option<HeaderValue>,
}

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

struct Inner {
    entries: LruCache<Key, Entry>,
    bytes: usize,
}

/// A byte-bounded LRU of response bodies, shared by every request.
#[derive(Clone)]
pub struct ResponseCache {
    inner: Arc<Mutex<Inner>>,
    budget: usize,
}

/// The headers a handler sets that belong to the representation; everything else (request id,
/// CORS, ETag, compression) is added per request by the outer layers.
const KEPT: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::LINK];

impl ResponseCache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                entries: LruCache::unbounded(),
                bytes: 0,
            })),
            budget,
        }
    }

    fn get(&self, key: &Key) -> Option<(HeaderMap, Bytes)> {
        let mut inner = self.inner.lock().ok()?;
        inner
            .entries
            .get(key)
            .map(|e| (e.headers.clone(), e.body.clone()))
    }

    fn put(&self, key: Key, headers: HeaderMap, body: Bytes) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let target = key.target.len();
        let size = body.len() + target;
        if size > self.budget {
            return;
        }
        if let Some(old) = inner.entries.put(key, Entry { headers, body }) {
            inner.bytes -= old.body.len() + target;
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            match inner.entries.pop_lru() {
                Some((k, e)) => inner.bytes -= e.body.len() + k.target.len(),
                None => break,
            }
        }
    }

    /// Bytes held, bodies and keys; never above the budget once a request has finished.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }

    /// How many responses are held.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The current data version, read on every cached route.
async fn version(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(pool)
        .await
}

/// Serves a `GET /v1/…` from the cache when the data has not changed since it was stored.
pub async fn serve(
    State((cache, pool)): State<(ResponseCache, SqlitePool)>,
    request: Request,
    next: Next,
) -> Response {
    let cacheable = request.method() == Method::GET && request.uri().path().starts_with("/v1/");
    if !cacheable {
        return next.run(request).await;
    }
    let Ok(version) = version(&pool).await else {
        return next.run(request).await;
    };
    let key = Key {
        version,
        target: request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        accept: request.headers().get(header::ACCEPT).cloned(),
    };
    if let Some((headers, body)) = cache.get(&key) {
        let mut response = Body::from(body).into_response();
        response.headers_mut().extend(headers);
        return response;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Only bodies known to be small are buffered; anything else streams through untouched.
    if body
        .size_hint()
        .exact()
        .is_none_or(|n| n > MAX_ENTRY as u64)
    {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_ENTRY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "could not buffer a response body");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut kept = HeaderMap::new();
    for name in KEPT {
        if let Some(v) = parts.headers.get(&name) {
            kept.insert(name, v.clone());
        }
    }
    if let Some(v) = parts.headers.get("x-total-count") {
        kept.insert("x-total-count", v.clone());
    }
    cache.put(key, kept, bytes.clone());
    Response::from_parts(parts, Body::from(bytes))
}
