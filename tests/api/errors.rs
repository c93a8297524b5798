//! Errors are RFC 9457 problems that name the offending parameter: a typo or a bad value must
//! never quietly return unfiltered data.

use axum::body::Body;
use axum::http::Request;

use crate::helpers::{assert_problem, seed, spawn_app};

#[tokio::test]
async fn an_unknown_parameter_is_named() {
    let app = spawn_app().await;
    for (path, param) in [
        ("/v1/regions?levl=zone", "levl"),
        ("/v1/metrics?regoin=gansu", "regoin"),
        ("/v1/enterprises?industy=nickel", "industy"),
        ("/v1/sources?page=2", "page"),
        ("/v1/regions/jinchang?levl=zone", "levl"),
    ] {
        assert_problem(&app.get(path).await, 400, Some(param));
    }
}

#[tokio::test]
async fn a_bad_limit_is_named() {
    let app = spawn_app().await;
    for v in ["5000", "1001", "abc", "-1", "1.5"] {
        let r = app.get(&format!("/v1/metrics?limit={v}")).await;
        assert_problem(&r, 400, Some("limit"));
    }
    assert_eq!(app.get("/v1/metrics?limit=1000").await.status, 200);
    assert_eq!(app.get("/v1/metrics?limit=1").await.status, 200);
}

#[tokio::test]
async fn malformed_numbers_years_and_periods_are_named() {
    let app = spawn_app().await;
    for (query, param) in [
        ("min=abc", "min"),
        ("max=1e", "max"),
        ("max=NaN", "max"),
        ("from=22", "from"),
        ("from=2022-01", "from"),
        ("to=abcd", "to"),
        ("period=2022-13", "period"),
        ("period=22", "period"),
    ] {
        let r = app.get(&format!("/v1/metrics?{query}")).await;
        assert_problem(&r, 400, Some(param));
    }
}

#[tokio::test]
async fn a_bad_cursor_is_named() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics?cursor=not-a-cursor!!").await;
    assert_problem(&r, 400, Some("cursor"));
    let r = app.get("/v1/metrics?cursor=eyJ4IjoxfQ").await; // base64 of {"x":1}
    assert_problem(&r, 400, Some("cursor"));
}

#[tokio::test]
async fn a_cursor_from_another_sort_is_refused() {
    let app = spawn_app().await;
    let page = app.get_ok("/v1/metrics?sort=value&limit=5").await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
    for other in ["period", "-value", "id"] {
        let r = app
            .get(&format!("/v1/metrics?sort={other}&limit=5&cursor={cursor}"))
            .await;
        assert_problem(&r, 400, Some("cursor"));
    }
    let r = app
        .get(&format!("/v1/metrics?limit=5&cursor={cursor}"))
        .await;
    assert_problem(&r, 400, Some("cursor"));
}

#[tokio::test]
async fn an_unknown_sort_field_is_named() {
    let app = spawn_app().await;
    for path in [
        "/v1/metrics?sort=foo",
        "/v1/metrics?sort=-foo",
        "/v1/metrics?sort=quote",
        "/v1/regions?sort=value",
    ] {
        assert_problem(&app.get(path).await, 400, Some("sort"));
    }
}

#[tokio::test]
async fn an_unknown_enum_value_is_named() {
    let app = spawn_app().await;
    for (path, param) in [
        ("/v1/regions?level=city", "level"),
        ("/v1/enterprises?kind=foo", "kind"),
        ("/v1/projects?status=done", "status"),
        ("/v1/policies?kind=foo", "kind"),
        ("/v1/indicators?unit=kg", "unit"),
        ("/v1/metrics?kind=foo", "kind"),
        ("/v1/metrics?unit=kg", "unit"),
        ("/v1/metrics?qualifier=about", "qualifier"),
        ("/v1/metrics?subject_type=person", "subject_type"),
        ("/v1/metrics?unit=cny", "unit"),
    ] {
        assert_problem(&app.get(path).await, 400, Some(param));
    }
}

#[tokio::test]
async fn an_unknown_id_in_a_filter_is_named() {
    let app = spawn_app().await;
    for (path, param) in [
        ("/v1/metrics?region=atlantis", "region"),
        ("/v1/metrics?indicator=happiness", "indicator"),
        ("/v1/metrics?subject=nobody", "subject"),
        ("/v1/metrics?source=no-such-article", "source"),
        ("/v1/regions?parent=atlantis", "parent"),
        ("/v1/regions?region=atlantis", "region"),
        ("/v1/enterprises?region=atlantis", "region"),
        ("/v1/projects?enterprise=nobody", "enterprise"),
        ("/v1/projects?region=atlantis", "region"),
        ("/v1/policies?region=atlantis", "region"),
        ("/v1/metrics?region=Gansuu", "region"),
    ] {
        assert_problem(&app.get(path).await, 400, Some(param));
    }
}

#[tokio::test]
async fn a_repeated_or_empty_parameter_is_named() {
    let app = spawn_app().await;
    for (path, param) in [
        ("/v1/regions?level=zone,", "level"),
        ("/v1/metrics?sort=id&sort=value", "sort"),
        ("/v1/metrics?limit=5&limit=5", "limit"),
        ("/v1/regions?level=", "level"),
    ] {
        assert_problem(&app.get(path).await, 400, Some(param));
    }
}

#[tokio::test]
async fn every_problem_of_a_request_is_listed() {
    let app = spawn_app().await;
    let r = app
        .get("/v1/metrics?limit=-1&levl=x&sort=foo&unit=kg")
        .await;
    let body = assert_problem(&r, 400, Some("limit"));
    for param in ["levl", "sort", "unit"] {
        assert!(
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["param"] == param),
            "{param} missing from {body}"
        );
    }
    for e in body["errors"].as_array().unwrap() {
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    }
}

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    for path in [
        "/v1/nothing",
        "/nothing",
        "/v1/regions/jinchang/extra",
        "/v2/regions",
        "/",
    ] {
        assert_problem(&app.get(path).await, 404, None);
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let app = spawn_app().await;
    for (method, path) in [
        ("POST", "/v1/regions"),
        ("DELETE", "/v1/regions/jinchang"),
        ("PUT", "/v1/metrics"),
        ("POST", "/health"),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let r = app.send(request).await;
        assert_problem(&r, 405, None);
    }
}

/// RFC 9110 §15.5.6: a 405 MUST say which methods the resource supports.
#[tokio::test]
async fn a_405_lists_the_allowed_methods() {
    let app = spawn_app().await;
    let request = Request::post("/v1/regions").body(Body::empty()).unwrap();
    let r = app.send(request).await;
    assert_eq!(r.status, 405);
    let allow = r.header("allow").unwrap_or_default();
    assert!(allow.contains("GET"), "Allow: {allow:?}");
}

#[tokio::test]
async fn hostile_search_text_is_just_text() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics?q=' OR 1=1 --").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["meta"]["total"], 0);
    // `%` and `_` are LIKE wildcards; they must match only themselves.
    let with_percent = seed().metric_ids_where(|m| m.raw["quote"].as_str().unwrap().contains('%'));
    assert!(!with_percent.is_empty());
    assert_eq!(app.ids("/v1/metrics?q=%25").await, with_percent);
    assert_eq!(app.total("/v1/regions?q=_").await, 0);
}
