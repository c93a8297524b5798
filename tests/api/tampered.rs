//! Tampered copies of real seed bundles: each change a careless edit could make (a value off
//! by ten, a wrong unit or bound, an edited quote) must be refused with a pointer at the
//! metric that was changed and at nothing else.

use serde_json::{Value, json};

use industry_facts::db;
use industry_facts::error::AppError;
use industry_facts::ingest::{OnExisting, ingest};

use crate::helpers::{TestApp, seed_bundle, table_counts};

/// A fresh database without the seed, so a tampered seed bundle is judged on its own.
async fn empty_app() -> TestApp {
    TestApp::new(db::connect(":memory:").await.unwrap())
}

#[tokio::test]
async fn each_seed_bundle_is_valid_on_its_own() {
    for file in [
        "01-jinchang.json",
        "02-chongqing.json",
        "03-zhuji.json",
        "04-guangxi.json",
        "05-baotou.json",
    ] {
        let app = empty_app().await;
        ingest(&app.pool, &seed_bundle(file), OnExisting::Refuse)
            .await
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
    }
}

/// Tampers with the metric whose `original` is `original` and expects a rejection that points
/// at that metric and nothing else.
async fn assert_tamper_rejected(file: &str, original: &str, tamper: impl Fn(&mut Value)) {
    let mut b = seed_bundle(file);
    let i = b["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["original"] == original)
        .unwrap_or_else(|| panic!("no metric {original} in {file}"));
    tamper(&mut b["metrics"][i]);
    let app = empty_app().await;
    let problems = match ingest(&app.pool, &b, OnExisting::Refuse).await {
        Err(AppError::InvalidBundle(p)) => p,
        other => panic!("{file} with {original} tampered was not refused: {other:?}"),
    };
    let at = format!("/metrics/{i}");
    assert!(!problems.is_empty());
    for p in &problems {
        assert!(
            p.pointer == at || p.pointer.starts_with(&format!("{at}/")),
            "{} {}",
            p.pointer,
            p.message
        );
    }
    assert_eq!(table_counts(&app.pool).await["metrics"], 0);
}

#[tokio::test]
async fn tampered_value_is_refused() {
    assert_tamper_rejected("01-jinchang.json", "3315亿元", |m| {
        m["value"] = json!(3_315_000_000_000u64)
    })
    .await;
}

#[tokio::test]
async fn tampered_unit_is_refused() {
    assert_tamper_rejected("01-jinchang.json", "3315亿元", |m| {
        m["unit"] = json!("USD")
    })
    .await;
}

#[tokio::test]
async fn tampered_unit_and_indicator_is_refused() {
    // The indicator agrees with the unit, but 亿元 is money, not a count.
    assert_tamper_rejected("01-jinchang.json", "3315亿元", |m| {
        m["unit"] = json!("count");
        m["indicator"] = json!("policy_measures");
    })
    .await;
}

#[tokio::test]
async fn tampered_qualifier_is_refused() {
    assert_tamper_rejected("01-jinchang.json", "3315亿元", |m| {
        m["qualifier"] = json!("approx")
    })
    .await;
    assert_tamper_rejected("01-jinchang.json", "突破6800吨", |m| {
        m["qualifier"] = json!("exact")
    })
    .await;
    assert_tamper_rejected("01-jinchang.json", "260亿元以上", |m| {
        m["qualifier"] = json!("at_most")
    })
    .await;
}

#[tokio::test]
async fn tampered_quote_is_refused() {
    assert_tamper_rejected("01-jinchang.json", "3315亿元", |m| {
        m["quote"] = json!("金川集团公司实现营业利润3315亿元");
    })
    .await;
}

#[tokio::test]
async fn a_forgotten_magnitude_is_refused() {
    assert_tamper_rejected("01-jinchang.json", "35.8万吨", |m| {
        m["value"] = json!(35.8)
    })
    .await;
    assert_tamper_rejected("01-jinchang.json", "11%", |m| m["value"] = json!(0.11)).await;
}

#[tokio::test]
async fn a_tampered_range_maximum_is_refused() {
    assert_tamper_rejected("02-chongqing.json", "3—5家", |m| {
        m["value_max"] = json!(50)
    })
    .await;
}
