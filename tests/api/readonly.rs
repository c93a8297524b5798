//! Read-only replicas: the database is opened read-only (SQLite itself refuses writes), no
//! migration or seed runs, every write route answers 403 `read-only` even with a valid token,
//! and the file is left exactly as it was.

use axum::body::Body;
use axum::http::{Method, Request};
use hyper::Method as HyperMethod;

use crate::bundles::minimal;
use crate::client::request;
use crate::helpers::{TOKEN, TestApp, assert_problem, table_counts};
use crate::process::{command, run, serve, sigterm, start, stderr, total};
use industry_facts::{AppState, app, db};

fn write_request(method: Method, path: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from(minimal().to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_replica_refuses_every_write_with_its_own_code_even_with_a_valid_token() {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let app = TestApp {
        router: app(AppState::new(pool.clone())
            .with_token(TOKEN)
            .with_read_only(true)),
        pool,
    };
    let before = table_counts(&app.pool).await;
    for (method, path) in [
        (Method::POST, "/v1/bundles"),
        (Method::PUT, "/v1/bundles/test-minimal"),
        (Method::DELETE, "/v1/sources/jinchang-strong-tech"),
    ] {
        let r = app.send(write_request(method.clone(), path)).await;
        let body = assert_problem(&r, 403, None);
        assert_eq!(body["code"], "read-only", "{method} {path}: {body}");
    }
    assert_eq!(table_counts(&app.pool).await, before);
    app.get_ok("/v1/sources/jinchang-strong-tech").await;

    // Without a token the refusal says why differently: writes are off, not forbidden here.
    let plain = TestApp::new(app.pool.clone());
    let r = plain.send(write_request(Method::POST, "/v1/bundles")).await;
    assert_eq!(assert_problem(&r, 403, None)["code"], "writes-disabled");
}

#[tokio::test]
async fn the_read_only_pool_cannot_write_and_needs_an_existing_current_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replica.db");
    let path = path.to_str().unwrap();

    let missing = db::connect_read_only(path).await.unwrap_err().to_string();
    assert!(missing.contains(path), "names the file: {missing}");
    assert!(!std::path::Path::new(path).exists(), "creates nothing");
    assert!(db::connect_read_only(":memory:").await.is_err());

    // A file without the schema is refused rather than served as empty.
    std::fs::write(path, b"").unwrap();
    let outdated = db::connect_read_only(path).await.unwrap_err().to_string();
    assert!(outdated.contains(path), "{outdated}");
    std::fs::remove_file(path).unwrap();

    let primary = db::connect(path).await.unwrap();
    db::seed::load(&primary).await.unwrap();
    primary.close().await;

    let replica = db::connect_read_only(path).await.unwrap();
    let sources: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sources")
        .fetch_one(&replica)
        .await
        .unwrap();
    assert_eq!(sources, 5);
    let refused = sqlx::query("DELETE FROM metrics").execute(&replica).await;
    let message = refused.expect_err("SQLite refuses the write").to_string();
    assert!(message.contains("readonly"), "{message}");
}

#[test]
fn the_binary_serves_a_replica_read_only_and_leaves_the_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("replica.db");
    let mut primary = serve(dir.path(), &db);
    let metrics = total(&primary.addr, "/v1/metrics");
    assert_eq!(sigterm(&mut primary).code(), Some(0));
    let bytes = std::fs::read(&db).unwrap();

    let mut c = command(dir.path());
    c.args([
        "--addr",
        "127.0.0.1:0",
        "--db",
        db.to_str().unwrap(),
        "--read-only",
    ])
    .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    let mut replica = start(c);
    assert_eq!(total(&replica.addr, "/v1/metrics"), metrics);
    let auth = format!("Bearer {TOKEN}");
    let r = request(
        &replica.addr,
        HyperMethod::POST,
        "/v1/bundles",
        &[("authorization", &auth)],
        Some(&minimal()),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["code"], "read-only", "{}", r.text);
    let r = request(
        &replica.addr,
        HyperMethod::DELETE,
        "/v1/sources/jinchang-strong-tech",
        &[("authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(total(&replica.addr, "/v1/metrics"), metrics);
    assert_eq!(sigterm(&mut replica).code(), Some(0));
    assert!(
        std::fs::read(&db).unwrap() == bytes,
        "the replica changed its file"
    );

    // The environment variable turns it on too; a missing file is an error naming it.
    let absent = dir.path().join("absent.db");
    let mut c = command(dir.path());
    c.args(["--addr", "127.0.0.1:0", "--db", absent.to_str().unwrap()])
        .env("INDUSTRY_FACTS_READ_ONLY", "true");
    let out = run(c);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(absent.to_str().unwrap()),
        "{}",
        stderr(&out)
    );
    assert!(!absent.exists(), "a replica creates no database");
}
