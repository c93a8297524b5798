//! `/v1/search` used the way a search box is: several parts that must all occur, single
//! characters among them, commas between them, full-width letters, plurals, a place's name,
//! and narrowing by region and by collection. Each answer is held against what the same
//! service returns for the parts alone or for the plain lists.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::fulltext::qs;
use crate::helpers::{TestApp, assert_problem, seed, spawn_app};
use crate::search::keys;

async fn search(app: &TestApp, q: &str, more: &str) -> Vec<Value> {
    app.list_all(&format!("/v1/search?{}{more}", qs(q))).await
}

/// Hits other than metrics: a metric is found by its quote or by its indicator, so what two
/// parts find together is not just the overlap of what each finds.
fn not_metrics(hits: &[Value]) -> BTreeSet<(String, String)> {
    keys(hits)
        .into_iter()
        .filter(|(t, _)| t != "metric")
        .collect()
}

#[tokio::test]
async fn every_part_must_occur_single_characters_included() {
    let app = spawn_app().await;
    for (q, parts) in [
        ("金 昌", &["金", "昌"][..]),
        ("金昌 镍", &["金昌", "镍"][..]),
        ("镍 钴", &["镍", "钴"][..]),
        ("稀土,包头", &["稀土", "包头"][..]),
        ("稀土，包头", &["稀土", "包头"][..]),
        ("稀土、包头", &["稀土", "包头"][..]),
    ] {
        let hits = search(&app, q, "").await;
        assert!(!hits.is_empty(), "q={q} finds nothing");
        let mut both: Option<BTreeSet<(String, String)>> = None;
        for part in parts {
            let alone = not_metrics(&search(&app, part, "").await);
            assert!(!alone.is_empty(), "{part} alone finds nothing");
            both = Some(match both {
                None => alone,
                Some(b) => b.intersection(&alone).cloned().collect(),
            });
        }
        assert_eq!(not_metrics(&hits), both.unwrap(), "q={q}");
    }
}

#[tokio::test]
async fn full_width_letters_find_what_plain_ones_find() {
    let app = spawn_app().await;
    let wide = search(&app, "Ｊｉｎｃｈａｎｇ", "").await;
    let plain = search(&app, "Jinchang", "").await;
    assert!(!plain.is_empty());
    assert_eq!(keys(&wide), keys(&plain));
    assert_eq!(wide[0]["id"], "jinchang", "the exact name ranks first");
}

#[tokio::test]
async fn plural_and_singular_find_each_other() {
    let app = spawn_app().await;
    let plural = keys(&search(&app, "patents", "&type=indicator").await);
    assert!(
        plural.contains(&("indicator".into(), "patent_applications_pending".into())),
        "{plural:?}"
    );
    let singular = keys(&search(&app, "patent", "&type=indicator").await);
    assert_eq!(plural, singular);
    let application = keys(&search(&app, "application", "&type=indicator").await);
    assert!(application.contains(&("indicator".into(), "patent_applications_pending".into())));
}

#[tokio::test]
async fn a_place_name_finds_the_facts_of_the_place() {
    let app = spawn_app().await;
    let listed: BTreeSet<String> = app.ids("/v1/metrics?region=jinchang").await;
    assert!(!listed.is_empty());
    for q in ["金昌", "Jinchang", "jinchang"] {
        let hits = search(&app, q, "").await;
        let metrics: BTreeSet<String> = hits
            .iter()
            .filter(|h| h["type"] == "metric")
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            listed.is_subset(&metrics),
            "q={q} misses {:?}",
            listed.difference(&metrics).collect::<Vec<_>>()
        );
        assert_eq!(hits[0]["id"], "jinchang", "q={q}: the place itself first");
    }
}

#[tokio::test]
async fn the_region_filter_keeps_what_lies_in_the_region() {
    let app = spawn_app().await;
    let everywhere = search(&app, "金昌", "").await;
    let inside = keys(&search(&app, "金昌", "&region=gansu").await);
    let below = seed().subtree("gansu");
    let mut want = BTreeSet::new();
    for collection in ["enterprises", "projects", "policies", "metrics"] {
        let listed = app.ids(&format!("/v1/{collection}?region=gansu")).await;
        let kind = match collection {
            "enterprises" => "enterprise",
            "projects" => "project",
            "policies" => "policy",
            _ => "metric",
        };
        for (t, id) in keys(&everywhere) {
            if t == kind && listed.contains(&id) {
                want.insert((t, id));
            }
        }
    }
    for (t, id) in keys(&everywhere) {
        if t == "region" && below.contains(&id) {
            want.insert((t, id));
        }
    }
    assert!(!want.is_empty());
    assert_eq!(inside, want);
    let r = app.get("/v1/search?q=%E9%87%91&region=atlantis").await;
    assert_problem(&r, 400, Some("region"));
}

#[tokio::test]
async fn the_type_filter_takes_several_collections() {
    let app = spawn_app().await;
    let all = keys(&search(&app, "金昌", "").await);
    let want: BTreeSet<_> = all
        .iter()
        .filter(|(t, _)| t == "region" || t == "enterprise")
        .cloned()
        .collect();
    let listed = keys(&search(&app, "金昌", "&type=region,enterprise").await);
    let repeated = keys(&search(&app, "金昌", "&type=region&type=enterprise").await);
    assert_eq!(listed, want);
    assert_eq!(repeated, want);
    let one = keys(&search(&app, "金昌", "&type=policy").await);
    assert!(one.iter().all(|(t, _)| t == "policy") && !one.is_empty());
    for bad in ["type=region,planet", "type=region,", "type=planet"] {
        let r = app.get(&format!("/v1/search?q=%E9%87%91&{bad}")).await;
        assert_problem(&r, 400, Some("type"));
    }
}

#[tokio::test]
async fn limits_and_control_characters_still_hold() {
    let app = spawn_app().await;
    let long = "金".repeat(201);
    assert_problem(
        &app.get(&format!("/v1/search?{}", qs(&long))).await,
        400,
        Some("q"),
    );
    let wordy = vec!["a"; 25].join(",");
    assert_problem(
        &app.get(&format!("/v1/search?{}", qs(&wordy))).await,
        400,
        Some("q"),
    );
    assert_problem(&app.get("/v1/search?q=%E9%87%91%00").await, 400, Some("q"));
}
