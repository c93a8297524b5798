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

/// The text of a page with its entities turned back into characters.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The part of `page` from `start` up to the next `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no `{start}`")) + start.len();
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap()]
}

/// The page is rendered on the server: each route of the document has its section with every
/// parameter, without a script, and nothing is loaded from elsewhere.
#[tokio::test]
async fn the_docs_page_reads_without_javascript() {
    let app = spawn_app().await;
    let r = app.get("/docs").await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let page = r.text();
    assert!(!page.contains("<script"), "no script needed");
    assert!(
        !page.contains("src=") && !page.contains("href=\"http") && !page.contains("url("),
        "no assets from elsewhere"
    );
    let doc = app.get_ok("/openapi.json").await;
    let mut sections = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let head = format!(
                "data-path=\"{}\" data-method=\"{method}\">",
                path.replace('&', "&amp;")
            );
            let section = between(&page, &head, "</section>");
            sections += 1;
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                assert!(
                    section.contains(&format!("data-param=\"{name}\"")),
                    "{method} {path} shows its parameter `{name}`"
                );
            }
            let ok = op["responses"]["200"]["content"]["application/json"]["schema"].clone();
            if let Some(name) = ok["properties"]["data"]["$ref"]
                .as_str()
                .or(ok["$ref"].as_str())
                .and_then(|r| r.rsplit('/').next())
            {
                assert!(
                    section.contains(&format!("href=\"#schema-{name}\"")),
                    "{method} {path} links its response schema {name}"
                );
                assert!(page.contains(&format!("id=\"schema-{name}\"")));
            }
        }
    }
    assert!(sections >= 25, "{sections}");
}

/// Each example on the page is the route's own answer, so it cannot drift from the data or
/// the code.
#[tokio::test]
async fn the_docs_examples_are_what_the_routes_answer() {
    let app = spawn_app().await;
    let page = app.get("/docs").await.text();
    let mut checked = Vec::new();
    for (at, _) in page.match_indices("<pre class=\"example\" data-example=\"") {
        let rest = &page[at..];
        let url = unescape(between(rest, "data-example=\"", "\""));
        let shown: Value = serde_json::from_str(&unescape(between(rest, ">", "</pre>")))
            .unwrap_or_else(|e| panic!("{url}: the example is not JSON: {e}"));
        assert_eq!(shown, app.get_ok(&url).await, "the example of {url}");
        checked.push(url);
    }
    let doc = app.get_ok("/openapi.json").await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let data = item["get"]["responses"]["200"]["content"]
            .get("application/json")
            .is_some();
        if data && path != "/openapi.json" {
            let list = path.trim_end_matches("/{id}");
            assert!(
                checked.iter().any(|u| {
                    let p = u.split('?').next().unwrap();
                    if path.ends_with("/{id}") {
                        p.starts_with(&format!("{list}/"))
                            && !p[list.len() + 1..].contains('/')
                            && doc["paths"].get(p).is_none()
                    } else {
                        p == path
                    }
                }),
                "{path} has an example: {checked:?}"
            );
        }
    }
}
