//! What the access log records of a request's URI. Write routes take their token in the
//! `Authorization` header, but a client may put one (or anything else secret) in the query
//! string, and the log would keep it; for writes only the names of the query parameters are
//! logged. Reads keep their values: those are what it takes to reproduce a slow or failed
//! read, and no read accepts a secret.

use axum::http::{Method, Uri};

/// Stands for a value left out of the log.
const HIDDEN: &str = "…";

/// The path and, for reads, the query as sent; for other methods each value is replaced.
pub fn logged_uri(method: &Method, uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return format!("{path}?{query}");
    }
    let names: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{name}={HIDDEN}"),
            None => format!("{pair}={HIDDEN}"),
        })
        .collect();
    format!("{path}?{}", names.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(method: Method, uri: &str) -> String {
        logged_uri(&method, &uri.parse().unwrap())
    }

    #[test]
    fn write_query_values_are_hidden_and_read_ones_kept() {
        assert_eq!(
            logged(Method::POST, "/v1/bundles?access_token=s3cret&x&y=1"),
            "/v1/bundles?access_token=…&x=…&y=…"
        );
        assert_eq!(
            logged(Method::DELETE, "/v1/sources/a?token=s3cret"),
            "/v1/sources/a?token=…"
        );
        assert_eq!(logged(Method::PUT, "/v1/bundles/a"), "/v1/bundles/a");
        assert_eq!(
            logged(Method::GET, "/v1/metrics?region=gansu"),
            "/v1/metrics?region=gansu"
        );
    }
}
