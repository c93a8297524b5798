//! HTTP behaviour every route shares: ETag and 304, compression, request ids, CORS, CSV,
//! plus `/health` and the OpenAPI document that promises all of it.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Map, Value, json};

use industry_facts::ingest::{OnExisting, ingest};

use crate::helpers::{COLLECTIONS, TestApp, spawn_app};

#[tokio::test]
async fn a_matching_if_none_match_gets_an_empty_304() {
    let app = spawn_app().await;
    for path in [
        "/v1/regions/jinchang",
        "/v1/metrics?region=gansu",
        "/health",
        "/v1/metrics?format=csv",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200);
        let etag = r
            .header("etag")
            .unwrap_or_else(|| panic!("no ETag on {path}"))
            .to_owned();
        let again = app.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty(), "a 304 has no body");
        let other = app
            .get_with(path, &[("if-none-match", "\"something-else\"")])
            .await;
        assert_eq!(other.status, 200, "{path}");
        assert_eq!(other.body, r.body);
    }
    let a = app.get("/v1/regions/jinchang").await;
    let b = app.get("/v1/regions/gansu").await;
    assert_ne!(
        a.header("etag"),
        b.header("etag"),
        "different bodies, different tags"
    );
}

/// Data changes only on writes and must show at once: stored, but revalidated every time;
/// errors never stored; and a cache told to key on `Accept`, which picks CSV or JSON.
#[tokio::test]
async fn cache_control_suits_read_mostly_data() {
    let app = spawn_app().await;
    for path in [
        "/v1/metrics",
        "/v1/regions/jinchang",
        "/v1/search?q=nickel",
        "/openapi.json",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("cache-control"),
            Some("public, no-cache"),
            "{path}"
        );
        let vary: Vec<String> = r
            .headers
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .collect();
        assert!(
            vary.iter().any(|v| v.contains("accept")),
            "{path}: {vary:?}"
        );
        let etag = r.header("etag").unwrap().to_owned();
        let again = app.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(
            again.header("cache-control"),
            Some("public, no-cache"),
            "{path} 304"
        );
    }
    for path in [
        "/v1/regions/nowhere",
        "/v1/metrics?bogus=1",
        "/nothing-here",
    ] {
        let r = app.get(path).await;
        assert!(r.status.is_client_error());
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn new_data_invalidates_the_etag() {
    let app = spawn_app().await;
    let path = "/v1/metrics?region=jinchang";
    let etag = app.get(path).await.header("etag").unwrap().to_owned();
    let text = "金昌市今年新增企业7家。";
    let bundle = json!({"source": {"id": "etag-test", "title": "t", "publication": "p", "published": null,
        "authors": [], "url": null, "text": text},
        "metrics": [{"indicator": "enterprises", "subject": {"type": "region", "id": "jinchang"}, "value": 7,
        "value_max": null, "unit": "count", "qualifier": "exact", "kind": "actual", "period": "2023",
        "original": "7家", "quote": "新增企业7家"}]});
    ingest(&app.pool, &bundle, OnExisting::Refuse)
        .await
        .unwrap();
    let r = app.get_with(path, &[("if-none-match", &etag)]).await;
    assert_eq!(
        r.status, 200,
        "the list changed, so the old tag must not match"
    );
}

#[tokio::test]
async fn gzip_and_brotli_are_honoured() {
    let app = spawn_app().await;
    let path = "/v1/metrics?limit=1000";
    let plain = app.get(path).await;
    assert!(plain.header("content-encoding").is_none());
    plain.json();
    let gz = app.get_with(path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(&gz.body[..2], &[0x1f, 0x8b], "gzip magic");
    assert!(gz.body.len() < plain.body.len());
    let br = app.get_with(path, &[("accept-encoding", "br")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br.body.len() < plain.body.len());
    let etag = gz.header("etag").unwrap().to_owned();
    let r = app
        .get_with(
            path,
            &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 304, "the tag survives compression");
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let a = app.get("/v1/regions").await;
    let b = app.get("/v1/regions").await;
    let (ida, idb) = (a.header("x-request-id"), b.header("x-request-id"));
    assert!(ida.is_some_and(|s| !s.is_empty()), "generated");
    assert_ne!(ida, idb, "one id per request");
    for path in [
        "/v1/regions",
        "/v1/nothing",
        "/v1/regions?levl=1",
        "/health",
    ] {
        let r = app.get_with(path, &[("x-request-id", "test-req-42")]).await;
        assert_eq!(
            r.header("x-request-id"),
            Some("test-req-42"),
            "echoed on {path}"
        );
    }
}

#[tokio::test]
async fn any_origin_may_get_and_read_link_and_etag() {
    let app = spawn_app().await;
    let r = app
        .get_with(
            "/v1/metrics?limit=5",
            &[("origin", "https://dashboard.example")],
        )
        .await;
    assert_eq!(r.status, 200);
    let allow = r.header("access-control-allow-origin").unwrap_or_default();
    assert!(
        allow == "*" || allow == "https://dashboard.example",
        "{allow:?}"
    );
    let expose = r
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        expose.contains("link") && expose.contains("etag"),
        "{expose:?}"
    );
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/v1/metrics")
        .header("origin", "https://dashboard.example")
        .header("access-control-request-method", "GET")
        .body(Body::empty())
        .unwrap();
    let r = app.send(preflight).await;
    assert!(r.status.is_success(), "preflight: {}", r.status);
    let methods = r.header("access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("GET"), "{methods:?}");
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}_{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn csv_of(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (Vec<String>, Vec<Vec<String>>) {
    let r = app.get_with(path, headers).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    let ct = r.header("content-type").unwrap_or_default();
    assert!(ct.starts_with("text/csv"), "{path}: {ct}");
    parse_csv(&r.text())
}

#[tokio::test]
async fn csv_columns_are_the_flattened_json_keys() {
    let app = spawn_app().await;
    let mut paths: Vec<String> = COLLECTIONS
        .iter()
        .map(|c| format!("/v1/{c}?limit=4"))
        .collect();
    paths.push("/v1/search?q=金昌&limit=4".into());
    for path in paths {
        let json = app.get_ok(&path).await;
        let mut keys = BTreeSet::new();
        flatten("", &json["data"][0], &mut keys);
        for accept in [None, Some("text/csv")] {
            let (header, rows) = match accept {
                None => csv_of(&app, &format!("{path}&format=csv"), &[]).await,
                Some(a) => csv_of(&app, &path, &[("accept", a)]).await,
            };
            assert_eq!(
                header.len(),
                header.iter().collect::<BTreeSet<_>>().len(),
                "{path}"
            );
            assert_eq!(header.into_iter().collect::<BTreeSet<_>>(), keys, "{path}");
            assert_eq!(rows.len(), json["data"].as_array().unwrap().len(), "{path}");
        }
    }
}

#[tokio::test]
async fn csv_cells_carry_the_json_values() {
    let app = spawn_app().await;
    let path = "/v1/metrics?indicator=revenue&subject=jinchuan-group";
    let json = app.get_ok(path).await;
    let (header, rows) = csv_of(&app, &format!("{path}&format=csv"), &[]).await;
    let mut flat = Map::new();
    fn walk(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                walk(
                    &if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}_{k}")
                    },
                    v,
                    out,
                )
            }),
            other => {
                out.insert(prefix.to_owned(), other.clone());
            }
        }
    }
    walk("", &json["data"][0], &mut flat);
    let row = &rows[0];
    for (i, col) in header.iter().enumerate() {
        let expected = match &flat[col] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(row[i], expected, "column {col}");
    }
    let value_col = header.iter().position(|h| h == "value").unwrap();
    assert_eq!(row[value_col], "331500000000");
    let (header, rows) = csv_of(&app, "/v1/enterprises?q=金川集团公司&format=csv", &[]).await;
    let aliases = header.iter().position(|h| h == "aliases").unwrap();
    assert!(rows[0][aliases].contains("金川集团公司"));
}

#[tokio::test]
async fn csv_pages_like_json() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics?format=csv&limit=10").await;
    assert!(r.header("link").is_some_and(|l| l.contains("format=csv")));
    assert_eq!(parse_csv(&r.text()).1.len(), 10);
    assert!(r.header("etag").is_some());
    let r = app.get("/v1/metrics?format=xml").await;
    crate::helpers::assert_problem(&r, 400, Some("format"));
}
