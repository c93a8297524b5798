//! `ETag` on every successful GET, and `304 Not Modified` when the client already has it.
//! The tag hashes the uncompressed body, so it sits inside the compression layer; it is weak
//! because gzip and brotli encodings of one body share it.
//!
//! The data changes only when a bundle is written, and then it must show at once, so a
//! response may be stored anywhere but is revalidated on every use (`no-cache`): the usual
//! answer is an empty 304. Errors are not stored at all.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
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

/// The one place a `304 Not Modified` is made: from the headers of the response the client
/// would get (its `ETag` among them), when `If-None-Match` names that tag. The body's own
/// headers are left out, the rest (`ETag`, `Link`, `Vary`, caching) kept. Both the tagging
/// layer and the response cache answer through it, so a 304 looks the same from either.
pub(crate) fn not_modified(headers: &HeaderMap, if_none_match: Option<&str>) -> Option<Response> {
    let etag = headers.get(header::ETAG)?.to_str().ok()?;
    if !matches(if_none_match?, etag) {
        return None;
    }
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    for (name, value) in headers {
        if ![
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
        ]
        .contains(name)
        {
            response.headers_mut().append(name, value.clone());
        }
    }
    Some(response)
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
    if let Some(response) = not_modified(&parts.headers, if_none_match.as_deref()) {
        return response;
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
