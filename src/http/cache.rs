//! Encoded responses kept by data version.
//!
//! Data changes only when a bundle is written, and every write bumps `data_version` (a trigger
//! on `sources`, whichever process writes). Each request keeps at most one entry, marked with
//! the version its answer was read at, which the handler reports on the response. A request
//! with an entry reads the current version and is served the entry when they agree, so a
//! dashboard polling one URL costs one indexed row read instead of the page's query, its JSON
//! and its compression. A request with no entry (a URL never asked, as every new filter or
//! slider position is) reads no version first: it would only be a statement more. Nor is its
//! answer kept the first time its URL is asked, only the second: most such URLs are never
//! asked again, and copying each into the cache would cost every new URL and push out the
//! pages that are asked for.
//!
//! It sits outside the compression layer, so what it keeps is the body as sent, compressed
//! for the `Accept-Encoding` it was asked with, together with its `ETag`.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use lru::LruCache;
use sqlx::SqlitePool;

use crate::db::DataVersion;

/// Bodies larger than this are not kept: one of them would push out hundreds of pages.
const MAX_ENTRY: usize = 1024 * 1024;

/// What an entry costs besides its body, target and header bytes: the map node, the header
/// map around the values, the allocations' own overhead. Counting it keeps the budget close
/// to the memory used when the pages are small, as most are.
const ENTRY_OVERHEAD: usize = 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Path and query, as sent.
    target: String,
    /// `Accept` chooses between JSON and CSV.
    accept: Option<HeaderValue>,
    /// The body is kept as compressed for this.
    accept_encoding: Option<HeaderValue>,
}

struct Entry {
    /// The data version the answer was read at.
    version: i64,
    headers: HeaderMap,
    body: Bytes,
    /// What it counts against the budget.
    weight: usize,
}

struct Inner {
    entries: LruCache<Key, Entry>,
    bytes: usize,
    /// Hashes of the requests asked lately that hold no entry: one asked again is kept.
    asked: LruCache<u64, ()>,
}

/// Requests remembered as asked once: under a megabyte, and enough that a URL a
/// dashboard repeats within thousands of others is still known when it comes back.
const ASKED: usize = 16 * 1024;

/// A byte-bounded LRU of response bodies, shared by every request.
#[derive(Clone)]
pub struct ResponseCache {
    inner: Arc<Mutex<Inner>>,
    budget: usize,
    hasher: std::hash::RandomState,
}

impl ResponseCache {
    /// A cache holding at most `budget` bytes of bodies.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                entries: LruCache::unbounded(),
                bytes: 0,
                asked: LruCache::new(std::num::NonZeroUsize::new(ASKED).expect("non-zero")),
            })),
            budget,
            hasher: std::hash::RandomState::new(),
        }
    }

    /// Whether `key`, which holds no entry, was asked before; notes that it now has been.
    fn asked_before(&self, key: &Key) -> bool {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(key);
        let Ok(mut inner) = self.inner.lock() else {
            return false;
        };
        inner.asked.pop(&hash).is_some() || inner.asked.put(hash, ()).is_some()
    }

    /// The version of the entry kept for `key`, if there is one.
    fn version_of(&self, key: &Key) -> Option<i64> {
        let inner = self.inner.lock().ok()?;
        inner.entries.peek(key).map(|e| e.version)
    }

    /// The entry kept for `key` when it was read at `version`.
    fn get(&self, key: &Key, version: i64) -> Option<(HeaderMap, Bytes)> {
        let mut inner = self.inner.lock().ok()?;
        inner
            .entries
            .get(key)
            .filter(|e| e.version == version)
            .map(|e| (e.headers.clone(), e.body.clone()))
    }

    fn put(&self, key: Key, version: i64, headers: HeaderMap, body: Bytes) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let weight = body.len()
            + key.target.len()
            + headers
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len())
                .sum::<usize>()
            + ENTRY_OVERHEAD;
        if weight > self.budget {
            return;
        }
        let entry = Entry {
            version,
            headers,
            body,
            weight,
        };
        if let Some(old) = inner.entries.put(key, entry) {
            inner.bytes -= old.weight;
        }
        inner.bytes += weight;
        while inner.bytes > self.budget {
            match inner.entries.pop_lru() {
                Some((_, e)) => inner.bytes -= e.weight,
                None => break,
            }
        }
    }

    /// What the entries count (bodies, keys, headers and a fixed overhead each); never above
    /// the budget once a request has finished.
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

/// Reads a body whole when it is at most `max` bytes; a larger one comes back as a body that
/// still yields every byte, the part already read first.
async fn buffer(mut body: Body, max: usize) -> Result<Bytes, Body> {
    let mut read = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Err(err) => {
                tracing::error!(error = %err, "a response body failed");
                return Err(Body::empty());
            }
        };
        read.extend_from_slice(&data);
        if read.len() > max {
            let head = read.freeze();
            let rest = body.into_data_stream();
            let whole = futures_util::stream::once(async move { Ok(head) }).chain(rest);
            return Err(Body::from_stream(whole));
        }
    }
    // Kept for as long as the entry lives: without the room the buffer grew into.
    if read.capacity() > read.len() + read.len() / 8 {
        return Ok(Bytes::copy_from_slice(&read));
    }
    Ok(read.freeze())
}

/// A request header's value in an allocation of its own: one parsed from the request shares
/// the connection's whole read buffer, which a cache key would then keep alive.
fn owned(value: Option<&HeaderValue>) -> Option<HeaderValue> {
    value.and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
}

/// Serves a `GET /v1/…` from the cache when the data has not changed since it was stored.
pub async fn serve(
    State((cache, pool)): State<(ResponseCache, SqlitePool)>,
    mut request: Request,
    next: Next,
) -> Response {
    let cacheable = request.method() == Method::GET && request.uri().path().starts_with("/v1/");
    if !cacheable {
        return next.run(request).await;
    }
    let key = Key {
        target: request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        accept: owned(request.headers().get(header::ACCEPT)),
        accept_encoding: owned(request.headers().get(header::ACCEPT_ENCODING)),
    };
    let held = cache.version_of(&key).is_some();
    let keep = held || cache.asked_before(&key);
    if held {
        let Ok(version) = crate::db::data_version(&pool).await else {
            return next.run(request).await;
        };
        if let Some((headers, body)) = cache.get(&key, version) {
            let inm = request
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok());
            if let Some(response) = super::etag::not_modified(&headers, inm) {
                return response;
            }
            let mut response = Body::from(body).into_response();
            *response.headers_mut() = headers;
            return response;
        }
        // The handler counts under the same version instead of reading it again.
        request.extensions_mut().insert(DataVersion(version));
    }
    let response = next.run(request).await;
    if !keep || response.status() != StatusCode::OK {
        return response;
    }
    // Kept under the version the handler read its answer at; an answer that does not say is
    // not kept, since a version read now could be newer than what the answer shows.
    let Some(DataVersion(version)) = response.extensions().get::<DataVersion>().copied() else {
        return response;
    };
    let (parts, body) = response.into_parts();
    match buffer(body, MAX_ENTRY).await {
        Ok(bytes) => {
            cache.put(key, version, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(body) => Response::from_parts(parts, body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_small_body_is_read_whole_and_a_large_one_passes_on_intact() {
        let small = Bytes::from(vec![7u8; 100]);
        assert_eq!(
            buffer(Body::from(small.clone()), 1000).await.unwrap(),
            small
        );

        let chunks: Vec<Result<Bytes, std::io::Error>> =
            (0..50u8).map(|i| Ok(Bytes::from(vec![i; 100]))).collect();
        let large = Body::from_stream(futures_util::stream::iter(chunks));
        let passed = buffer(large, 1000).await.expect_err("over the limit");
        let all = axum::body::to_bytes(passed, usize::MAX).await.unwrap();
        assert_eq!(all.len(), 5000);
        assert!(
            all.chunks(100)
                .enumerate()
                .all(|(i, c)| c.iter().all(|&b| b == i as u8))
        );
    }
}
