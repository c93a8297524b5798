//! Load and stuck requests: beyond the concurrency cap requests are refused at once with 503
//! and `Retry-After`, and a request past its deadline is abandoned with 503, both as problem
//! documents, and an abandoned write stores nothing.
//!
//! The in-memory database has exactly one connection, so holding it keeps any request that
//! needs the database waiting for as long as the test wants, with no timing involved.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::bundles::minimal;
use crate::helpers::{TOKEN, TestApp, TestResponse, assert_problem, table_counts};
use industry_facts::{AppState, Layers, app_with, db};

async fn configured(configure: impl FnOnce(AppState, Layers) -> (AppState, Layers)) -> TestApp {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let (state, layers) = configure(AppState::new(pool.clone()), Layers::default());
    TestApp {
        router: app_with(state, layers),
        pool,
    }
}

fn assert_unavailable(r: &TestResponse, code: &str) {
    let body = assert_problem(r, 503, None);
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("/problems/{code}"), "{body}");
    assert_eq!(r.header("retry-after"), Some("1"), "Retry-After");
    assert!(
        r.header("x-request-id").is_some(),
        "refusals carry a request id"
    );
}

#[tokio::test]
async fn requests_over_the_concurrency_cap_are_shed_with_503_and_retry_after() {
    let app = configured(|s, l| (s, l.with_max_concurrency(1))).await;
    let held = app.pool.acquire().await.unwrap();
    let waiting = tokio::spawn(
        app.router
            .clone()
            .oneshot(Request::get("/health").body(Body::empty()).unwrap()),
    );
    // `/openapi.json` needs no database: it answers 200 until the health check holds the one
    // slot, and from then on must be refused rather than queued.
    let mut refused = None;
    for _ in 0..500 {
        // A queued request would wait for the held connection forever: bound it.
        let r = tokio::time::timeout(Duration::from_secs(10), app.get("/openapi.json"))
            .await
            .expect("a request beyond the cap is refused, not queued");
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let refused = refused.expect("a request beyond the cap was refused");
    assert_unavailable(&refused, "overloaded");

    drop(held);
    let first = waiting.await.unwrap().unwrap();
    assert_eq!(
        first.status(),
        StatusCode::OK,
        "the admitted request completes"
    );
    assert_eq!(
        app.get("/openapi.json").await.status,
        StatusCode::OK,
        "the slot is freed"
    );
}

#[tokio::test]
async fn a_request_past_its_deadline_is_a_503_problem() {
    let app = configured(|s, l| {
        (
            s.with_write_wait(Duration::from_millis(100)),
            l.with_request_timeout(Duration::from_millis(200)),
        )
    })
    .await;
    let held = app.pool.acquire().await.unwrap();
    let r = app.get("/health").await;
    assert_unavailable(&r, "timeout");
    drop(held);
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_write_past_its_deadline_stores_nothing() {
    let app = configured(|s, l| {
        (
            s.with_token(TOKEN)
                .with_write_wait(Duration::from_millis(100)),
            l.with_request_timeout(Duration::from_millis(200)),
        )
    })
    .await;
    let before = table_counts(&app.pool).await;
    let held = app.pool.acquire().await.unwrap();
    let r = app
        .send(
            Request::post("/v1/bundles")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .body(Body::from(minimal().to_string()))
                .unwrap(),
        )
        .await;
    assert_unavailable(&r, "timeout");
    drop(held);
    assert_eq!(table_counts(&app.pool).await, before);
    assert_problem(&app.get("/v1/sources/test-minimal").await, 404, None);
}
