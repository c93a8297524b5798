//! Real responses against the OpenAPI document: every status a route answers is documented
//! for it, with the media type it came in, and every JSON body validates against the
//! documented schema (objects closed, so a field the document does not name fails too).

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use industry_facts::{AppState, Layers, app_with, db};

use crate::bundles::minimal;
use crate::helpers::{COLLECTIONS, TOKEN, TestApp, TestResponse, spawn_app, spawn_writable_app};
use crate::storage::padded;

/// Forbids properties a schema does not list, everywhere below `v`. The members of an
/// `allOf` stay open (each names only part of the object), and the whole is closed instead.
fn close_objects(v: &mut Value, member_of_all_of: bool) {
    match v {
        Value::Object(map) => {
            if map.contains_key("allOf") {
                map.insert("unevaluatedProperties".into(), json!(false));
            } else if map.contains_key("properties")
                && !member_of_all_of
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".into(), json!(false));
            }
            for (key, child) in map.iter_mut() {
                if key == "allOf" {
                    for member in child.as_array_mut().into_iter().flatten() {
                        close_objects(member, true);
                    }
                } else {
                    close_objects(child, false);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| close_objects(i, false)),
        _ => {}
    }
}

/// Copies referenced components into `allOf` members, so closing a component on its own
/// does not close it where it is only a part.
fn inline_all_of(components: &mut Value) {
    let original = components.clone();
    for schema in components["schemas"].as_object_mut().unwrap().values_mut() {
        let members = schema.get_mut("allOf").and_then(Value::as_array_mut);
        for member in members.into_iter().flatten() {
            if let Some(name) = member["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                *member = original["schemas"][name].clone();
            }
        }
    }
}

/// The documented path template a concrete path falls under.
fn template<'d>(doc: &'d Value, path: &str) -> Option<&'d str> {
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')))
        })
}

struct Checker {
    doc: Value,
    checked: usize,
}

impl Checker {
    fn new(doc: Value) -> Self {
        Self { doc, checked: 0 }
    }

    fn check(&mut self, method: &Method, uri: &str, r: &TestResponse) {
        let path = uri.split('?').next().unwrap();
        let t = template(&self.doc, path).unwrap_or_else(|| panic!("{path} is not documented"));
        let op = &self.doc["paths"][t][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {t} is not documented");
        let status = r.status.as_str();
        let response = &op["responses"][status];
        assert!(
            response.is_object(),
            "{method} {uri} answered {status}, which {t} does not document: {}",
            r.text()
        );
        let body = r.text();
        if body.is_empty() {
            return;
        }
        let media = r.header("content-type").unwrap_or_default();
        let media = media.split(';').next().unwrap().trim();
        let content = response["content"].as_object().unwrap_or_else(|| {
            panic!("{method} {uri} {status} has a body but documents no content")
        });
        let (_, documented) = content
            .iter()
            .find(|(k, _)| k.split(';').next().unwrap().trim() == media)
            .unwrap_or_else(|| panic!("{method} {uri} {status}: {media} is not documented"));
        if media.ends_with("json") {
            let mut schema = documented["schema"].clone();
            let mut components = self.doc["components"].clone();
            inline_all_of(&mut components);
            close_objects(&mut components, false);
            if t != "/openapi.json" {
                close_objects(&mut schema, false);
            }
            schema["components"] = components;
            let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
            let instance: Value = serde_json::from_str(&body).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{method} {uri} {status}: {errors:#?}");
        }
        self.checked += 1;
    }

    async fn get(&mut self, app: &TestApp, uri: &str) -> TestResponse {
        let r = app.get(uri).await;
        self.check(&Method::GET, uri, &r);
        r
    }

    async fn send(
        &mut self,
        app: &TestApp,
        method: Method,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: String,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("content-type", content_type);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let r = app.send(request.body(Body::from(body)).unwrap()).await;
        self.check(&method, uri, &r);
        r
    }
}

#[tokio::test]
async fn every_read_answers_as_documented() {
    let app = spawn_app().await;
    let doc = app.get_ok("/openapi.json").await;
    let mut c = Checker::new(doc);
    for uri in ["/health", "/openapi.json", "/docs"] {
        assert_eq!(c.get(&app, uri).await.status, 200, "{uri}");
    }
    for collection in COLLECTIONS {
        let list = c.get(&app, &format!("/v1/{collection}?limit=3")).await;
        assert_eq!(list.status, 200);
        let page = list.json();
        assert!(
            page["meta"]["next_cursor"].is_string(),
            "{collection} has a second page"
        );
        let next = format!(
            "/v1/{collection}?limit=3&cursor={}",
            page["meta"]["next_cursor"].as_str().unwrap()
        );
        assert_eq!(c.get(&app, &next).await.status, 200);
        let all = c.get(&app, &format!("/v1/{collection}?limit=1000")).await;
        for item in all.json()["data"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            assert_eq!(
                c.get(&app, &format!("/v1/{collection}/{id}")).await.status,
                200
            );
        }
        assert_eq!(
            c.get(&app, &format!("/v1/{collection}?format=csv"))
                .await
                .status,
            200
        );
        assert_eq!(
            c.get(&app, &format!("/v1/{collection}/no-such-id"))
                .await
                .status,
            404
        );
        assert_eq!(
            c.get(&app, &format!("/v1/{collection}?bogus=1"))
                .await
                .status,
            400
        );
        assert_eq!(
            c.get(&app, &format!("/v1/{collection}?q=%E9%87%91%E6%98%8C"))
                .await
                .status,
            200
        );

        // A revalidation answers 304, which the document must list too.
        let first = app.get(&format!("/v1/{collection}")).await;
        let etag = first.header("etag").unwrap().to_owned();
        let uri = format!("/v1/{collection}");
        let r = app.get_with(&uri, &[("if-none-match", &etag)]).await;
        assert_eq!(r.status, 304);
        c.check(&Method::GET, &uri, &r);
    }
    assert_eq!(
        c.get(&app, "/v1/search?q=%E9%87%91%E6%98%8C&limit=1000")
            .await
            .status,
        200
    );
    assert_eq!(
        c.get(&app, "/v1/search?q=nickel&format=csv").await.status,
        200
    );
    assert_eq!(c.get(&app, "/v1/search").await.status, 400);
    for (uri, status) in [
        ("/v1/metrics/breakdown?by=region&by=kind&unit=CNY", 200),
        (
            "/v1/metrics/breakdown?by=region&level=province&by=unit",
            200,
        ),
        ("/v1/metrics/breakdown?by=period", 400),
        ("/v1/series?limit=2", 200),
        ("/v1/series?region=jinchang", 200),
        ("/v1/series?kind=bogus", 400),
    ] {
        assert_eq!(c.get(&app, uri).await.status, status, "{uri}");
    }
    assert!(c.checked > 150, "{} responses checked", c.checked);
}

/// Method, URI, token, content type, body and the status it must get.
type WriteCase = (
    Method,
    &'static str,
    Option<&'static str>,
    &'static str,
    String,
    u16,
);

#[tokio::test]
async fn every_write_answers_as_documented() {
    let closed = spawn_app().await;
    let doc = closed.get_ok("/openapi.json").await;
    let mut c = Checker::new(doc);
    let bundle = minimal().to_string();
    let json = "application/json";
    let r = c
        .send(
            &closed,
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            bundle.clone(),
        )
        .await;
    assert_eq!(r.status, 403);

    let app = spawn_writable_app(64 * 1024).await;
    // The first bundle's zone moved to Baotou, by a source of its own.
    let mut moved = minimal();
    moved["source"]["id"] = json!("test-moved");
    moved["regions"][0]["parent_id"] = json!("baotou");
    let moved = moved.to_string();
    let cases: Vec<WriteCase> = vec![
        (Method::POST, "/v1/bundles", None, json, bundle.clone(), 401),
        (
            Method::POST,
            "/v1/bundles",
            Some("wrong-token-0123456789"),
            json,
            bundle.clone(),
            401,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            "text/plain",
            bundle.clone(),
            415,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            "{not json".into(),
            400,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            "x".repeat(128 * 1024),
            413,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            r#"{"source": 1}"#.into(),
            422,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            bundle.clone(),
            201,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            bundle.clone(),
            409,
        ),
        (
            Method::PUT,
            "/v1/bundles/test-minimal",
            Some(TOKEN),
            json,
            bundle.clone(),
            200,
        ),
        (
            Method::PUT,
            "/v1/bundles/other-id",
            Some(TOKEN),
            json,
            bundle.clone(),
            422,
        ),
        (
            Method::DELETE,
            "/v1/sources/test-minimal",
            Some(TOKEN),
            json,
            String::new(),
            204,
        ),
        (
            Method::DELETE,
            "/v1/sources/test-minimal",
            Some(TOKEN),
            json,
            String::new(),
            404,
        ),
        (
            Method::PUT,
            "/v1/bundles/test-minimal",
            Some(TOKEN),
            json,
            bundle.clone(),
            201,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            moved.clone(),
            409,
        ),
        (
            Method::PUT,
            "/v1/bundles/test-moved",
            Some(TOKEN),
            json,
            moved.clone(),
            409,
        ),
        (
            Method::POST,
            "/v1/bundles?entities=maybe",
            Some(TOKEN),
            json,
            moved.clone(),
            400,
        ),
        (
            Method::PUT,
            "/v1/bundles/test-moved?entities=update",
            Some(TOKEN),
            json,
            moved.clone(),
            201,
        ),
        (
            Method::POST,
            "/v1/bundles",
            Some(TOKEN),
            json,
            r#"{"source": {}, "source": {}}"#.into(),
            422,
        ),
        (
            Method::DELETE,
            "/v1/sources/test-moved?cascade=1",
            Some(TOKEN),
            json,
            String::new(),
            400,
        ),
    ];
    for (method, uri, token, media, body, status) in cases {
        let r = c.send(&app, method.clone(), uri, token, media, body).await;
        assert_eq!(r.status.as_u16(), status, "{method} {uri}: {}", r.text());
    }
}

/// What a write meets from the database rather than from its own request: a turn not had in
/// time (503 `busy`), a database with no room (507), and `/health` while writes fail.
#[tokio::test]
async fn busy_and_full_refusals_and_degraded_health_answer_as_documented() {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
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
    let mut c = Checker::new(app.get_ok("/openapi.json").await);
    let json = "application/json";
    let bundle = padded("test-full", 60_000).to_string();

    let turn = writes.turn(writes.deadline()).await.unwrap();
    for (method, uri, body) in [
        (Method::POST, "/v1/bundles", bundle.clone()),
        (Method::PUT, "/v1/bundles/test-full", bundle.clone()),
        (
            Method::DELETE,
            "/v1/sources/jinchang-strong-tech",
            String::new(),
        ),
    ] {
        let r = c
            .send(&app, method.clone(), uri, Some(TOKEN), json, body)
            .await;
        assert_eq!(r.status, 503, "{method} {uri}: {}", r.text());
    }
    drop(turn);

    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 4))
        .execute(&app.pool)
        .await
        .unwrap();
    for (method, uri) in [
        (Method::POST, "/v1/bundles"),
        (Method::PUT, "/v1/bundles/test-full"),
    ] {
        let r = c
            .send(&app, method.clone(), uri, Some(TOKEN), json, bundle.clone())
            .await;
        assert_eq!(r.status, 507, "{method} {uri}: {}", r.text());
    }
    let health = c.get(&app, "/health").await;
    assert_eq!(health.json()["status"], "degraded");
    assert_eq!(c.checked, 6);
}
