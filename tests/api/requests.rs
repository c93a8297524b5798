//! How the service reads what a client sends around the request itself: the request id it
//! proposes, the spelling of its auth scheme and media type, and bodies sent compressed.

use std::io::Write;

use axum::body::Body;
use axum::http::Request;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use crate::bundles::minimal;
use crate::helpers::{
    TOKEN, TestApp, TestResponse, assert_problem, spawn_app, spawn_writable_app, table_counts,
};

const LIMIT: usize = 256 * 1024;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn post(app: &TestApp, headers: &[(&str, &str)], body: Vec<u8>) -> TestResponse {
    let mut request = Request::post("/v1/bundles");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

fn is_uuid(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

#[tokio::test]
async fn a_short_plain_request_id_is_echoed_and_any_other_replaced() {
    let app = spawn_app().await;
    let longest = "a".repeat(128);
    for kept in ["client-id_1.2:3", longest.as_str()] {
        let r = app.get_with("/health", &[("x-request-id", kept)]).await;
        assert_eq!(r.header("x-request-id"), Some(kept));
    }
    let long = "a".repeat(129);
    let huge = "b".repeat(450_000);
    for odd in [
        long.as_str(),
        huge.as_str(),
        "two words",
        "x request_id=forged",
        "with\"quote",
        "line%0Abreak",
        "tab\there",
    ] {
        let r = app.get_with("/health", &[("x-request-id", odd)]).await;
        assert_eq!(r.status, 200);
        let id = r.header("x-request-id").expect("an id");
        assert!(is_uuid(id), "{odd:.40} was answered with {id:.40}");
    }
    let r = app
        .send(
            Request::get("/health")
                .header("x-request-id", b"caf\xc3\xa9".as_slice())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(is_uuid(r.header("x-request-id").unwrap()), "non-ASCII");
}

#[tokio::test]
async fn the_bearer_scheme_and_the_json_media_type_are_case_insensitive() {
    for (scheme, media) in [
        ("bearer", "APPLICATION/JSON"),
        ("BEARER", "Application/Json; Charset=UTF-8"),
    ] {
        let app = spawn_writable_app(LIMIT).await;
        let auth = format!("{scheme} {TOKEN}");
        let r = post(
            &app,
            &[("authorization", &auth), ("content-type", media)],
            minimal().to_string().into_bytes(),
        )
        .await;
        assert_eq!(r.status, 201, "{scheme} / {media}: {}", r.text());
    }
    let app = spawn_writable_app(LIMIT).await;
    let r = post(
        &app,
        &[
            ("authorization", &format!("Basic {TOKEN}")),
            ("content-type", "application/json"),
        ],
        minimal().to_string().into_bytes(),
    )
    .await;
    assert_problem(&r, 401, None);
}

#[tokio::test]
async fn a_gzip_body_is_stored_as_if_sent_plain() {
    let app = spawn_writable_app(LIMIT).await;
    let auth = format!("Bearer {TOKEN}");
    let body = gzip(minimal().to_string().as_bytes());
    for coding in ["gzip", "GZip", "x-gzip"] {
        let r = post(
            &app,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("content-encoding", coding),
            ],
            body.clone(),
        )
        .await;
        // Read as the same bundle again, the later ones find its source already stored.
        let expected = if coding == "gzip" { 201 } else { 409 };
        assert_eq!(r.status, expected, "{coding}: {}", r.text());
    }
    let stored: Value = app.get_ok("/v1/sources/test-minimal").await;
    assert_eq!(stored["data"]["title"], minimal()["source"]["title"]);
    assert_eq!(
        app.total("/v1/metrics?source=test-minimal").await,
        minimal()["metrics"].as_array().unwrap().len() as i64
    );
}

#[tokio::test]
async fn other_codings_are_415_and_a_bad_gzip_body_is_400() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let auth = format!("Bearer {TOKEN}");
    for coding in ["br", "compress", "gzip, gzip"] {
        let r = post(
            &app,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("content-encoding", coding),
            ],
            minimal().to_string().into_bytes(),
        )
        .await;
        let body = assert_problem(&r, 415, None);
        assert_eq!(body["code"], "unsupported-media-type");
        assert!(body["detail"].as_str().unwrap().contains(coding), "{body}");
        assert_eq!(r.header("accept-encoding"), Some("gzip"));
    }
    let r = post(
        &app,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        minimal().to_string().into_bytes(),
    )
    .await;
    assert_problem(&r, 400, None);
    assert_eq!(table_counts(&app.pool).await, before, "nothing stored");
}

#[tokio::test]
async fn a_gzip_bomb_is_413_by_its_inflated_size() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    // Sixty-four times the limit inflated, a small fraction of it as sent.
    let bomb = gzip(&vec![b' '; 64 * LIMIT]);
    assert!(bomb.len() < LIMIT / 4, "{} bytes compressed", bomb.len());
    let r = post(
        &app,
        &[
            ("authorization", &format!("Bearer {TOKEN}")),
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        bomb,
    )
    .await;
    let body = assert_problem(&r, 413, None);
    assert_eq!(body["code"], "payload-too-large");
    assert_eq!(table_counts(&app.pool).await, before);
}
