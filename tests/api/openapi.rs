//! `/health` and `/openapi.json`: the document must promise every route and every filter the
//! contract names, and the routes must accept whatever it promises.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{COLLECTIONS, spawn_app};

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    assert_eq!(app.get_ok("/health").await, json!({"status": "ok"}));
}

/// The router's own table against the document: a route added without documentation, or
/// documentation of a route that does not exist, fails here.
#[tokio::test]
async fn every_route_the_router_serves_is_documented_and_nothing_more() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    let routes = industry_facts::routes::routes();
    let served: BTreeSet<(String, String)> = routes
        .table()
        .iter()
        .map(|(m, p)| (m.as_str().to_lowercase(), p.clone()))
        .collect();
    assert!(served.len() >= 21, "{served:?}");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert_eq!(
        served.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "served but not documented"
    );
    assert_eq!(
        documented.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not served"
    );
    // The table is the router: every entry reaches a handler, not the router's fallbacks.
    for (method, path) in routes.table() {
        let uri = path.replace("{id}", "x").replace("{source_id}", "x");
        let request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let r = app.send(request).await;
        assert_ne!(r.status, 405, "{method} {uri}");
        assert!(
            !(r.status == 404 && r.text().contains("no such route")),
            "{method} {uri} is in the table but not routed"
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
