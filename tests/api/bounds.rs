//! No read can stall the service: search text is bounded in length and words, a read whose
//! database work runs past its budget is stopped with 503 and leaves its connection usable,
//! text searches leave a connection free for everything else, and control characters in a
//! parameter are a 400 naming it, never a 500 or a match on everything.

use std::time::Duration;

use axum::http::StatusCode;
use futures_util::FutureExt;
use serde_json::Value;

use crate::helpers::{COLLECTIONS, TestApp, TestResponse, assert_problem, spawn_app};
use crate::process::{command, http_get, start};
use industry_facts::db::budget::{Reads, Weight};
use industry_facts::fts::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
use industry_facts::{AppState, app, db};

/// Every route that takes `q`: each collection's list and the search across them.
fn q_routes() -> Vec<String> {
    COLLECTIONS
        .iter()
        .map(|c| format!("/v1/{c}"))
        .chain(["/v1/search".to_owned()])
        .collect()
}

fn problem_message(body: &Value, param: &str) -> String {
    body["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["param"] == param))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn words(word: &str, n: usize) -> String {
    vec![word; n].join(" ")
}

#[tokio::test]
async fn search_text_over_the_limits_is_a_400_naming_q_and_the_limit() {
    let app = spawn_app().await;
    let too_long = words("ab", 13_000);
    let too_wordy = words("a", MAX_QUERY_WORDS + 1);
    assert!(too_wordy.chars().count() <= MAX_QUERY_CHARS);
    for route in q_routes() {
        for (q, limit) in [(&too_long, MAX_QUERY_CHARS), (&too_wordy, MAX_QUERY_WORDS)] {
            let r = app.get(&format!("{route}?q={q}")).await;
            let body = assert_problem(&r, 400, Some("q"));
            let message = problem_message(&body, "q");
            assert!(
                message.contains(&limit.to_string()),
                "{route}: the message names the limit {limit}: {message}"
            );
        }
        // At the limits the text is searched.
        let longest = "x".repeat(MAX_QUERY_CHARS);
        let wordiest = words("a", MAX_QUERY_WORDS);
        for q in [longest, wordiest] {
            app.get_ok(&format!("{route}?q={q}")).await;
        }
    }
}

#[tokio::test]
async fn a_word_given_twice_finds_what_it_finds_once() {
    let app = spawn_app().await;
    for route in ["/v1/search", "/v1/metrics", "/v1/enterprises"] {
        let once = app.ids(&format!("{route}?q=nickel")).await;
        assert!(!once.is_empty(), "{route}: the seed mentions nickel");
        let repeated = app
            .ids(&format!("{route}?q=nickel NICKEL nickel Nickel"))
            .await;
        assert_eq!(once, repeated, "{route}");
    }
}

/// A router over the seeded in-memory database whose reads have no budget at all. The
/// database has one connection, so whatever a stopped read leaves behind, the next request
/// meets on that same connection.
async fn spent_app() -> TestApp {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
    TestApp {
        router: app(AppState::new(pool.clone()).with_query_timeout(Duration::ZERO)),
        pool,
    }
}

fn assert_query_timeout(r: &TestResponse) {
    let body = assert_problem(r, 503, None);
    assert_eq!(body["code"], "timeout", "{body}");
    assert_eq!(r.header("retry-after"), Some("1"), "Retry-After");
    assert!(
        body["detail"].as_str().unwrap().contains("budget"),
        "{body}"
    );
}

#[tokio::test]
async fn a_read_past_its_budget_is_stopped_with_503_and_its_connection_serves_on() {
    let spent = spent_app().await;
    // Each of these runs thousands of SQLite steps on the seed (a literal scan of every text
    // for a single character, a page joining every metric); with nothing left of the budget
    // SQLite stops them at the first check.
    for path in [
        "/v1/search?q=金",
        "/v1/metrics?q=金",
        "/v1/metrics?limit=1000",
    ] {
        assert_query_timeout(&spent.get(path).await);
    }
    // The one connection went back to the pool usable: the health check answers, and once
    // the pool has a budget again, a cheap read and the very searches that were stopped do.
    assert_eq!(spent.get("/health").await.status, StatusCode::OK);
    let fresh = TestApp::new(spent.pool.clone());
    fresh.get_ok("/v1/regions/jinchang").await;
    let hits = fresh.get_ok("/v1/search?q=金").await;
    assert!(hits["meta"]["total"].as_i64().unwrap() > 0, "{hits}");
    fresh.get_ok("/v1/metrics?limit=1000").await;
    // A statement of thousands of steps straight on the pool is timed from its own start,
    // not stopped by the clock of one stopped before it.
    let n: i64 = sqlx::query_scalar(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         SELECT count(*) FROM n",
    )
    .fetch_one(&spent.pool)
    .await
    .expect("the connection carries no spent clock");
    assert_eq!(n, 100_000);
}

/// A write is never stopped halfway by the read budget: the clock times statements that
/// write nothing.
#[tokio::test]
async fn the_read_budget_does_not_stop_writes() {
    let spent = spent_app().await;
    let n = sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO settings (key, value) SELECT 'budget-' || i, i FROM n",
    )
    .execute(&spent.pool)
    .await
    .expect("a write of thousands of steps runs to its end")
    .rows_affected();
    assert_eq!(n, 100_000);
    // The same steps in a statement that only reads are stopped.
    let stopped = sqlx::query_scalar::<_, i64>(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         SELECT count(*) FROM n",
    )
    .fetch_one(&spent.pool)
    .await
    .expect_err("a read of thousands of steps is stopped at once");
    assert!(
        industry_facts::db::budget::is_interrupted(&stopped),
        "{stopped}"
    );
}

#[tokio::test]
async fn text_searches_leave_a_connection_for_everything_else() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("facts.db");
    let pool = db::connect(file.to_str().unwrap()).await.unwrap();
    let connections = pool.options().get_max_connections() as usize;
    assert!(connections > 1, "a file database has a pool of several");
    let reads = Reads::new(&pool, Duration::from_secs(60));

    let mut heavy = Vec::new();
    for _ in 0..connections - 1 {
        heavy.push(reads.acquire(&pool, Weight::Heavy).await.unwrap());
    }
    // One more search waits for its share (its first poll cannot complete)…
    let mut waiting = Box::pin(reads.acquire(&pool, Weight::Heavy));
    assert!(
        (&mut waiting).now_or_never().is_none(),
        "every search share is taken"
    );
    // …while a cheap read still gets the connection set aside. The bound only turns a
    // regression into a failure instead of a hang.
    let mut light =
        tokio::time::timeout(Duration::from_secs(30), reads.acquire(&pool, Weight::Light))
            .await
            .expect("a cheap read is not kept waiting by searches")
            .unwrap();
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut *light)
        .await
        .unwrap();
    assert_eq!(one, 1);
    drop(light);
    // A search that ends hands its share on.
    heavy.pop();
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the waiting search gets the freed share")
        .unwrap();
}

/// `%XX` as the URL carries it, for each control character a client might send.
const CONTROLS: [&str; 6] = ["%00", "a%00", "%00%00b", "%01", "a%1Fb", "%7F"];

#[tokio::test]
async fn control_characters_in_q_are_a_400_naming_q_on_every_route() {
    let app = spawn_app().await;
    for route in q_routes() {
        for c in CONTROLS {
            let r = app.get(&format!("{route}?q={c}")).await;
            let body = assert_problem(&r, 400, Some("q"));
            assert!(
                problem_message(&body, "q").contains("control character"),
                "{route}?q={c}: {body}"
            );
        }
        // U+0085 is a control character too, whatever the encoding of the rest.
        let r = app.get(&format!("{route}?q=nickel%C2%85")).await;
        assert_problem(&r, 400, Some("q"));
    }
}

#[tokio::test]
async fn tabs_and_line_breaks_in_q_separate_words_like_spaces() {
    let app = spawn_app().await;
    for route in ["/v1/search", "/v1/metrics"] {
        let spaced = app.ids(&format!("{route}?q=nickel cobalt")).await;
        for sep in ["%09", "%0A", "%0D%0A"] {
            let other = app.ids(&format!("{route}?q=nickel{sep}cobalt")).await;
            assert_eq!(spaced, other, "{route} with {sep}");
        }
    }
}

/// The query parameters `/openapi.json` documents for a route.
fn documented_params(doc: &Value, route: &str) -> Vec<String> {
    doc["paths"][route]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{route} has parameters"))
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn control_characters_in_any_parameter_or_id_are_refused_never_a_500() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    for route in q_routes() {
        let params = documented_params(&doc, &route);
        assert!(params.iter().any(|p| p == "cursor"), "{route}: {params:?}");
        for param in &params {
            for c in CONTROLS {
                let r = app.get(&format!("{route}?{param}={c}")).await;
                assert_problem(&r, 400, Some(param));
            }
        }
    }
    for collection in COLLECTIONS {
        for c in CONTROLS {
            let r = app.get(&format!("/v1/{collection}/{c}")).await;
            assert_problem(&r, 404, None);
        }
    }
}

#[test]
fn the_binary_refuses_the_long_search_and_takes_its_budget_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("facts.db");
    let mut c = command(dir.path());
    c.args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
        .env("INDUSTRY_FACTS_QUERY_TIMEOUT_MS", "750");
    let mut server = start(c);
    let configured = server
        .wait_for_log(|l| l.contains("configured"), Duration::from_secs(20))
        .expect("the configuration is logged");
    assert!(configured.contains("query_timeout_ms=750"), "{configured}");

    let q = vec!["ab"; 13_000].join("%20");
    for route in ["/v1/search", "/v1/metrics"] {
        let (status, body) = http_get(&server.addr, &format!("{route}?q={q}"));
        assert_eq!(status, 400, "{route}: {body}");
        assert!(
            problem_message(&body, "q").contains(&MAX_QUERY_CHARS.to_string()),
            "{body}"
        );
    }
    let (status, body) = http_get(&server.addr, "/v1/search?q=nickel");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_query_budget_beyond_the_request_deadline_is_cut_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("facts.db");
    let mut c = command(dir.path());
    c.args([
        "--addr",
        "127.0.0.1:0",
        "--db",
        db.to_str().unwrap(),
        "--request-timeout-secs",
        "2",
        "--query-timeout-ms",
        "60000",
    ]);
    let mut server = start(c);
    let configured = server
        .wait_for_log(|l| l.contains("configured"), Duration::from_secs(20))
        .expect("the configuration is logged");
    assert!(configured.contains("query_timeout_ms=2000"), "{configured}");
}
