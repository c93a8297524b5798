//! Drafts: `industry-facts extract` and `POST /v1/drafts` give the same draft for the same
//! text against the same entities; the draft goes through `check --coverage` and `import` as
//! it is; the route is guarded like the writes and says what is wrong with a bad request.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::helpers::{
    TOKEN, TestApp, TestResponse, assert_problem, seed, spawn_app, spawn_writable_app, table_counts,
};
use crate::process::{command, run, stderr};

const LIMIT: usize = 256 * 1024;

async fn post(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    body: String,
) -> TestResponse {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/v1/drafts")
        .header("content-type", content_type);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

/// The request for a seed article, with what its source says about it.
fn request_for(bundle: &Value) -> Value {
    let s = &bundle["source"];
    json!({
        "text": s["text"], "source_id": s["id"], "title": s["title"],
        "publication": s["publication"], "published": s["published"], "authors": s["authors"],
    })
}

/// Every status the route answered is one the document lists for it.
async fn assert_documented(app: &TestApp, statuses: &[u16]) {
    let doc = app.get_ok("/openapi.json").await;
    let responses = &doc["paths"]["/v1/drafts"]["post"]["responses"];
    for status in statuses {
        assert!(
            responses[status.to_string()].is_object(),
            "POST /v1/drafts answers {status} undocumented"
        );
    }
}

#[tokio::test]
async fn the_route_and_the_command_give_the_same_draft() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_writable_app(LIMIT).await;
    // The longest seed article, as a new article would come: a plain text file.
    let bundle = seed()
        .bundles
        .iter()
        .max_by_key(|b| b["source"]["text"].as_str().unwrap().len())
        .unwrap()
        .clone();
    let s = &bundle["source"];
    std::fs::write(dir.path().join("article.txt"), s["text"].as_str().unwrap()).unwrap();
    let mut c = command(dir.path());
    c.args([
        "extract",
        "article.txt",
        "--source-id",
        s["id"].as_str().unwrap(),
        "--title",
        s["title"].as_str().unwrap(),
        "--publication",
        s["publication"].as_str().unwrap(),
        "--published",
        s["published"].as_str().unwrap(),
        "--report",
        "review.json",
    ]);
    for author in s["authors"].as_array().unwrap() {
        c.args(["--author", author.as_str().unwrap()]);
    }
    let out = run(c);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("the draft is JSON");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("review.json")).unwrap())
            .unwrap();

    let r = post(
        &app,
        Some(TOKEN),
        "application/json",
        request_for(&bundle).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body["data"], printed,
        "the route's draft differs from the command's"
    );
    assert_eq!(body["review"], report);
    assert!(!printed["metrics"].as_array().unwrap().is_empty());
    assert_documented(&app, &[200]).await;
}

/// The loop a person follows: extract, check, import; the draft passes as it is.
#[test]
fn an_unedited_draft_checks_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    for (i, bundle) in seed().bundles.iter().enumerate() {
        let text = bundle["source"]["text"].as_str().unwrap();
        let file = format!("article-{i}.txt");
        std::fs::write(dir.path().join(&file), text).unwrap();
        let mut c = command(dir.path());
        c.args(["extract", &file, "--published", "2023-03"]);
        let out = run(c);
        assert!(out.status.success(), "{}", stderr(&out));
        let review = stderr(&out);
        assert!(review.contains("review: /"), "notes go to stderr: {review}");
        std::fs::write(dir.path().join(format!("draft-{i}.json")), &out.stdout).unwrap();
    }
    let drafts: Vec<String> = (0..seed().bundles.len())
        .map(|i| format!("draft-{i}.json"))
        .collect();
    let mut c = command(dir.path());
    c.arg("check").arg("--coverage").args(&drafts);
    let out = run(c);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let mut c = command(dir.path());
    c.args(["import", "--db", "drafts.db"]).args(&drafts);
    let out = run(c);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("stored source")
            .count(),
        drafts.len()
    );
}

#[test]
fn extract_names_what_is_wrong_with_its_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "园区完成投资120亿元。").unwrap();
    for (args, says) in [
        (vec!["extract", "missing.txt"], "missing.txt"),
        (
            vec!["extract", "a.txt", "--published", "2023-13"],
            "--published",
        ),
        (
            vec!["extract", "a.txt", "--source-id", "Not A Slug"],
            "--source-id",
        ),
        (vec!["extract", "a.txt", "--db", "absent.db"], "absent.db"),
        (vec!["extract", "a.txt", "a.txt"], "one article"),
    ] {
        let mut c = command(dir.path());
        c.args(&args);
        let out = run(c);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?} printed a draft");
    }
}

#[tokio::test]
async fn drafts_are_guarded_like_writes() {
    let closed = spawn_app().await;
    let body = json!({"text": "园区完成投资120亿元。"}).to_string();
    let r = post(&closed, Some(TOKEN), "application/json", body.clone()).await;
    assert_problem(&r, 403, None);
    let app = spawn_writable_app(LIMIT).await;
    for token in [None, Some("wrong-token-0123456789")] {
        let r = post(&app, token, "application/json", body.clone()).await;
        assert_problem(&r, 401, None);
        assert!(
            r.header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer"))
        );
    }
    assert_documented(&app, &[401, 403]).await;
}

#[tokio::test]
async fn a_bad_request_is_named_and_stores_nothing() {
    let app = spawn_writable_app(LIMIT).await;
    let before = table_counts(&app.pool).await;
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "text/plain",
            "园区完成投资120亿元。".into(),
            415,
            "application/json",
        ),
        ("application/json", "{not json".into(), 400, "not JSON"),
        (
            "application/json",
            json!({"title": "x"}).to_string(),
            400,
            "text",
        ),
        (
            "application/json",
            json!({"text": "   "}).to_string(),
            400,
            "text",
        ),
        (
            "application/json",
            json!({"text": "x", "publishd": "2023"}).to_string(),
            400,
            "publishd",
        ),
        (
            "application/json",
            json!({"text": "x", "published": "2023-13"}).to_string(),
            400,
            "published",
        ),
        (
            "application/json",
            json!({"text": "x", "source_id": "A B"}).to_string(),
            400,
            "source_id",
        ),
        (
            "application/json",
            json!({"text": 5}).to_string(),
            400,
            "text",
        ),
        (
            "application/json",
            json!({"text": "x".repeat(LIMIT)}).to_string(),
            413,
            "limit",
        ),
    ];
    let mut statuses = Vec::new();
    for (media, body, status, says) in cases {
        let r = post(&app, Some(TOKEN), media, body.clone()).await;
        let problem = assert_problem(&r, status, None);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{body:.60}: {detail}");
        statuses.push(status);
    }
    assert_eq!(table_counts(&app.pool).await, before);
    assert_documented(&app, &statuses).await;
}

/// A draft posted back as a bundle is accepted whole: the route's draft is a valid bundle.
#[tokio::test]
async fn a_draft_posted_back_is_stored() {
    let app = spawn_writable_app(LIMIT).await;
    let text = "测试示范园区建设提速\n\n2023年，金昌经开区完成固定资产投资52.6亿元，同比增长18%。\
                园区新引进储能企业6家，计划总投资超过80亿元，力争到2025年产值突破300亿元。";
    let r = post(
        &app,
        Some(TOKEN),
        "application/json",
        json!({"text": text, "source_id": "draft-loop-test", "published": "2023-12"}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let draft = r.json()["data"].clone();
    let metrics = draft["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 5, "{draft:#}");
    assert!(
        metrics
            .iter()
            .all(|m| m["subject"]["id"] == "jinchang-etdz"),
        "{draft:#}"
    );
    let stored = app
        .send(
            Request::post("/v1/bundles")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::from(draft.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(stored.status, 201, "{}", stored.text());
    assert_eq!(app.total("/v1/metrics?source=draft-loop-test").await, 5);
}

/// A database holding the seed gives the same draft as the seed compiled into the binary:
/// entities are read in one order whatever stored them.
#[test]
fn extract_matches_against_a_database_as_against_the_embedded_seed() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = crate::helpers::seed_files()
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let mut c = command(dir.path());
    c.args(["import", "--db", "stored.db"]).args(&files);
    let out = run(c);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = seed().bundles[1]["source"]["text"].as_str().unwrap();
    std::fs::write(dir.path().join("a.txt"), text).unwrap();
    let draft = |db: Option<&str>| {
        let mut c = command(dir.path());
        c.args(["extract", "a.txt", "--published", "2023-03"]);
        if let Some(db) = db {
            c.args(["--db", db]);
        }
        let out = run(c);
        assert!(out.status.success(), "{}", stderr(&out));
        (
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            stderr(&out),
        )
    };
    let (embedded, embedded_notes) = draft(None);
    let (stored, stored_notes) = draft(Some("stored.db"));
    assert_eq!(stored, embedded);
    assert_eq!(stored_notes, embedded_notes);
    assert!(!embedded["regions"].as_array().unwrap().is_empty());
}
