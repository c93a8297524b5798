//! Bundles through the library, as `import` and the seed use them: a valid bundle lands and
//! is served, a bad one is refused whole with a pointer at every problem, and the seed loads
//! once however often the service restarts.

use serde_json::{Value, json};

use industry_facts::db;
use industry_facts::error::AppError;
use industry_facts::ingest::{OnExisting, ingest};

use crate::helpers::{TestApp, seed, seed_bundle, set, spawn_app, table_counts};

const TEXT: &str = "（本报讯）金昌测试园区今年建设提速。园区完成投资120亿元，测试器件公司两年来生产器件超过3万件。";

pub fn minimal() -> Value {
    json!({
        "source": {"id": "test-minimal", "title": "金昌测试园区建设提速", "publication": "测试日报",
                   "published": "2023-04-01", "authors": ["测试记者"], "url": "https://example.org/a", "text": TEXT},
        "regions": [{"id": "jinchang-test-zone", "name_zh": "金昌测试园区", "name_en": "Jinchang Test Zone",
                     "level": "zone", "parent_id": "jinchang", "admin_code": null, "aliases": ["测试园"]}],
        "enterprises": [{"id": "test-widget-co", "name_zh": "测试器件公司", "name_en": "Test Widget Co.",
                         "kind": "company", "region_id": "jinchang-test-zone", "industries": ["widgets"],
                         "aliases": ["器件公司"]}],
        "indicators": [{"id": "widgets_made", "name_zh": "器件产量", "name_en": "Widgets made",
                        "unit": "count", "description": null}],
        "metrics": [
            {"indicator": "investment", "subject": {"type": "region", "id": "jinchang-test-zone"},
             "value": 12000000000u64, "value_max": null, "unit": "CNY", "qualifier": "exact", "kind": "actual",
             "period": "2023", "original": "120亿元", "quote": "园区完成投资120亿元"},
            {"indicator": "widgets_made", "subject": {"type": "enterprise", "id": "test-widget-co"},
             "value": 30000, "value_max": null, "unit": "count", "qualifier": "more_than", "kind": "actual",
             "period": "2022/2023", "original": "超过3万件", "quote": "生产器件超过3万件"}
        ]
    })
}

/// A small valid bundle of its own: source `id`, a zone `{id}-zone` and a company `{id}-co`,
/// two metrics. Many of them can be written side by side without touching each other's rows.
pub fn numbered(id: &str) -> Value {
    let mut b = minimal();
    let zone = format!("{id}-zone");
    let company = format!("{id}-co");
    b["source"]["id"] = json!(id);
    b["regions"][0]["id"] = json!(zone);
    b["enterprises"][0]["id"] = json!(company);
    b["enterprises"][0]["region_id"] = json!(zone);
    b["metrics"][0]["subject"]["id"] = json!(zone);
    b["metrics"][1]["subject"]["id"] = json!(company);
    b
}

/// The problems a rejected bundle was refused with; panics when it was stored.
async fn rejected(app: &TestApp, bundle: &Value) -> Vec<(String, String)> {
    let before = table_counts(&app.pool).await;
    let result = ingest(&app.pool, bundle, OnExisting::Refuse).await;
    assert_eq!(
        table_counts(&app.pool).await,
        before,
        "a rejected bundle stored something"
    );
    match result {
        Err(AppError::InvalidBundle(p)) => p.into_iter().map(|p| (p.pointer, p.message)).collect(),
        Err(other) => panic!("expected an invalid bundle, got {other:?}"),
        Ok(s) => panic!("the bundle was accepted: {s:?}"),
    }
}

fn has_pointer(problems: &[(String, String)], pointer: &str) -> bool {
    problems.iter().any(|(p, _)| p == pointer)
}

#[tokio::test]
async fn a_valid_bundle_is_stored_and_served() {
    let app = spawn_app().await;
    let summary = ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    assert_eq!(summary.source_id, "test-minimal");
    assert_eq!(summary.metrics, 2);
    assert!(!summary.replaced);

    let src = app.get_ok("/v1/sources/test-minimal").await;
    assert_eq!(src["data"]["text"], TEXT);
    let metrics = app.list_all("/v1/metrics?source=test-minimal").await;
    let ids: Vec<_> = metrics.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["test-minimal-m001", "test-minimal-m002"]);
    for m in &metrics {
        assert_eq!(
            m["region_id"], "jinchang-test-zone",
            "derived from the subject"
        );
        let quote = m["quote"].as_str().unwrap();
        let byte = TEXT.find(quote).unwrap();
        assert_eq!(
            m["quote_start"],
            TEXT[..byte].chars().count(),
            "counted in characters"
        );
    }
    assert_eq!(metrics[0]["value"].as_i64(), Some(12_000_000_000));
    assert_eq!(metrics[1]["subject"]["name_en"], "Test Widget Co.");

    assert!(
        app.ids("/v1/metrics?region=gansu")
            .await
            .contains("test-minimal-m001")
    );
    assert!(
        app.ids("/v1/metrics?from=2023&to=2023")
            .await
            .contains("test-minimal-m002")
    );
    assert!(
        app.ids("/v1/metrics?to=2022")
            .await
            .contains("test-minimal-m002")
    );
    assert_eq!(
        app.ids("/v1/regions?q=测试园").await,
        set(&["jinchang-test-zone"])
    );
    assert_eq!(
        app.ids("/v1/enterprises?industry=widgets").await,
        set(&["test-widget-co"])
    );
    assert_eq!(
        app.ids("/v1/enterprises?q=器件公司").await,
        set(&["test-widget-co"])
    );
    assert_eq!(
        app.ids("/v1/indicators?unit=count&q=Widgets").await,
        set(&["widgets_made"])
    );
}

#[tokio::test]
async fn loading_the_seed_again_changes_nothing() {
    let app = spawn_app().await;
    let before = table_counts(&app.pool).await;
    let report = db::seed::load(&app.pool).await.unwrap();
    assert!(
        report.loaded.is_empty(),
        "loaded again: {:?}",
        report.loaded
    );
    let unchanged: std::collections::BTreeSet<String> = report.unchanged.into_iter().collect();
    assert_eq!(unchanged, seed().source_ids());
    assert_eq!(table_counts(&app.pool).await, before);
    assert_eq!(before["metrics"], seed().metrics().len() as i64);
}

#[tokio::test]
async fn a_file_database_survives_a_restart_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.db");
    let path = path.to_str().unwrap();
    let pool = db::connect(path).await.unwrap();
    let first = db::seed::load(&pool).await.unwrap();
    assert_eq!(first.loaded.len(), seed().bundles.len());
    let counts = table_counts(&pool).await;
    pool.close().await;

    let pool = db::connect(path).await.unwrap();
    let second = db::seed::load(&pool).await.unwrap();
    assert!(second.loaded.is_empty(), "{:?}", second.loaded);
    assert_eq!(table_counts(&pool).await, counts);
    assert_eq!(counts["sources"], 5);
    assert_eq!(counts["metrics"], seed().metrics().len() as i64);
    pool.close().await;
}

type Mutation = fn(&mut Value);

/// Applies each mutation to the minimal bundle and lists the expected pointers that the
/// rejection did not name, so one missing pointer does not hide the others.
async fn missing_pointers(app: &TestApp, cases: &[(&str, Mutation)]) -> Vec<String> {
    let mut missing = Vec::new();
    for (pointer, mutate) in cases {
        let mut b = minimal();
        mutate(&mut b);
        let problems = rejected(app, &b).await;
        if !has_pointer(&problems, pointer) {
            missing.push(format!("{pointer} not in {problems:?}"));
        }
    }
    missing
}

#[tokio::test]
async fn each_semantic_problem_is_refused_with_its_pointer() {
    let app = spawn_app().await;
    let cases: &[(&str, Mutation)] = &[
        ("/metrics/0/quote", |b| {
            b["metrics"][0]["quote"] = json!("园区完成投资121亿元")
        }),
        ("/metrics/0/original", |b| {
            b["metrics"][0]["original"] = json!("130亿元")
        }),
        ("/metrics/0/indicator", |b| {
            b["metrics"][0]["indicator"] = json!("happiness")
        }),
        ("/regions/0/parent_id", |b| {
            b["regions"][0]["parent_id"] = json!("atlantis")
        }),
        ("/enterprises/0/region_id", |b| {
            b["enterprises"][0]["region_id"] = json!("atlantis")
        }),
        ("/metrics/0/region_id", |b| {
            b["metrics"][0]["region_id"] = json!("atlantis")
        }),
        ("/metrics/1/subject/id", |b| {
            b["metrics"][1]["subject"]["id"] = json!("nobody")
        }),
        ("/metrics/0/subject/type", |b| {
            b["metrics"][0]["subject"]["type"] = json!("person")
        }),
        ("/metrics/0/qualifier", |b| {
            b["metrics"][0]["qualifier"] = json!("roughly")
        }),
        ("/metrics/0/kind", |b| {
            b["metrics"][0]["kind"] = json!("guess")
        }),
        ("/metrics/0/unit", |b| b["metrics"][0]["unit"] = json!("kg")),
        ("/regions/0/level", |b| {
            b["regions"][0]["level"] = json!("city")
        }),
        ("/enterprises/0/kind", |b| {
            b["enterprises"][0]["kind"] = json!("startup")
        }),
        ("/metrics/0/period", |b| {
            b["metrics"][0]["period"] = json!("2023-13")
        }),
        ("/metrics/1/period", |b| {
            b["metrics"][1]["period"] = json!("2023/2022")
        }),
        ("/metrics/0/value_max", |b| {
            b["metrics"][0]["value_max"] = json!(13000000000u64)
        }),
        ("/metrics/1/value_max", |b| {
            b["metrics"][1]["qualifier"] = json!("range")
        }),
        ("/source/id", |b| b["source"]["id"] = json!("Test Minimal")),
        ("/source/published", |b| {
            b["source"]["published"] = json!("April 2023")
        }),
    ];
    let missing = missing_pointers(&app, cases).await;
    assert!(missing.is_empty(), "{missing:#?}");
    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .expect("the unmutated bundle is fine");
}

/// RFC 6901: the pointer names the unknown field itself, once.
#[tokio::test]
async fn an_unknown_field_is_pointed_at_exactly() {
    let app = spawn_app().await;
    let cases: &[(&str, Mutation)] = &[
        ("/metricz", |b| b["metricz"] = json!([])),
        ("/source/titel", |b| b["source"]["titel"] = json!("x")),
        ("/metrics/0/valu", |b| {
            let v = b["metrics"][0]
                .as_object_mut()
                .unwrap()
                .remove("value")
                .unwrap();
            b["metrics"][0]["valu"] = v;
        }),
        ("/metrics/1/subject/kind", |b| {
            b["metrics"][1]["subject"]["kind"] = json!("x")
        }),
        ("/regions/0/nmae_zh", |b| {
            b["regions"][0]["nmae_zh"] = json!("x")
        }),
    ];
    let missing = missing_pointers(&app, cases).await;
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn every_semantic_problem_is_listed_at_once() {
    let app = spawn_app().await;
    let mut b = minimal();
    b["metrics"][0]["quote"] = json!("不在原文中的120亿元");
    b["metrics"][1]["qualifier"] = json!("roughly");
    b["regions"][0]["level"] = json!("city");
    b["enterprises"][0]["region_id"] = json!("atlantis");
    let problems = rejected(&app, &b).await;
    for p in [
        "/metrics/0/quote",
        "/metrics/1/qualifier",
        "/regions/0/level",
        "/enterprises/0/region_id",
    ] {
        assert!(has_pointer(&problems, p), "{p} not in {problems:?}");
    }
}

#[tokio::test]
async fn every_unknown_field_is_listed_at_once() {
    let app = spawn_app().await;
    let mut b = minimal();
    b["metrics"][0]["valu"] = json!(1);
    b["regions"][0]["nmae_zh"] = json!("x");
    b["source"]["titel"] = json!("x");
    let problems = rejected(&app, &b).await;
    // Prefixes, so this checks "all at once" apart from how each pointer is spelled.
    for p in ["/metrics/0/valu", "/regions/0/nmae_zh", "/source/titel"] {
        assert!(
            problems.iter().any(|(x, _)| x.starts_with(p)),
            "{p} not in {problems:?}"
        );
    }
}

/// A typo in one metric must not hide a wrong quote in another (contract: "all of them").
#[tokio::test]
async fn structural_and_semantic_problems_are_listed_together() {
    let app = spawn_app().await;
    let mut b = minimal();
    b["metrics"][0]["valu"] = json!(1);
    b["metrics"][1]["quote"] = json!("不在原文中的超过3万件");
    let problems = rejected(&app, &b).await;
    assert!(
        problems
            .iter()
            .any(|(p, _)| p.starts_with("/metrics/0/valu")),
        "{problems:?}"
    );
    assert!(has_pointer(&problems, "/metrics/1/quote"), "{problems:?}");
}

#[tokio::test]
async fn an_existing_source_is_a_conflict_unless_replacing() {
    let app = spawn_app().await;
    let before = table_counts(&app.pool).await;
    let result = ingest(
        &app.pool,
        &seed_bundle("01-jinchang.json"),
        OnExisting::Refuse,
    )
    .await;
    assert!(matches!(result, Err(AppError::Conflict(_))), "{result:?}");
    assert_eq!(table_counts(&app.pool).await, before);

    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    let result = ingest(&app.pool, &minimal(), OnExisting::Refuse).await;
    assert!(matches!(result, Err(AppError::Conflict(_))), "{result:?}");
}

#[tokio::test]
async fn replace_swaps_the_metrics_and_keeps_the_entities() {
    let app = spawn_app().await;
    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    let before = table_counts(&app.pool).await;
    let mut b = minimal();
    let second = b["metrics"][1].clone();
    b["metrics"] = json!([second]);
    b["regions"] = json!([]);
    b["enterprises"] = json!([]);
    b["indicators"] = json!([]);
    let summary = ingest(&app.pool, &b, OnExisting::Replace).await.unwrap();
    assert!(summary.replaced);
    let metrics = app.list_all("/v1/metrics?source=test-minimal").await;
    assert_eq!(metrics.len(), 1);
    assert_eq!(metrics[0]["id"], "test-minimal-m001");
    assert_eq!(metrics[0]["original"], "超过3万件", "the old m001 is gone");
    let after = table_counts(&app.pool).await;
    assert_eq!(after["metrics"], before["metrics"] - 1);
    for t in ["regions", "enterprises", "indicators", "sources"] {
        assert_eq!(after[t], before[t], "{t} kept");
    }
    app.get_ok("/v1/regions/jinchang-test-zone").await;
}
