//! `/v1/indicators`: the vocabulary metrics use, its unit filter and search.

use industry_facts::fts::stem;

use crate::helpers::{assert_problem, ids_of, mentions, seed, set, spawn_app};

#[tokio::test]
async fn list_holds_every_seed_indicator_once() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/indicators").await;
    assert_eq!(ids_of(&items).len(), items.len(), "an id is listed twice");
    assert_eq!(ids_of(&items), seed().ids("indicators"));
}

#[tokio::test]
async fn every_item_matches_each_seed_definition() {
    let app = spawn_app().await;
    for def in seed().definitions("indicators") {
        let id = def["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/indicators/{id}")).await["data"];
        for field in ["id", "name_zh", "name_en", "unit", "description"] {
            assert_eq!(item[field], def[field], "{id}.{field}");
        }
    }
}

#[tokio::test]
async fn revenue_is_measured_in_yuan() {
    let app = spawn_app().await;
    let i = &app.get_ok("/v1/indicators/revenue").await["data"];
    assert_eq!(i["unit"], "CNY");
    assert_eq!(i["name_zh"], "营业收入");
}

#[tokio::test]
async fn unknown_indicator_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/indicators/happiness").await, 404, None);
}

#[tokio::test]
async fn unit_filter_matches_the_seed() {
    let app = spawn_app().await;
    for unit in [
        "CNY", "USD", "t", "mm", "m", "m2", "GWh", "percent", "count", "year",
    ] {
        let expected = seed().ids_where("indicators", |i| i["unit"] == unit);
        assert!(!expected.is_empty(), "the seed has an indicator in {unit}");
        let got = app.ids(&format!("/v1/indicators?unit={unit}")).await;
        assert_eq!(got, expected, "unit={unit}");
    }
}

#[tokio::test]
async fn search_finds_chinese_and_english() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("营业收入", &["revenue"]),
        ("专利", &["patents_granted", "invention_patents_granted"]),
        ("revenue", &["revenue", "annual_sales_revenue"]),
        ("Patents", &["patents_granted"]),
    ];
    for (q, must) in cases {
        let items = app.list_all(&format!("/v1/indicators?q={q}")).await;
        let ids = ids_of(&items);
        assert!(set(must).is_subset(&ids), "q={q}: {ids:?}");
        // English plurals are searched by their singular ("Patents" finds "Patent applications").
        let needle = if q.is_ascii() { stem(q) } else { q.to_string() };
        for item in &items {
            assert!(mentions(item, &needle), "q={q} returned {item}");
        }
    }
    let both = app.ids("/v1/indicators?q=专利&unit=count").await;
    assert!(both.contains("patents_granted"));
}
