//! `ETag` on every successful GET, and `304 Not Modified` when the client already has it.
//! The tag hashes the uncompressed body, so it sits inside the compression layer; it is weak
//! because gzip and brotli encodings of one body share it.
//!
//! The data changes only when a bundle is written, and then it must show at once, so a
//! response may be stored anywhere but is revalidated on every use (`no-cache`): the usual
//! answer is an empty 304. Errors are not stored at all.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Bodies above this are sent without an ETag rather than buffered.
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

pub(crate) fn matches(if_none_match: &str, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

pub async fn etag(request: Request, next: Next) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    if !is_read {
        return response;
    }
    if response.status() != StatusCode::OK {
        if response.status().is_client_error() || response.status().is_server_error() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("public, no-cache"));
    // Lists answer CSV or JSON by `Accept`, so a cache must key on it.
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept"));
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, "could not buffer a response body");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = format!("W/\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    if if_none_match.is_some_and(|inm| matches(&inm, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn weak_comparison() {
        assert!(matches("W/\"ab\"", "W/\"ab\""));
        assert!(matches("\"ab\"", "W/\"ab\""));
        assert!(matches("\"x\", W/\"ab\"", "W/\"ab\""));
        assert!(matches("*", "W/\"ab\""));
        assert!(!matches("W/\"abc\"", "W/\"ab\""));
    }
}
