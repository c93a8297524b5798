//! How a request body may arrive. A declared length over the limit is refused before a byte of
//! the body is read, so a client cannot hold a request open by announcing more than it sends;
//! a gzip body is inflated, with the limit applied to the inflated size so a small bomb is
//! refused like a large body; any other content coding is refused, since the body could not be
//! read as what it claims to be.

use axum::Router;
use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::decompression::RequestDecompressionLayer;

use crate::error::AppError;
use crate::state::AppState;

/// The body limit in force, left in every request's extensions: a handler that finds its
/// body cut short names the limit the layers applied rather than keeping a copy of it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Puts the checks in front of every route of `router`; `max_body` is the limit that
/// `DefaultBodyLimit` enforces on the bytes as the handler reads them.
pub fn screened(router: Router<AppState>, max_body: usize) -> Router<AppState> {
    router
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn_with_state(max_body, screen))
}

/// The codings a body may carry, as the decompression layer spells them.
enum Coding {
    Plain,
    Gzip,
    Other(String),
}

/// Content codings are case-insensitive, `x-gzip` is another name for `gzip` (RFC 9110,
/// 8.4.1), and `identity` changes nothing. More than one real coding is not supported.
fn coding(headers: &HeaderMap) -> Coding {
    let mut named = Vec::new();
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let Ok(value) = value.to_str() else {
            return Coding::Other(String::from_utf8_lossy(value.as_bytes()).into_owned());
        };
        named.extend(
            value
                .split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty() && c != "identity"),
        );
    }
    match named.as_slice() {
        [] => Coding::Plain,
        [one] if one == "gzip" || one == "x-gzip" => Coding::Gzip,
        _ => Coding::Other(named.join(", ")),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn screen(State(max_body): State<usize>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(BodyLimit(max_body));
    // A request without content has no length or coding to judge.
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    if declared_length(request.headers()).is_some_and(|n| n > max_body as u64) {
        return AppError::PayloadTooLarge(max_body).into_response();
    }
    match coding(request.headers()) {
        Coding::Plain => {
            request.headers_mut().remove(header::CONTENT_ENCODING);
        }
        Coding::Gzip => {
            request
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Coding::Other(named) => {
            let mut response = AppError::UnsupportedMediaType(format!(
                "a body is sent uncompressed or as gzip, not with Content-Encoding `{named}`"
            ))
            .into_response();
            response
                .headers_mut()
                .insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coding_of(values: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::CONTENT_ENCODING, v.parse().unwrap());
        }
        match coding(&headers) {
            Coding::Plain => "plain".into(),
            Coding::Gzip => "gzip".into(),
            Coding::Other(named) => format!("other: {named}"),
        }
    }

    #[test]
    fn codings_are_read_case_insensitively() {
        assert_eq!(coding_of(&[]), "plain");
        assert_eq!(coding_of(&["identity"]), "plain");
        assert_eq!(coding_of(&["GZIP"]), "gzip");
        assert_eq!(coding_of(&["x-gzip"]), "gzip");
        assert_eq!(coding_of(&["identity, gzip"]), "gzip");
        assert_eq!(coding_of(&["br"]), "other: br");
        assert_eq!(coding_of(&["gzip", "gzip"]), "other: gzip, gzip");
    }
}
