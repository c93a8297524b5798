//! `/v1/enterprises`: kinds, the region subtree, industry tags, and search over aliases.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{assert_problem, ids_of, mentions, seed, set, spawn_app};

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn list_holds_every_seed_enterprise_once() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/enterprises").await;
    assert_eq!(ids_of(&items).len(), items.len(), "an id is listed twice");
    assert_eq!(ids_of(&items), seed().ids("enterprises"));
}

#[tokio::test]
async fn every_item_matches_each_seed_definition() {
    let app = spawn_app().await;
    for def in seed().definitions("enterprises") {
        let id = def["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/enterprises/{id}")).await["data"];
        for field in ["id", "name_zh", "name_en", "kind", "region_id"] {
            assert_eq!(item[field], def[field], "{id}.{field}");
        }
        assert!(item["industries"].is_array(), "{id}.industries is a list");
        assert_eq!(strings(&item["industries"]), strings(&def["industries"]));
        assert_eq!(strings(&item["aliases"]), strings(&def["aliases"]));
    }
}

#[tokio::test]
async fn jinchuan_group_item() {
    let app = spawn_app().await;
    let e = &app.get_ok("/v1/enterprises/jinchuan-group").await["data"];
    assert_eq!(e["name_zh"], "金川集团");
    assert_eq!(e["name_en"], "Jinchuan Group");
    assert_eq!(e["kind"], "company");
    assert_eq!(e["region_id"], "jinchang");
    assert!(strings(&e["industries"]).is_superset(&set(&["nickel", "cobalt"])));
    assert!(strings(&e["aliases"]).contains("金川集团公司"));
}

#[tokio::test]
async fn unknown_enterprise_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/enterprises/no-such-company").await, 404, None);
}

#[tokio::test]
async fn kind_filter_matches_the_seed() {
    let app = spawn_app().await;
    for kind in [
        "company",
        "research_institute",
        "university",
        "association",
        "government",
    ] {
        let expected = seed().ids_where("enterprises", |e| e["kind"] == kind);
        assert!(!expected.is_empty(), "the seed has a {kind}");
        let got = app.ids(&format!("/v1/enterprises?kind={kind}")).await;
        assert_eq!(got, expected, "kind={kind}");
    }
}

#[tokio::test]
async fn region_filter_includes_enterprises_of_regions_below() {
    let app = spawn_app().await;
    for region in ["gansu", "jinchang", "jinchang-etdz", "chongqing", "china"] {
        let tree = seed().subtree(region);
        let expected = seed().ids_where("enterprises", |e| {
            e["region_id"].as_str().is_some_and(|r| tree.contains(r))
        });
        let got = app.ids(&format!("/v1/enterprises?region={region}")).await;
        assert_eq!(got, expected, "region={region}");
    }
    let gansu = app.ids("/v1/enterprises?region=gansu").await;
    assert!(
        gansu.contains("gansu-jintuo-lithium-new-energy"),
        "based in a zone below Jinchang, so in Gansu"
    );
}

#[tokio::test]
async fn industry_filter_matches_tags() {
    let app = spawn_app().await;
    for tag in ["nickel", "copper", "aerospace", "lithium-batteries"] {
        let expected = seed().ids_where("enterprises", |e| strings(&e["industries"]).contains(tag));
        assert!(!expected.is_empty());
        let got = app.ids(&format!("/v1/enterprises?industry={tag}")).await;
        assert_eq!(got, expected, "industry={tag}");
    }
    let nickel = app.ids("/v1/enterprises?industry=nickel").await;
    assert!(nickel.contains("jinchuan-group"));
    // A tag no enterprise carries is refused rather than answered with nothing.
    crate::helpers::assert_problem(
        &app.get("/v1/enterprises?industry=textiles").await,
        400,
        Some("industry"),
    );
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let got = app
        .ids("/v1/enterprises?kind=research_institute&region=gansu")
        .await;
    assert_eq!(got, set(&["state-key-lab-nickel-cobalt-resources"]));
    let got = app
        .ids("/v1/enterprises?industry=nickel&kind=company")
        .await;
    assert_eq!(got, set(&["jinchuan-group", "jinchuan-nickel-smelter"]));
}

#[tokio::test]
async fn search_finds_chinese_english_and_aliases() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("金川集团公司", &["jinchuan-group"]),
        ("镍钴", &["state-key-lab-nickel-cobalt-resources"]),
        ("金昌", &["jinchang-science-technology-bureau"]),
        (
            "nickel",
            &[
                "jinchuan-group",
                "jinchuan-nickel-smelter",
                "state-key-lab-nickel-cobalt-resources",
            ],
        ),
        ("NICKEL", &["jinchuan-nickel-smelter"]),
        (
            "国家发改委",
            &["national-development-and-reform-commission"],
        ),
        ("Jinchuan", &["jinchuan-group", "jinchuan-precision-copper"]),
    ];
    for (q, must) in cases {
        let items = app.list_all(&format!("/v1/enterprises?q={q}")).await;
        let ids = ids_of(&items);
        assert!(set(must).is_subset(&ids), "q={q}: {ids:?}");
        for item in &items {
            assert!(mentions(item, q), "q={q} returned {item}");
        }
    }
}
