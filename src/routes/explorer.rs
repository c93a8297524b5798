//! The explorer: a page for people at `/`, with its script and style compiled into the binary,
//! so it works offline and in a container that reaches no other host. Programs asking `/` for
//! JSON get the same not-found problem as before, pointing them at the API.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const PAGE: &str = include_str!("assets/explorer.html");
const SCRIPT: &str = include_str!("assets/explorer.js");
const STYLE: &str = include_str!("assets/explorer.css");

/// The quality an `Accept` header gives a media type: the most specific range that covers it
/// decides (`text/html` over `text/*` over `*/*`), and a type no range covers gets 0.
fn quality(accept: &str, media: &str) -> f32 {
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let specificity = if name == media {
            3
        } else if name == format!("{kind}/*") {
            2
        } else if name == "*/*" {
            1
        } else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Whether the client would rather have HTML than JSON. A browser names `text/html`; curl and
/// most libraries send `*/*` or nothing, which keeps them on JSON, as does a tie that only a
/// wildcard makes.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let html = quality(accept, "text/html");
    let named = accept
        .split(',')
        .any(|r| r.split(';').next().unwrap_or("").trim() == "text/html");
    html > 0.0 && named && html >= quality(accept, "application/json")
}

/// `/`: the explorer for browsers, a 404 problem naming the API for everything else. Either
/// way the answer depends on `Accept`, which `Vary` tells caches: the ETag layer says so on
/// every 200, and the 404 says it here.
pub async fn index(headers: HeaderMap) -> Response {
    if prefers_html(&headers) {
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response();
    }
    let mut response = AppError::NotFound(
        "`/` is the explorer, for browsers (Accept: text/html); the API is under /v1 and \
         described by /openapi.json"
            .into(),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    response
}

pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::prefers_html;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn browsers_get_html_and_programs_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,\
                      image/webp,*/*;q=0.8";
        assert!(prefers_html(&accept(chrome)));
        assert!(prefers_html(&accept("text/html")));
        assert!(!prefers_html(&HeaderMap::new()));
        assert!(!prefers_html(&accept("*/*")));
        assert!(!prefers_html(&accept("application/json")));
        assert!(!prefers_html(&accept("application/json, text/html;q=0.5")));
        assert!(!prefers_html(&accept("text/html;q=0")));
        assert!(prefers_html(&accept("application/json;q=0.5, text/html")));
    }
}
