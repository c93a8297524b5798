//! `ETag` on every successful GET, and `304 Not Modified` when the client already has it.
//! The tag hashes the uncompressed body, so it sits inside the compression layer; it is weak
//! because gzip and brotli encodings of one body share it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Bodies above this are sent without an ETag rather than buffered.
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

fn matches(if_none_match: &str, etag: &str) -> bool {
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
    let response = next.run(request).await;
    if !is_read || response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
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
