//! `/v1/search`: one query across every collection, with a snippet per hit.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, ids_of, spawn_app};

async fn search(app: &TestApp, q: &str) -> Vec<Value> {
    app.list_all(&format!("/v1/search?q={q}")).await
}

pub fn keys(hits: &[Value]) -> BTreeSet<(String, String)> {
    hits.iter()
        .map(|h| {
            (
                h["type"].as_str().unwrap().to_owned(),
                h["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(hits: &[Value], kind: &str, id: &str) -> bool {
    keys(hits).contains(&(kind.to_owned(), id.to_owned()))
}

#[tokio::test]
async fn hits_have_the_contract_fields() {
    let app = spawn_app().await;
    let hits = search(&app, "金昌").await;
    assert!(!hits.is_empty());
    assert_eq!(keys(&hits).len(), hits.len(), "a hit is listed twice");
    for h in &hits {
        for field in ["type", "id", "name_zh", "name_en", "snippet"] {
            assert!(h[field].is_string(), "{field} of {h}");
        }
        // Every id is ASCII, so a Chinese term matched the text the snippet is cut from;
        // the metrics found because 金昌 names their place are the exception.
        if !crate::fulltext::of_named_place(h, "jinchang") {
            assert!(h["snippet"].as_str().unwrap().contains("金昌"), "{h}");
        }
    }
}

#[tokio::test]
async fn chinese_two_characters_find_every_kind_of_thing() {
    let app = spawn_app().await;
    let hits = search(&app, "金昌").await;
    assert!(has(&hits, "region", "jinchang"), "{:?}", keys(&hits));
    assert!(has(&hits, "region", "jinchang-etdz"));
    assert!(has(
        &hits,
        "enterprise",
        "jinchang-science-technology-bureau"
    ));
    assert!(has(&hits, "source", "jinchang-strong-tech"));
    let kinds: BTreeSet<_> = hits.iter().map(|h| h["type"].as_str().unwrap()).collect();
    assert!(
        kinds.len() >= 4,
        "金昌 is in regions, enterprises, projects, policies: {kinds:?}"
    );

    let hits = search(&app, "镍钴").await;
    assert!(has(
        &hits,
        "enterprise",
        "state-key-lab-nickel-cobalt-resources"
    ));
    assert!(has(
        &hits,
        "project",
        "jinchang-5g-nickel-cobalt-industrial-park"
    ));
    assert!(has(&hits, "source", "jinchang-strong-tech"));
}

#[tokio::test]
async fn english_finds_names_and_industries() {
    let app = spawn_app().await;
    let hits = search(&app, "Jinchang").await;
    assert!(has(&hits, "region", "jinchang"));
    let hits = search(&app, "nickel").await;
    assert!(has(&hits, "enterprise", "jinchuan-group"), "tagged nickel");
    assert!(has(&hits, "enterprise", "jinchuan-nickel-smelter"));
    assert!(has(
        &hits,
        "project",
        "jinchang-5g-nickel-cobalt-industrial-park"
    ));
    let upper = search(&app, "NICKEL").await;
    assert_eq!(keys(&upper), keys(&hits), "English search ignores case");
}

#[tokio::test]
async fn aliases_are_searched() {
    let app = spawn_app().await;
    let hits = search(&app, "金川集团公司").await;
    assert!(
        has(&hits, "enterprise", "jinchuan-group"),
        "{:?}",
        keys(&hits)
    );
    let hits = search(&app, "西永微电园").await;
    assert!(has(
        &hits,
        "region",
        "xiyong-microelectronics-industrial-park"
    ));
    let hits = search(&app, "稀土院").await;
    assert!(has(
        &hits,
        "enterprise",
        "baotou-research-institute-of-rare-earths"
    ));
}

#[tokio::test]
async fn search_pages_like_any_list() {
    let app = spawn_app().await;
    let all = search(&app, "金川").await;
    assert!(all.len() > 3);
    let mut paged = Vec::new();
    let mut url = "/v1/search?q=金川&limit=3".to_owned();
    for _ in 0..100 {
        let page = app.get_ok(&url).await;
        assert!(page["data"].as_array().unwrap().len() <= 3);
        paged.extend(page["data"].as_array().unwrap().clone());
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => url = format!("/v1/search?q=金川&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged.len(), all.len(), "no hit repeated or skipped");
    assert_eq!(keys(&paged), keys(&all));
    let total = app.total("/v1/search?q=金川").await;
    assert_eq!(total, all.len() as i64);
}

#[tokio::test]
async fn search_needs_q() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/search").await, 400, Some("q"));
    assert_problem(&app.get("/v1/search?q=").await, 400, Some("q"));
    assert_problem(&app.get("/v1/search?q=x&qq=y").await, 400, Some("qq"));
}

#[tokio::test]
async fn nothing_found_is_an_empty_page() {
    let app = spawn_app().await;
    let page = app.get_ok("/v1/search?q=zzzzqqqq").await;
    assert_eq!(page["data"], serde_json::json!([]));
    assert_eq!(page["meta"]["total"], 0);
}

#[tokio::test]
async fn metric_search_finds_quotes_and_subjects() {
    let app = spawn_app().await;
    let s = crate::helpers::seed();
    let indicators = s.entities("indicators");
    for q in ["金川", "镍钴", "专利", "Jinchuan", "Huandong"] {
        let items = app.list_all(&format!("/v1/metrics?q={q}")).await;
        let ids = ids_of(&items);
        let quoted = s.metric_ids_where(|m| m.raw["quote"].as_str().unwrap().contains(q));
        assert!(ids.is_superset(&quoted), "q={q} misses a quote");
        assert!(!ids.is_empty(), "q={q}");
        for m in &items {
            let ind = &indicators[m["indicator"].as_str().unwrap()];
            assert!(
                crate::helpers::mentions(m, q) || crate::helpers::mentions(ind, q),
                "q={q} returned {m}"
            );
        }
    }
}
