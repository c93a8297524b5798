//! The real binary over TCP: start-up on a file database, the subcommands, graceful SIGTERM,
//! and configuration from the environment. Every child is killed by a guard, and every wait
//! is bounded, so a failing test never leaves a server behind or hangs the suite.

use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{seed, seed_bundle, seed_files};
use crate::process::{command, http_get, run, serve, sigterm, start, stderr, total};

#[test]
fn serves_health_and_a_region_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &dir.path().join("x.db"));
    assert_eq!(
        http_get(&server.addr, "/health"),
        (200, json!({"status": "ok"}))
    );
    let (status, body) = http_get(&server.addr, "/v1/regions/jinchang");
    assert_eq!(status, 200);
    assert_eq!(body["data"]["name_zh"], "金昌市");
    assert_eq!(body["data"]["admin_code"], "620300");
    assert!(
        dir.path().join("x.db").exists(),
        "the database file is created"
    );
}

#[test]
fn healthcheck_exits_zero_only_when_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &dir.path().join("x.db"));
    let mut c = command(dir.path());
    c.args(["healthcheck", "--addr", &server.addr]);
    let ok = run(c);
    assert!(ok.status.success(), "{}", stderr(&ok));

    let mut c = command(dir.path());
    c.args(["healthcheck"])
        .env("INDUSTRY_FACTS_ADDR", &server.addr);
    assert!(run(c).status.success(), "the address from the environment");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut c = command(dir.path());
    c.args(["healthcheck", "--addr", &format!("127.0.0.1:{port}")]);
    let down = run(c);
    assert!(!down.status.success(), "nothing listens on {port}");
}

#[test]
fn sigterm_stops_cleanly_and_a_restart_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let mut first = serve(dir.path(), &db);
    let metrics = total(&first.addr, "/v1/metrics");
    let regions = total(&first.addr, "/v1/regions");
    assert_eq!(metrics, seed().metrics().len() as i64);
    assert_eq!(total(&first.addr, "/v1/sources"), 5);
    let status = sigterm(&mut first);
    assert_eq!(
        status.code(),
        Some(0),
        "graceful shutdown exits 0: {status}"
    );

    let mut second = serve(dir.path(), &db);
    assert_eq!(
        total(&second.addr, "/v1/metrics"),
        metrics,
        "no duplicated metrics"
    );
    assert_eq!(total(&second.addr, "/v1/regions"), regions);
    assert_eq!(total(&second.addr, "/v1/sources"), 5);
    assert_eq!(sigterm(&mut second).code(), Some(0));
}

fn tampered_copy(
    dir: &Path,
    original: &str,
    tamper: impl Fn(&mut Value),
) -> (std::path::PathBuf, usize) {
    let mut b = seed_bundle("01-jinchang.json");
    let i = b["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["original"] == original)
        .unwrap();
    tamper(&mut b["metrics"][i]);
    // A new source id, so an import judges the content instead of refusing a duplicate.
    b["source"]["id"] = json!("jinchang-strong-tech-tampered");
    let path = dir.join(format!("tampered-{i}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&b).unwrap()).unwrap();
    (path, i)
}

#[test]
fn check_accepts_the_seed_and_points_at_a_tampered_metric() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command(dir.path());
    c.arg("check").args(seed_files());
    let ok = run(c);
    assert!(ok.status.success(), "{}", stderr(&ok));

    let (path, i) = tampered_copy(dir.path(), "3315亿元", |m| {
        m["quote"] = json!("营业收入3315亿元整")
    });
    let mut c = command(dir.path());
    c.arg("check").arg(&path);
    let bad = run(c);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains(&format!("/metrics/{i}/quote")),
        "{}",
        stderr(&bad)
    );
    assert!(
        !dir.path().join("industry-facts.db").exists(),
        "check touches no database"
    );
}

#[test]
fn check_refuses_a_value_that_disagrees_with_its_original() {
    let dir = tempfile::tempdir().unwrap();
    let (path, i) = tampered_copy(dir.path(), "3315亿元", |m| {
        m["value"] = json!(3_315_000_000_000u64)
    });
    let mut c = command(dir.path());
    c.arg("check").arg(&path);
    let bad = run(c);
    assert!(
        !bad.status.success(),
        "a value ten times the original passed check"
    );
    assert!(
        stderr(&bad).contains(&format!("/metrics/{i}")),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn import_then_serve_sees_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imported.db");
    let text = "金昌市今年新增高新技术企业9家。";
    let bundle = json!({"source": {"id": "test-import", "title": "导入测试", "publication": "测试日报",
        "published": "2023-06", "authors": [], "url": null, "text": text},
        "metrics": [{"indicator": "new_high_tech_enterprises", "subject": {"type": "region", "id": "jinchang"},
        "value": 9, "value_max": null, "unit": "count", "qualifier": "exact", "kind": "actual",
        "period": "2023", "original": "9家", "quote": "新增高新技术企业9家"}]});
    let file = dir.path().join("import.json");
    std::fs::write(&file, bundle.to_string()).unwrap();
    let mut c = command(dir.path());
    c.args(["import", "--db", db.to_str().unwrap()])
        .arg(seed_files()[0].clone())
        .arg(&file);
    let out = run(c);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut c = command(dir.path());
    c.args(["import", "--db", db.to_str().unwrap()]).arg(&file);
    let again = run(c);
    assert!(!again.status.success(), "the source is already stored");

    let (bad, i) = tampered_copy(dir.path(), "3315亿元", |m| {
        m["indicator"] = json!("happiness")
    });
    let mut c = command(dir.path());
    c.args(["import", "--db", db.to_str().unwrap()]).arg(&bad);
    let refused = run(c);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(&format!("/metrics/{i}/indicator")),
        "{}",
        stderr(&refused)
    );

    let server = serve(dir.path(), &db);
    let (status, body) = http_get(&server.addr, "/v1/sources/test-import");
    assert_eq!(status, 200, "{body}");
    assert_eq!(total(&server.addr, "/v1/metrics?source=test-import"), 1);
    assert_eq!(
        total(&server.addr, "/v1/metrics"),
        seed().metrics().len() as i64 + 1
    );
}

#[test]
fn address_and_database_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap().to_string();
    drop(free);
    let db = dir.path().join("from-env.db");
    let mut c = command(dir.path());
    c.env("INDUSTRY_FACTS_ADDR", &addr)
        .env("INDUSTRY_FACTS_DB", &db);
    let server = start(c);
    assert_eq!(server.addr, addr, "INDUSTRY_FACTS_ADDR is honoured");
    assert_eq!(http_get(&server.addr, "/health").0, 200);
    assert!(db.exists(), "INDUSTRY_FACTS_DB is honoured");
    assert!(
        !dir.path().join("industry-facts.db").exists(),
        "not the default file"
    );
}
