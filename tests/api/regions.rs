//! `/v1/regions`: the hierarchy, its filters (a region filter takes the whole subtree) and
//! search over names and aliases.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, mentions, misfiled, seed, set, spawn_app};

fn aliases(v: &Value) -> BTreeSet<String> {
    v["aliases"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn list_holds_every_seed_region_once() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/regions").await;
    let ids = crate::helpers::ids_of(&items);
    assert_eq!(ids.len(), items.len(), "an id is listed twice");
    assert_eq!(ids, seed().ids("regions"));
    assert_eq!(app.total("/v1/regions").await, ids.len() as i64);
}

#[tokio::test]
async fn every_item_matches_each_seed_definition() {
    let app = spawn_app().await;
    for def in seed().definitions("regions") {
        let id = def["id"].as_str().unwrap();
        let item = &app.get_ok(&format!("/v1/regions/{id}")).await["data"];
        for field in [
            "id",
            "name_zh",
            "name_en",
            "level",
            "parent_id",
            "admin_code",
        ] {
            assert_eq!(item[field], def[field], "{id}.{field}");
        }
        assert_eq!(aliases(item), aliases(def), "{id}.aliases");
    }
}

#[tokio::test]
async fn jinchang_is_a_prefecture_of_gansu_with_its_code() {
    let app = spawn_app().await;
    let r = &app.get_ok("/v1/regions/jinchang").await["data"];
    assert_eq!(r["name_zh"], "金昌市");
    assert_eq!(r["name_en"], "Jinchang");
    assert_eq!(r["level"], "prefecture");
    assert_eq!(r["parent_id"], "gansu");
    assert_eq!(r["admin_code"], "620300", "admin_code is a string");
    assert!(aliases(r).contains("金昌"));
}

#[tokio::test]
async fn unknown_region_is_a_404_problem() {
    let app = spawn_app().await;
    let r = app.get("/v1/regions/atlantis").await;
    assert_problem(&r, 404, None);
}

#[tokio::test]
async fn level_filter_matches_the_seed_for_every_level() {
    let app = spawn_app().await;
    for level in [
        "country",
        "province",
        "prefecture",
        "county",
        "district",
        "subdistrict",
        "zone",
    ] {
        let expected = seed().ids_where("regions", |r| r["level"] == level);
        let got = app.ids(&format!("/v1/regions?level={level}")).await;
        assert_eq!(got, expected, "level={level}");
    }
}

#[tokio::test]
async fn zones_have_no_admin_code_and_others_have_six_digits() {
    let app = spawn_app().await;
    for r in app.list_all("/v1/regions").await {
        match r["admin_code"].as_str() {
            Some(code) => {
                assert_ne!(r["level"], "zone", "{r}");
                assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
            }
            None => assert!(r["admin_code"].is_null()),
        }
    }
}

#[tokio::test]
async fn parent_filter_gives_direct_children_only() {
    let app = spawn_app().await;
    for parent in ["china", "gansu", "jinchang", "chongqing"] {
        let expected = seed().ids_where("regions", |r| r["parent_id"] == parent);
        assert!(!expected.is_empty());
        let got = app.ids(&format!("/v1/regions?parent={parent}")).await;
        assert_eq!(got, expected, "parent={parent}");
    }
}

#[tokio::test]
async fn region_filter_gives_the_region_and_everything_below() {
    let app = spawn_app().await;
    let gansu = app.ids("/v1/regions?region=gansu").await;
    assert_eq!(gansu, seed().subtree("gansu"));
    assert!(gansu.contains("hexibao-industrial-park"), "two levels down");
    assert!(!gansu.contains("chongqing"));
    assert_eq!(
        app.ids("/v1/regions?region=china").await,
        seed().ids("regions")
    );
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let got = app.ids("/v1/regions?region=jinchang&level=zone").await;
    let expected: BTreeSet<String> = seed()
        .subtree("jinchang")
        .intersection(&seed().ids_where("regions", |r| r["level"] == "zone"))
        .cloned()
        .collect();
    assert_eq!(
        expected,
        set(&[
            "jinchang-etdz",
            "hexibao-industrial-park",
            "jinchuan-private-economy-industrial-park"
        ])
    );
    assert_eq!(got, expected);
}

#[tokio::test]
async fn search_finds_chinese_english_and_aliases() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("金昌", &["jinchang", "jinchang-etdz"]),
        ("Jinchang", &["jinchang", "jinchang-etdz"]),
        ("jinchang", &["jinchang"]),
        ("渝", &["chongqing"]),
        ("重庆两江新区", &["liangjiang-new-area"]),
        ("金昌经开区", &["jinchang-etdz"]),
    ];
    for (q, must) in cases {
        let items = app.list_all(&format!("/v1/regions?q={q}")).await;
        let ids = crate::helpers::ids_of(&items);
        assert!(set(must).is_subset(&ids), "q={q}: {ids:?}");
        for item in &items {
            assert!(mentions(item, q), "q={q} returned {item}");
        }
    }
}

#[tokio::test]
async fn search_with_no_match_is_an_empty_page() {
    let app = spawn_app().await;
    let page = app.get_ok("/v1/regions?q=zzzznotaplace").await;
    assert_eq!(page["data"], serde_json::json!([]));
    assert_eq!(page["meta"]["total"], 0);
    assert!(page["meta"]["next_cursor"].is_null());
}

/// The closure table behind `region=` follows writes that add or move regions, and a
/// database that lacks it gets it filled on start.
#[tokio::test]
async fn region_filters_follow_added_and_moved_regions() {
    use industry_facts::db;
    use industry_facts::ingest::{OnChangedEntity, OnExisting, WriteMode, ingest};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.db");
    let path = path.to_str().unwrap();
    let pool = db::connect(path).await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let app = TestApp::new(pool.clone());
    assert_eq!(misfiled(&pool).await, 0);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    let mut bundle = crate::bundles::minimal();
    ingest(&pool, &bundle, OnExisting::Refuse).await.unwrap();
    assert_eq!(misfiled(&pool).await, 0);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    assert!(
        app.ids("/v1/regions?region=gansu")
            .await
            .contains("jinchang-test-zone")
    );
    assert!(
        app.ids("/v1/metrics?region=gansu")
            .await
            .contains("test-minimal-m001")
    );

    // Moved under Baotou: Gansu loses it, Inner Mongolia gains it.
    bundle["regions"][0]["parent_id"] = "baotou".into();
    let mode = WriteMode {
        on_existing: OnExisting::Replace,
        on_changed_entity: OnChangedEntity::Update,
    };
    ingest(&pool, &bundle, mode).await.unwrap();
    assert!(
        !app.ids("/v1/metrics?region=gansu")
            .await
            .contains("test-minimal-m001")
    );
    assert!(
        app.ids("/v1/metrics?region=inner-mongolia")
            .await
            .contains("test-minimal-m001")
    );
    assert_eq!(misfiled(&pool).await, 0);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    let before = app.ids("/v1/regions?region=china").await;
    let metrics_before = app.ids("/v1/metrics?region=china").await;

    sqlx::query("DELETE FROM region_closure")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let pool = db::connect(path).await.unwrap();
    assert_eq!(misfiled(&pool).await, 0);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    let app = TestApp::new(pool.clone());
    assert_eq!(app.ids("/v1/regions?region=china").await, before);
    assert_eq!(app.ids("/v1/metrics?region=china").await, metrics_before);

    // A source deleted takes its metrics out of every region.
    sqlx::query("DELETE FROM sources WHERE id = ?")
        .bind(bundle["source"]["id"].as_str().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(misfiled(&pool).await, 0);
    // Deleted behind the service's back, the figures are marked stale (and not read) until
    // they are settled, as every start does.
    assert!(crate::helpers::miscounted(&pool).await > 0);
    db::metric_cells::ensure(&pool).await.unwrap();
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    assert!(
        !app.ids("/v1/metrics?region=inner-mongolia")
            .await
            .contains("test-minimal-m001")
    );
}
