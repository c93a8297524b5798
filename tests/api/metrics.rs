//! `/v1/metrics`: every seed number served as written, and each filter of the contract
//! compared with the same selection computed from the seed files.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{SeedMetric, TestApp, assert_problem, ids_of, seed, spawn_app};

async fn assert_filter(app: &TestApp, query: &str, expected: BTreeSet<String>) {
    let got = app.ids(&format!("/v1/metrics?{query}")).await;
    assert_eq!(got, expected, "/v1/metrics?{query}");
    let total = app.total(&format!("/v1/metrics?{query}")).await;
    assert_eq!(total, expected.len() as i64, "meta.total of ?{query}");
}

fn years(m: &SeedMetric) -> Option<(i64, i64)> {
    let p = m.raw["period"].as_str()?;
    let year = |s: &str| s[..4].parse::<i64>().unwrap();
    Some(match p.split_once('/') {
        Some((a, b)) => (year(a), year(b)),
        None => (year(p), year(p)),
    })
}

fn value(m: &SeedMetric) -> f64 {
    m.raw["value"].as_f64().unwrap()
}

/// Policies have titles, not names; the subject still shows them as `name_*`.
fn subject_name(m: &SeedMetric, lang: &str) -> Value {
    let s = &m.raw["subject"];
    let (collection, field) = match s["type"].as_str().unwrap() {
        "region" => ("regions", "name"),
        "enterprise" => ("enterprises", "name"),
        "project" => ("projects", "name"),
        _ => ("policies", "title"),
    };
    seed().entities(collection)[s["id"].as_str().unwrap()][format!("{field}_{lang}")].clone()
}

#[tokio::test]
async fn every_seed_metric_is_served_as_written() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/metrics").await;
    let expected = seed().metrics();
    assert_eq!(items.len(), expected.len());
    assert_eq!(
        ids_of(&items),
        expected.iter().map(|m| m.id.clone()).collect()
    );
    for m in &expected {
        let got = items.iter().find(|i| i["id"] == m.id.as_str()).unwrap();
        for field in [
            "indicator",
            "unit",
            "qualifier",
            "kind",
            "period",
            "original",
            "quote",
        ] {
            assert_eq!(got[field], m.raw[field], "{}.{field}", m.id);
        }
        assert_eq!(got["value"].as_f64(), m.raw["value"].as_f64(), "{}", m.id);
        assert_eq!(got["value_max"].as_f64(), m.raw["value_max"].as_f64());
        assert_eq!(got["subject"]["type"], m.raw["subject"]["type"], "{}", m.id);
        assert_eq!(got["subject"]["id"], m.raw["subject"]["id"], "{}", m.id);
        assert_eq!(got["subject"]["name_zh"], subject_name(m, "zh"), "{}", m.id);
        assert_eq!(got["subject"]["name_en"], subject_name(m, "en"), "{}", m.id);
        assert_eq!(got["region_id"], m.region_id.as_str(), "{}", m.id);
        assert_eq!(got["source_id"], m.source_id.as_str(), "{}", m.id);
        let item = app.get_ok(&format!("/v1/metrics/{}", m.id)).await;
        assert_eq!(&item["data"], got, "item and list agree on {}", m.id);
    }
}

#[tokio::test]
async fn jinchuan_revenue_2022_is_exactly_331_5_billion_yuan() {
    let app = spawn_app().await;
    let page = app
        .get_ok("/v1/metrics?indicator=revenue&subject=jinchuan-group&period=2022")
        .await;
    assert_eq!(page["meta"]["total"], 1, "{page}");
    let m = &page["data"][0];
    assert_eq!(
        m["value"].as_i64(),
        Some(331_500_000_000),
        "an integer: {m}"
    );
    assert!(m["value_max"].is_null());
    assert_eq!(m["unit"], "CNY");
    assert_eq!(m["qualifier"], "exact");
    assert_eq!(m["kind"], "actual");
    assert_eq!(m["original"], "3315亿元");
    assert!(
        m["quote"]
            .as_str()
            .unwrap()
            .contains("金川集团公司实现营业收入3315亿元")
    );
    assert_eq!(m["subject"]["type"], "enterprise");
    assert_eq!(m["subject"]["name_zh"], "金川集团");
    assert_eq!(m["subject"]["name_en"], "Jinchuan Group");
    assert_eq!(m["region_id"], "jinchang");
    assert_eq!(m["source_id"], "jinchang-strong-tech");
    let id = m["id"].as_str().unwrap();
    assert_eq!(app.get_ok(&format!("/v1/metrics/{id}")).await["data"], *m);
}

#[tokio::test]
async fn magnitudes_are_multiplied_out_and_ranges_have_a_max() {
    let app = spawn_app().await;
    let items = app.list_all("/v1/metrics").await;
    let by_original = |o: &str| {
        items
            .iter()
            .find(|m| m["original"] == o)
            .unwrap_or_else(|| panic!("no metric {o}"))
            .clone()
    };
    assert_eq!(
        by_original("57.52亿元")["value"].as_i64(),
        Some(5_752_000_000)
    );
    assert_eq!(by_original("35.8万吨")["value"].as_i64(), Some(358_000));
    assert_eq!(by_original("0.03毫米")["value"].as_f64(), Some(0.03));
    assert_eq!(by_original("11%")["unit"], "percent");
    assert_eq!(by_original("11%")["value"].as_i64(), Some(11));
    let range = by_original("3—5家");
    assert_eq!(range["qualifier"], "range");
    assert_eq!(
        (range["value"].as_i64(), range["value_max"].as_i64()),
        (Some(3), Some(5))
    );
    // Whole numbers print without a fraction, as in the contract's example.
    for m in &items {
        if m["value"].as_f64().unwrap().fract() == 0.0 {
            assert!(m["value"].is_i64() || m["value"].is_u64(), "{}", m["value"]);
        }
    }
}

#[tokio::test]
async fn unknown_metric_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(&app.get("/v1/metrics/no-such-metric").await, 404, None);
}

#[tokio::test]
async fn id_and_enum_filters_match_the_seed() {
    let app = spawn_app().await;
    let s = seed();
    for v in ["gdp", "enterprises", "production_output", "revenue"] {
        let e = s.metric_ids_where(|m| m.raw["indicator"] == v);
        assert_filter(&app, &format!("indicator={v}"), e).await;
    }
    for v in ["region", "enterprise", "project", "policy"] {
        let e = s.metric_ids_where(|m| m.raw["subject"]["type"] == v);
        assert_filter(&app, &format!("subject_type={v}"), e).await;
    }
    for v in [
        "jinchuan-group",
        "jinchang",
        "chongqing-satellite-internet-opinions",
    ] {
        let e = s.metric_ids_where(|m| m.raw["subject"]["id"] == v);
        assert_filter(&app, &format!("subject={v}"), e).await;
    }
    for v in [
        "CNY", "USD", "t", "mm", "m", "m2", "GWh", "percent", "count", "year",
    ] {
        let e = s.metric_ids_where(|m| m.raw["unit"] == v);
        assert!(!e.is_empty(), "the seed has a metric in {v}");
        assert_filter(&app, &format!("unit={v}"), e).await;
    }
    for v in [
        "exact",
        "approx",
        "more_than",
        "at_least",
        "less_than",
        "at_most",
        "range",
    ] {
        let e = s.metric_ids_where(|m| m.raw["qualifier"] == v);
        assert_filter(&app, &format!("qualifier={v}"), e).await;
    }
    for v in ["actual", "target", "plan", "capacity"] {
        let e = s.metric_ids_where(|m| m.raw["kind"] == v);
        assert_filter(&app, &format!("kind={v}"), e).await;
    }
    for v in s.source_ids() {
        let e = s.metric_ids_where(|m| m.source_id == v);
        assert_filter(&app, &format!("source={v}"), e).await;
    }
}

#[tokio::test]
async fn region_filter_takes_every_region_below() {
    let app = spawn_app().await;
    let s = seed();
    for region in [
        "china",
        "gansu",
        "jinchang",
        "chongqing",
        "guangxi",
        "zhejiang",
    ] {
        let tree = s.subtree(region);
        let e = s.metric_ids_where(|m| tree.contains(&m.region_id));
        assert!(!e.is_empty(), "{region}");
        assert_filter(&app, &format!("region={region}"), e).await;
    }
    let gansu = app.ids("/v1/metrics?region=gansu").await;
    assert_eq!(
        gansu,
        app.ids("/v1/metrics?source=jinchang-strong-tech").await
    );
    assert!(
        gansu.len()
            > app
                .ids("/v1/metrics?region=jinchang&subject=jinchang")
                .await
                .len()
    );
    assert_eq!(
        app.total("/v1/metrics?region=china").await,
        app.total("/v1/metrics").await
    );
}

#[tokio::test]
async fn an_explicit_region_id_overrides_the_subject_region() {
    let app = spawn_app().await;
    // The national contest is China's, but Guangxi's prizes in it are Guangxi's facts.
    let guangxi = app
        .list_all("/v1/metrics?region=guangxi&subject=china-innovation-methods-contest")
        .await;
    assert!(!guangxi.is_empty());
    for m in &guangxi {
        assert_eq!(m["region_id"], "guangxi");
    }
    let national = app
        .list_all("/v1/metrics?subject=china-innovation-methods-contest")
        .await;
    assert!(national.iter().any(|m| m["region_id"] == "china"));
}

#[tokio::test]
async fn period_filter_matches_the_period_and_its_months() {
    let app = spawn_app().await;
    let s = seed();
    for p in ["2022", "2023", "2030"] {
        let e = s.metric_ids_where(|m| {
            m.raw["period"]
                .as_str()
                .is_some_and(|x| x == p || x.starts_with(&format!("{p}-")))
        });
        assert!(!e.is_empty(), "{p}");
        assert_filter(&app, &format!("period={p}"), e).await;
    }
    let monthly = s.metric_ids_where(|m| m.raw["period"] == "2023-01");
    assert_eq!(monthly.len(), 1);
    assert!(
        app.ids("/v1/metrics?period=2023")
            .await
            .is_superset(&monthly)
    );
    assert_filter(&app, "period=2023-01", monthly).await;
}

#[tokio::test]
async fn from_and_to_are_inclusive_years_and_intervals_overlap() {
    let app = spawn_app().await;
    let s = seed();
    let within = |from: Option<i64>, to: Option<i64>| {
        s.metric_ids_where(move |m| {
            years(m).is_some_and(|(a, b)| from.is_none_or(|f| b >= f) && to.is_none_or(|t| a <= t))
        })
    };
    let interval = s.metric_ids_where(|m| m.raw["period"] == "2021/2022");
    assert!(!interval.is_empty());
    for (q, from, to) in [
        ("from=2022", Some(2022), None),
        ("to=2021", None, Some(2021)),
        ("from=2022&to=2022", Some(2022), Some(2022)),
        ("from=2021&to=2021", Some(2021), Some(2021)),
        ("from=2023", Some(2023), None),
        ("from=2024&to=2030", Some(2024), Some(2030)),
    ] {
        let e = within(from, to);
        if from.is_none_or(|f| f <= 2022) && to.is_none_or(|t| t >= 2021) {
            assert!(e.is_superset(&interval), "2021/2022 overlaps {q}");
        }
        assert_filter(&app, q, e).await;
    }
}

#[tokio::test]
async fn min_and_max_bound_the_value_inclusively() {
    let app = spawn_app().await;
    let s = seed();
    assert_filter(
        &app,
        "min=331500000000",
        s.metric_ids_where(|m| value(m) >= 331_500_000_000.0),
    )
    .await;
    assert_eq!(app.total("/v1/metrics?min=331500000000").await, 1);
    assert_filter(&app, "max=0.03", s.metric_ids_where(|m| value(m) <= 0.03)).await;
    assert_filter(
        &app,
        "min=12&max=12",
        s.metric_ids_where(|m| value(m) == 12.0),
    )
    .await;
    assert_filter(
        &app,
        "min=1e9&max=1e11",
        s.metric_ids_where(|m| (1e9..=1e11).contains(&value(m))),
    )
    .await;
}

#[tokio::test]
async fn filters_combine_with_and() {
    let app = spawn_app().await;
    let got = app
        .list_all("/v1/metrics?indicator=gdp&region=gansu&kind=target")
        .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["original"], "突破600亿元");
    assert_eq!(got[0]["qualifier"], "more_than");
    assert_eq!(got[0]["period"], "2023");
    let s = seed();
    let zhuji = s.subtree("zhuji");
    let e = s.metric_ids_where(|m| {
        m.raw["unit"] == "count"
            && zhuji.contains(&m.region_id)
            && m.raw["qualifier"] == "more_than"
    });
    assert!(!e.is_empty());
    assert_filter(&app, "unit=count&region=zhuji&qualifier=more_than", e).await;
}
