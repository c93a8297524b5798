//! `/v1/sources`: the articles, and the promise that every quote can be highlighted in the
//! full text by its character offset.

use std::collections::BTreeMap;

use crate::helpers::{assert_problem, ids_of, seed, set, spawn_app};

#[tokio::test]
async fn list_holds_the_five_articles_without_their_text() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/sources").await;
    assert_eq!(ids_of(&items), seed().source_ids());
    assert_eq!(items.len(), 5);
    for s in &items {
        for field in ["id", "title", "publication", "published", "authors", "url"] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
        assert!(
            s.get("text").is_none(),
            "the list leaves the full text to the item"
        );
    }
}

#[tokio::test]
async fn item_matches_the_seed_source_and_has_the_text() {
    let app = spawn_app().await;
    for b in &seed().bundles {
        let src = &b["source"];
        let id = src["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/sources/{id}")).await["data"];
        for field in [
            "id",
            "title",
            "publication",
            "published",
            "authors",
            "url",
            "text",
        ] {
            assert_eq!(item[field], src[field], "{id}.{field}");
        }
        if let Some(n) = item.get("metric_count") {
            assert_eq!(
                n,
                &serde_json::json!(b["metrics"].as_array().unwrap().len())
            );
        }
    }
}

#[tokio::test]
async fn unknown_source_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/sources/no-such-article").await, 404, None);
}

#[tokio::test]
async fn every_quote_is_at_its_character_offset_in_the_text() {
    let app = spawn_app().await;
    let mut texts: BTreeMap<String, Vec<char>> = BTreeMap::new();
    for id in seed().source_ids() {
        let item = app.get_ok(&format!("/v1/sources/{id}")).await;
        texts.insert(id, item["data"]["text"].as_str().unwrap().chars().collect());
    }
    let metrics = app.list_all("/v1/metrics").await;
    assert_eq!(metrics.len(), seed().metrics().len());
    let mut bytes_differ = 0;
    for m in &metrics {
        let text = &texts[m["source_id"].as_str().unwrap()];
        let quote: Vec<char> = m["quote"].as_str().unwrap().chars().collect();
        let start = m["quote_start"].as_u64().expect("quote_start is a number") as usize;
        assert!(
            start + quote.len() <= text.len(),
            "{} runs past the text",
            m["id"]
        );
        assert_eq!(&text[start..start + quote.len()], &quote[..], "{}", m["id"]);
        // The first occurrence, as docs/bundles.md defines it.
        let whole: String = text.iter().collect();
        let q: String = quote.iter().collect();
        let byte = whole.find(&q).unwrap();
        assert_eq!(whole[..byte].chars().count(), start, "{}", m["id"]);
        if byte != start {
            bytes_differ += 1;
        }
        assert!(q.contains(m["original"].as_str().unwrap()), "{}", m["id"]);
    }
    assert!(bytes_differ > 0, "the seed must tell characters from bytes");
}

#[tokio::test]
async fn the_text_is_the_seed_text_to_the_character() {
    let app = spawn_app().await;
    let item = app.get_ok("/v1/sources/jinchang-strong-tech").await;
    let text = item["data"]["text"].as_str().unwrap();
    assert_eq!(text, seed().source_text("jinchang-strong-tech"));
    assert!(text.contains("金川集团公司实现营业收入3315亿元"));
}

#[tokio::test]
async fn search_finds_articles_by_text_title_and_author() {
    let app = spawn_app().await;
    let s = seed();
    for q in ["金昌", "镍钴", "绣花机", "稀土", "颜满斌"] {
        let expected: std::collections::BTreeSet<String> = s
            .bundles
            .iter()
            .filter(|b| b["source"].to_string().contains(q))
            .map(|b| b["source"]["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(!expected.is_empty(), "{q}");
        let got = app.ids(&format!("/v1/sources?q={q}")).await;
        assert_eq!(got, expected, "q={q}");
    }
    assert_eq!(
        app.ids("/v1/sources?q=baotou").await,
        set(&["baotou-rare-earth-pilot-base"])
    );
}
