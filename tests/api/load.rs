//! The real binary under a stream of writes: readers keep getting 200s and whole bundles, and
//! every write leaves one log line with its request id and what it changed, never the token.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hyper::Method;
use serde_json::Value;

use crate::bundles::{minimal, numbered};
use crate::client::{Client, request};
use crate::helpers::TOKEN;
use crate::process::{Server, command, start};

const WRITES: usize = 150;
const READERS: usize = 3;

fn writable_server(dir: &std::path::Path) -> Server {
    let mut c = command(dir);
    c.args(["--addr", "127.0.0.1:0", "--db"])
        .arg(dir.join("load.db"))
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    start(c)
}

/// What one reader saw; it fails on the spot on anything but a 200 with whole bundles.
async fn reader(addr: String, done: Arc<AtomicBool>) -> usize {
    let mut client = Client::connect(&addr).await.expect("connect");
    let mut reads = 0;
    let mut last_seen = 0;
    loop {
        let finished = done.load(Ordering::SeqCst);
        for path in [
            "/v1/sources?limit=1000",
            "/v1/metrics?region=jinchang&limit=100",
            "/v1/search?q=测试器件",
            "/v1/regions/jinchang",
        ] {
            let uri = path.replace("测试器件", "%E6%B5%8B%E8%AF%95%E5%99%A8%E4%BB%B6");
            let r = client
                .send(Method::GET, &uri, &[], None)
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}"));
            assert_eq!(r.status, 200, "GET {path} during writes: {}", r.text);
            reads += 1;
            if path.starts_with("/v1/sources") {
                let written: Vec<&Value> = r.body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| s["id"].as_str().unwrap().starts_with("load-"))
                    .collect();
                for s in &written {
                    assert_eq!(s["metric_count"], 2, "a half-written bundle: {s}");
                }
                assert!(written.len() >= last_seen, "a committed write disappeared");
                last_seen = written.len();
            }
        }
        // One full round after the writer finished, so every reader reads at least once.
        if finished {
            return reads;
        }
    }
}

#[test]
fn reads_answer_200_with_whole_bundles_while_a_stream_of_writes_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = writable_server(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reads = rt.block_on(async {
        let readers: Vec<_> = (0..READERS)
            .map(|_| tokio::spawn(reader(server.addr.clone(), done.clone())))
            .collect();
        let mut client = Client::connect(&server.addr).await.unwrap();
        let auth = format!("Bearer {TOKEN}");
        for i in 0..WRITES {
            let id = format!("load-{i:04}");
            let (method, path) = if i % 3 == 0 {
                (Method::PUT, format!("/v1/bundles/{id}"))
            } else {
                (Method::POST, "/v1/bundles".to_owned())
            };
            let r = client
                .send(
                    method,
                    &path,
                    &[("authorization", &auth)],
                    Some(&numbered(&id)),
                )
                .await
                .unwrap();
            assert_eq!(r.status, 201, "{id}: {}", r.text);
        }
        done.store(true, Ordering::SeqCst);
        let mut reads = 0;
        for r in readers {
            reads += r.await.unwrap();
        }
        reads
    });
    let (status, body) = crate::process::http_get(&server.addr, "/v1/sources?limit=1");
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 5 + WRITES as i64);
    eprintln!("{WRITES} writes with {reads} reads alongside, every read a 200");
}

#[test]
fn each_write_is_logged_once_with_its_request_id_and_changes_and_never_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = writable_server(dir.path());
    let auth = format!("Bearer {TOKEN}");
    let wait = Duration::from_secs(10);

    let r = request(
        &server.addr,
        Method::POST,
        "/v1/bundles",
        &[("authorization", &auth), ("x-request-id", "log-check-post")],
        Some(&minimal()),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location"), Some("/v1/sources/test-minimal"));
    let line = server
        .wait_for_log(|l| l.contains("bundle stored"), wait)
        .expect("a log line for the write");
    for part in [
        "request_id=log-check-post",
        "source=test-minimal",
        "replaced=false",
        "entities_added=3",
        "entities_updated=0",
        "metrics_added=2",
        "metrics_removed=0",
    ] {
        assert!(line.contains(part), "`{part}` missing from: {line}");
    }

    let mut fewer = minimal();
    fewer["metrics"].as_array_mut().unwrap().pop();
    let r = request(
        &server.addr,
        Method::PUT,
        "/v1/bundles/test-minimal",
        &[("authorization", &auth), ("x-request-id", "log-check-put")],
        Some(&fewer),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"]["metrics_removed"], 2, "{}", r.text);
    // The same entities again: stored before, and unchanged.
    assert_eq!(r.body["data"]["entities_updated"], 0, "{}", r.text);
    assert_eq!(r.body["data"]["entities_unchanged"], 3, "{}", r.text);
    let line = server
        .wait_for_log(|l| l.contains("bundle stored"), wait)
        .expect("a log line for the replacement");
    for part in [
        "request_id=log-check-put",
        "replaced=true",
        "entities_added=0",
        "entities_updated=0",
        "entities_unchanged=3",
        "metrics_added=1",
        "metrics_removed=2",
    ] {
        assert!(line.contains(part), "`{part}` missing from: {line}");
    }

    let r = request(
        &server.addr,
        Method::DELETE,
        "/v1/sources/test-minimal",
        &[
            ("authorization", &auth),
            ("x-request-id", "log-check-delete"),
        ],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.text);
    let line = server
        .wait_for_log(|l| l.contains("source deleted"), wait)
        .expect("a log line for the deletion");
    for part in [
        "request_id=log-check-delete",
        "source=test-minimal",
        "metrics_removed=1",
    ] {
        assert!(line.contains(part), "`{part}` missing from: {line}");
    }

    // A wrong token is neither echoed nor logged.
    let wrong = "not-the-token-but-close-0123";
    let r = request(
        &server.addr,
        Method::DELETE,
        "/v1/sources/jinchang-strong-tech",
        &[("authorization", &format!("Bearer {wrong}"))],
        None,
    );
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(
        !r.text.contains(wrong) && !r.text.contains(TOKEN),
        "{}",
        r.text
    );
    // The response log line of the 401 comes last; once it is in, everything before it is.
    server
        .wait_for_log(|l| l.contains("status=401"), wait)
        .expect("the 401 is logged");
    let writes = server
        .log
        .iter()
        .filter(|l| l.contains("bundle stored") || l.contains("source deleted"))
        .count();
    assert_eq!(writes, 3, "one line per write: {:#?}", server.log);
    for line in &server.log {
        assert!(
            !line.contains(TOKEN) && !line.contains(wrong),
            "a token reached the log: {line}"
        );
    }
}
