//! `/v1/policies`: kinds, the region subtree, and search over titles and summaries.

use crate::helpers::{assert_problem, ids_of, mentions, seed, set, spawn_app};

#[tokio::test]
async fn list_holds_every_seed_policy_once() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/policies").await;
    assert_eq!(ids_of(&items).len(), items.len(), "an id is listed twice");
    assert_eq!(ids_of(&items), seed().ids("policies"));
}

#[tokio::test]
async fn every_item_matches_its_seed_definition() {
    let app = spawn_app().await;
    for def in seed().definitions("policies") {
        let id = def["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/policies/{id}")).await["data"];
        for field in [
            "id",
            "title_zh",
            "title_en",
            "region_id",
            "issued",
            "kind",
            "summary",
        ] {
            assert_eq!(item[field], def[field], "{id}.{field}");
        }
    }
}

#[tokio::test]
async fn a_policy_item_in_full() {
    let app = spawn_app().await;
    let p = &app
        .get_ok("/v1/policies/chongqing-satellite-internet-opinions")
        .await["data"];
    assert_eq!(p["kind"], "opinion");
    assert_eq!(p["region_id"], "chongqing");
    assert_eq!(p["issued"], "2023-03");
    assert!(p["title_zh"].as_str().unwrap().contains("卫星互联网"));
}

#[tokio::test]
async fn unknown_policy_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/policies/no-such-policy").await, 404, None);
}

#[tokio::test]
async fn kind_filter_matches_the_seed() {
    let app = spawn_app().await;
    for kind in [
        "plan",
        "opinion",
        "measures",
        "action",
        "regulation",
        "slogan",
    ] {
        let expected = seed().ids_where("policies", |p| p["kind"] == kind);
        let got = app.ids(&format!("/v1/policies?kind={kind}")).await;
        assert_eq!(got, expected, "kind={kind}");
    }
}

#[tokio::test]
async fn region_filter_includes_policies_of_regions_below() {
    let app = spawn_app().await;
    for region in ["gansu", "jinchang", "chongqing", "inner-mongolia", "china"] {
        let tree = seed().subtree(region);
        let expected = seed().ids_where("policies", |p| {
            p["region_id"].as_str().is_some_and(|r| tree.contains(r))
        });
        assert!(!expected.is_empty(), "{region}");
        let got = app.ids(&format!("/v1/policies?region={region}")).await;
        assert_eq!(got, expected, "region={region}");
    }
    let gansu = app.ids("/v1/policies?region=gansu").await;
    assert!(gansu.contains("gansu-four-strengths"));
    assert!(
        gansu.contains("jinchang-strong-technology-plan"),
        "Jinchang is in Gansu"
    );
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let got = app.ids("/v1/policies?kind=plan&region=gansu").await;
    assert_eq!(
        got,
        set(&[
            "jinchang-strong-technology-plan",
            "jinchang-2-4-modern-industrial-clusters"
        ])
    );
    let got = app.ids("/v1/policies?kind=regulation&region=gansu").await;
    assert!(got.is_empty());
}

#[tokio::test]
async fn search_finds_chinese_and_english() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        (
            "强科技",
            &["jinchang-strong-technology-plan", "gansu-four-strengths"],
        ),
        ("卫星互联网", &["chongqing-satellite-internet-opinions"]),
        (
            "Satellite Internet",
            &["chongqing-satellite-internet-opinions"],
        ),
        ("办法", &["brire-sci-tech-development-management-measures"]),
        (
            "low-altitude",
            &["low-altitude-airspace-management-reform-pilot"],
        ),
    ];
    for (q, must) in cases {
        let items = app.list_all(&format!("/v1/policies?q={q}")).await;
        let ids = ids_of(&items);
        assert!(set(must).is_subset(&ids), "q={q}: {ids:?}");
        for item in &items {
            assert!(mentions(item, q), "q={q} returned {item}");
        }
    }
}
