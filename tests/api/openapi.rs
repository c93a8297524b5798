//! `/health` and `/openapi.json`: the document must promise every route and every filter the
//! contract names, and the routes must accept whatever it promises.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{COLLECTIONS, spawn_app};

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    assert_eq!(app.get_ok("/health").await, json!({"status": "ok"}));
}

#[tokio::test]
async fn openapi_is_3_1_and_documents_every_route() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut expected: Vec<String> = ["/v1/search", "/health", "/openapi.json"]
        .map(String::from)
        .to_vec();
    for c in COLLECTIONS {
        expected.push(format!("/v1/{c}"));
        expected.push(format!("/v1/{c}/{{id}}"));
    }
    for p in &expected {
        assert!(
            paths[p.as_str()]["get"].is_object(),
            "no GET {p} in the document"
        );
    }
}

fn documented_params(doc: &Value, path: &str) -> BTreeSet<String> {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has no parameters"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_list_documents_every_contract_filter() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    let common = ["limit", "cursor", "sort", "q", "format"];
    let filters: &[(&str, &[&str])] = &[
        ("regions", &["level", "parent", "region"]),
        ("enterprises", &["kind", "region", "industry"]),
        ("projects", &["status", "region", "enterprise"]),
        ("policies", &["kind", "region"]),
        ("indicators", &["unit"]),
        ("sources", &[]),
        (
            "metrics",
            &[
                "indicator",
                "subject_type",
                "subject",
                "region",
                "unit",
                "qualifier",
                "kind",
                "period",
                "from",
                "to",
                "min",
                "max",
                "source",
            ],
        ),
    ];
    for (c, names) in filters {
        let documented = documented_params(&doc, &format!("/v1/{c}"));
        for name in names.iter().chain(common.iter()) {
            assert!(
                documented.contains(*name),
                "/v1/{c} does not document {name}"
            );
        }
    }
    assert!(documented_params(&doc, "/v1/search").contains("q"));
}

/// The document and the routes must not drift: whatever it lists, the route accepts.
#[tokio::test]
async fn every_documented_parameter_is_accepted() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    let unknown =
        crate::helpers::assert_problem(&app.get("/v1/regions?zzzz=1").await, 400, Some("zzzz"));
    let unknown_msg = unknown["errors"][0]["message"].as_str().unwrap().to_owned();
    let mut paths: Vec<String> = COLLECTIONS.iter().map(|c| format!("/v1/{c}")).collect();
    paths.push("/v1/search".into());
    for path in paths {
        for name in documented_params(&doc, &path) {
            let r = app.get(&format!("{path}?{name}=1&q=x")).await;
            if r.status == 200 {
                continue;
            }
            let body = r.json();
            for e in body["errors"].as_array().into_iter().flatten() {
                assert!(
                    !(e["param"] == name.as_str() && e["message"] == unknown_msg.as_str()),
                    "{path} documents `{name}` but does not accept it"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_docs_page_is_html_over_the_same_document() {
    let app = spawn_app().await;
    let r = app.get("/docs").await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let page = r.text();
    assert!(
        page.contains("fetch('/openapi.json')"),
        "the page reads the served document"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no assets from elsewhere"
    );
}
