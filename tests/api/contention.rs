//! Writes that meet other writes: they take turns in the process, a write that cannot get its
//! turn in time is a 503 `busy` with `Retry-After` and stores nothing, a database locked by
//! another process is the same, and a write validated before another one changed what it
//! relied on is judged again, never a 500.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method as AxumMethod, Request};
use hyper::Method;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use industry_facts::error::AppError;
use industry_facts::ingest::{self, OnExisting, Writes};
use industry_facts::{AppState, Layers, app, app_with, db};

use crate::bundles::{minimal, numbered};
use crate::client::Client;
use crate::helpers::{
    TOKEN, TestApp, TestResponse, assert_problem, spawn_writable_app, table_counts,
};
use crate::process::{Server, command, http_get, sigterm, start};

async fn send(app: &TestApp, method: AxumMethod, path: &str, body: Option<&Value>) -> TestResponse {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {TOKEN}"));
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    app.send(request.body(body).unwrap()).await
}

fn assert_busy(r: &TestResponse) {
    let body = assert_problem(r, 503, None);
    assert_eq!(body["code"], "busy", "{body}");
    assert_eq!(r.header("retry-after"), Some("1"), "{body}");
}

#[tokio::test]
async fn a_write_that_cannot_get_its_turn_in_time_is_a_503_busy_and_stores_nothing() {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
    // Writes wait for their turn half of the request deadline, as `serve` sets them up.
    let state = AppState::new(pool.clone())
        .with_token(TOKEN)
        .with_write_wait(Duration::from_secs(1));
    let writes = state.writes.clone();
    let app = TestApp {
        router: app_with(
            state,
            Layers::default().with_request_timeout(Duration::from_secs(2)),
        ),
        pool,
    };
    let before = table_counts(&app.pool).await;

    // Another write of this process holds its turn for longer than anyone waits.
    let turn = writes.turn(writes.deadline()).await.unwrap();
    assert_busy(&send(&app, AxumMethod::POST, "/v1/bundles", Some(&minimal())).await);
    assert_busy(
        &send(
            &app,
            AxumMethod::DELETE,
            "/v1/sources/jinchang-strong-tech",
            None,
        )
        .await,
    );
    assert_eq!(table_counts(&app.pool).await, before, "nothing was stored");
    assert_eq!(
        app.get_ok("/health").await,
        json!({"status": "ok"}),
        "waiting is not failing"
    );

    drop(turn);
    let r = send(&app, AxumMethod::POST, "/v1/bundles", Some(&minimal())).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = send(&app, AxumMethod::DELETE, "/v1/sources/test-minimal", None).await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[tokio::test]
async fn a_database_locked_by_another_process_is_a_503_busy_then_writes_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("locked.db");
    let path = file.to_str().unwrap();
    let pool = db::connect(path).await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let app = TestApp {
        router: app(AppState::new(pool.clone()).with_token(TOKEN)),
        pool,
    };
    let before = table_counts(&app.pool).await;

    // A connection of its own, as another process writing to the file would hold it.
    let mut other = SqliteConnectOptions::new()
        .filename(&file)
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    // SQLite waits out its busy timeout, then gives up: that is the other writer's doing.
    assert_busy(&send(&app, AxumMethod::POST, "/v1/bundles", Some(&minimal())).await);
    assert_eq!(table_counts(&app.pool).await, before, "nothing was stored");

    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    let r = send(&app, AxumMethod::POST, "/v1/bundles", Some(&minimal())).await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn a_write_validated_before_another_stored_its_source_is_a_409_not_a_500() {
    let app = spawn_writable_app(4 * 1024 * 1024).await;
    let writes = Writes::alone();
    let waiting = ingest::prepare(&app.pool, &writes, minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    // Meanwhile another write stores the same source.
    ingest::ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    let before = table_counts(&app.pool).await;
    match ingest::apply(&app.pool, &writes, waiting).await {
        Err(AppError::Conflict(message)) => assert!(message.contains("test-minimal"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(table_counts(&app.pool).await, before);

    // With nothing changed in between, the validated bundle is written as it is.
    let waiting = ingest::prepare(
        &app.pool,
        &writes,
        numbered("test-second"),
        OnExisting::Refuse,
    )
    .await
    .unwrap();
    let summary = ingest::apply(&app.pool, &writes, waiting).await.unwrap();
    assert_eq!(
        (summary.source_id.as_str(), summary.metrics),
        ("test-second", 2)
    );
}

/// A long article with one metric per paragraph, each quoting its own sentence, about the
/// seed's Jinchang (the shape of `bench/big-bundle.py`).
fn long_article(id: &str, metrics: usize) -> Value {
    let mut text = String::new();
    let mut items = Vec::new();
    for i in 0..metrics {
        let year = 2015 + i % 9;
        let (whole, tenth) = (1 + i % 997, i % 10);
        let quote = format!("第{i:06}号示范园区{year}年完成投资{whole}.{tenth}亿元");
        text.push_str(&quote);
        text.push_str("，园区坚持创新驱动，推动企业技术改造。\n");
        items.push(json!({
            "indicator": "investment", "subject": {"type": "region", "id": "jinchang"},
            "value": whole as u64 * 100_000_000 + tenth as u64 * 10_000_000, "value_max": null,
            "unit": "CNY", "qualifier": "exact", "kind": "actual", "period": year.to_string(),
            "original": format!("{whole}.{tenth}亿元"), "quote": quote,
        }));
    }
    json!({
        "source": {"id": id, "title": "金昌示范园区建设综述", "publication": "测试日报",
                   "published": "2023-04", "authors": [], "url": null, "text": text},
        "metrics": items,
    })
}

/// How many metrics of source `id` are stored; 0 when the source is not.
fn stored_metrics(addr: &str, id: &str) -> i64 {
    match http_get(addr, &format!("/v1/sources/{id}")) {
        (404, _) => 0,
        (200, body) => body["data"]["metric_count"].as_i64().expect("metric_count"),
        (status, body) => panic!("GET /v1/sources/{id}: {status} {body}"),
    }
}

const WRITERS: usize = 10;
const ROUNDS: usize = 1;
const METRICS: usize = 2000;

/// What each write of the storm was answered.
async fn storm(addr: String, bundles: Arc<Vec<Value>>, n: usize) -> Vec<(String, u16, Value)> {
    let mut client = Client::connect(&addr).await.expect("connect");
    let auth = format!("Bearer {TOKEN}");
    let mut answers = Vec::new();
    for round in 0..ROUNDS {
        let bundle = &bundles[n * ROUNDS + round];
        let id = bundle["source"]["id"].as_str().unwrap().to_owned();
        let r = client
            .send(
                Method::POST,
                "/v1/bundles",
                &[("authorization", &auth)],
                Some(bundle),
            )
            .await
            .unwrap_or_else(|e| panic!("POST {id}: {e}"));
        if r.status == 503 {
            assert_eq!(r.header("retry-after"), Some("1"), "{id}: {}", r.text);
        }
        answers.push((id, r.status, r.body));
    }
    answers
}

/// Large writes at once, each holding the lock for a while: a queue longer than SQLite's busy
/// timeout used to end in 500 `database is locked`.
#[test]
fn concurrent_large_writes_over_http_answer_only_201_or_503() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("storm.db");
    let mut c = command(dir.path());
    c.args(["--addr", "127.0.0.1:0", "--db", file.to_str().unwrap()])
        .args(["--request-timeout-secs", "8"])
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    let mut server: Server = start(c);
    let bundles: Arc<Vec<Value>> = Arc::new(
        (0..WRITERS * ROUNDS)
            .map(|i| long_article(&format!("storm-{i:02}"), METRICS))
            .collect(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let answers: Vec<(String, u16, Value)> = rt.block_on(async {
        let writers: Vec<_> = (0..WRITERS)
            .map(|n| tokio::spawn(storm(server.addr.clone(), bundles.clone(), n)))
            .collect();
        let mut all = Vec::new();
        for w in writers {
            all.extend(w.await.unwrap());
        }
        all
    });

    let mut counts: BTreeMap<(u16, String), usize> = BTreeMap::new();
    for (id, status, body) in &answers {
        let code = body["code"].as_str().unwrap_or("").to_owned();
        assert!(
            *status == 201 || (*status == 503 && (code == "busy" || code == "timeout")),
            "{id} answered {status}: {body}"
        );
        *counts.entry((*status, code.clone())).or_default() += 1;
        let stored = stored_metrics(&server.addr, id);
        match (*status, code.as_str()) {
            (201, _) => assert_eq!(stored, METRICS as i64, "{id} is stored whole"),
            // Refused before its turn came: nothing of it was written.
            (503, "busy") => assert_eq!(stored, 0, "{id}"),
            // Cut off at its deadline, maybe during the commit: all or nothing.
            _ => assert!(stored == 0 || stored == METRICS as i64, "{id}: {stored}"),
        }
    }
    assert!(
        counts.keys().any(|(status, _)| *status == 201),
        "some writes went through: {counts:?}"
    );

    // The storm left no connection in a transaction: the next write just works.
    let r = crate::client::request(
        &server.addr,
        Method::POST,
        "/v1/bundles",
        &[("authorization", &format!("Bearer {TOKEN}"))],
        Some(&numbered("after-storm")),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        http_get(&server.addr, "/health"),
        (200, json!({"status": "ok"}))
    );
    assert_eq!(sigterm(&mut server).code(), Some(0));
    // Reads the rest of the log, up to the end of the stopped process's output.
    server.wait_for_log(|_| false, Duration::from_secs(10));
    let failed: Vec<&String> = (server.log.iter())
        .filter(|l| l.contains("request failed") || l.contains("status=500"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let integrity: String = rt.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(&file)
            .read_only(true)
            .connect()
            .await
            .unwrap();
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    });
    assert_eq!(integrity, "ok");
    eprintln!(
        "{} large writes of {METRICS} metrics from {WRITERS} writers at once: {counts:?}",
        answers.len()
    );
}
