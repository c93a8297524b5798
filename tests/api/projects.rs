//! `/v1/projects`: status, region subtree, participating enterprise, and search.

use serde_json::Value;

use crate::helpers::{assert_problem, ids_of, mentions, seed, set, spawn_app};

fn has_enterprise(p: &Value, e: &str) -> bool {
    p["enterprise_ids"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == e))
}

#[tokio::test]
async fn list_holds_every_seed_project_once() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/projects").await;
    assert_eq!(ids_of(&items).len(), items.len(), "an id is listed twice");
    assert_eq!(ids_of(&items), seed().ids("projects"));
}

#[tokio::test]
async fn every_item_matches_its_seed_definition() {
    let app = spawn_app().await;
    for def in seed().definitions("projects") {
        let id = def["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/projects/{id}")).await["data"];
        for field in [
            "id",
            "name_zh",
            "name_en",
            "region_id",
            "status",
            "started",
            "description",
        ] {
            assert_eq!(item[field], def[field], "{id}.{field}");
        }
        // The order of participants is the article's, not alphabetical.
        assert_eq!(item["enterprise_ids"], def["enterprise_ids"], "{id}");
    }
}

#[tokio::test]
async fn a_project_with_two_enterprises_keeps_their_order() {
    let app = spawn_app().await;
    let p = &app
        .get_ok("/v1/projects/china-innovation-methods-contest")
        .await["data"];
    assert_eq!(
        p["enterprise_ids"],
        serde_json::json!([
            "china-association-for-science-and-technology",
            "ministry-of-science-and-technology"
        ])
    );
    assert_eq!(p["started"], "2018");
}

#[tokio::test]
async fn unknown_project_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/projects/no-such-project").await, 404, None);
}

#[tokio::test]
async fn status_filter_matches_the_seed() {
    let app = spawn_app().await;
    for status in [
        "planned",
        "under_construction",
        "operating",
        "completed",
        "unknown",
    ] {
        let expected = seed().ids_where("projects", |p| p["status"] == status);
        let got = app.ids(&format!("/v1/projects?status={status}")).await;
        assert_eq!(got, expected, "status={status}");
    }
}

#[tokio::test]
async fn region_filter_includes_projects_of_regions_below() {
    let app = spawn_app().await;
    for region in [
        "gansu",
        "jinchang",
        "yongchang",
        "chongqing",
        "baotou",
        "china",
    ] {
        let tree = seed().subtree(region);
        let expected = seed().ids_where("projects", |p| {
            p["region_id"].as_str().is_some_and(|r| tree.contains(r))
        });
        assert!(!expected.is_empty(), "{region}");
        let got = app.ids(&format!("/v1/projects?region={region}")).await;
        assert_eq!(got, expected, "region={region}");
    }
    let jinchang = app.ids("/v1/projects?region=jinchang").await;
    assert!(
        jinchang.contains("jinchuan-copper-smelting-upgrade-project"),
        "in Hexibao park, two levels below Jinchang"
    );
}

#[tokio::test]
async fn enterprise_filter_gives_the_projects_it_takes_part_in() {
    let app = spawn_app().await;
    for e in [
        "baotou-research-institute-of-rare-earths",
        "bit-chongqing-innovation-center",
        "ministry-of-science-and-technology",
        "jinchuan-group",
    ] {
        let expected = seed().ids_where("projects", |p| has_enterprise(p, e));
        assert!(!expected.is_empty(), "{e}");
        let got = app.ids(&format!("/v1/projects?enterprise={e}")).await;
        assert_eq!(got, expected, "enterprise={e}");
    }
    let none = app
        .get_ok("/v1/projects?enterprise=peking-university")
        .await;
    assert_eq!(
        none["meta"]["total"], 0,
        "a known enterprise with no project"
    );
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let got = app
        .ids("/v1/projects?status=under_construction&enterprise=jinchuan-group")
        .await;
    assert_eq!(got, set(&["jinchuan-copper-smelting-upgrade-project"]));
    let got = app.ids("/v1/projects?status=operating&region=gansu").await;
    assert_eq!(got, set(&["jinchang-full-tailings-paste-backfill-project"]));
}

#[tokio::test]
async fn search_finds_chinese_and_english() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("镍钴", &["jinchang-5g-nickel-cobalt-industrial-park"]),
        ("nickel", &["jinchang-5g-nickel-cobalt-industrial-park"]),
        (
            "稀土",
            &[
                "rare-earth-new-materials-pilot-base",
                "pvc-rare-earth-composite-stabilizer-pilot-line",
            ],
        ),
        ("Rare Earth", &["rare-earth-alloy-materials-pilot-line"]),
        ("金昌", &["jinchang-zijinyun-big-data-center-phase-1-2"]),
    ];
    for (q, must) in cases {
        let items = app.list_all(&format!("/v1/projects?q={q}")).await;
        let ids = ids_of(&items);
        assert!(set(must).is_subset(&ids), "q={q}: {ids:?}");
        for item in &items {
            assert!(mentions(item, q), "q={q} returned {item}");
        }
    }
}
