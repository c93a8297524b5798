//! Keyset pagination: pages under every sort add up to the whole list, the `Link` header
//! leads to the next page, and writes between two pages never skip or repeat an item.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use industry_facts::ingest::{OnExisting, ingest};

use crate::helpers::{TestApp, TestResponse, spawn_app};

/// Clients that follow `Link` never see `next_cursor`, so the header must lead on by itself.
fn next_link(r: &TestResponse) -> Option<String> {
    let link = r.header("link")?;
    assert!(link.contains("rel=\"next\""), "{link}");
    let start = link.find('<').expect("<") + 1;
    let end = link.find('>').expect(">");
    Some(link[start..end].to_owned())
}

/// Checks every page on the way, since a wrong `limit` or a missing `Link` shows only mid-walk.
async fn walk(app: &TestApp, first: &str, limit: usize) -> (Vec<Value>, i64) {
    let mut url = first.to_owned();
    let mut items = Vec::new();
    for _ in 0..200 {
        let r = app.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        let page = r.json();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= limit, "{url}");
        assert_eq!(page["meta"]["limit"], limit, "{url}");
        let total = page["meta"]["total"].as_i64().unwrap();
        items.extend(data.iter().cloned());
        let cursor = page["meta"]["next_cursor"].as_str();
        let link = next_link(&r);
        assert_eq!(
            cursor.is_some(),
            link.is_some(),
            "Link iff next_cursor: {url}"
        );
        match link {
            Some(next) => {
                assert!(
                    next.contains(cursor.unwrap()),
                    "the Link carries the cursor"
                );
                assert!(next.starts_with('/'), "{next}");
                url = next;
            }
            None => return (items, total),
        }
    }
    panic!("{first} did not end within 200 pages");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_of_seven_add_up_to_the_list_under_every_sort() {
    let app = spawn_app().await;
    for sort in ["id", "value", "-value", "period", "-period"] {
        let full = ids(&app.list_all(&format!("/v1/metrics?sort={sort}")).await);
        let (paged, total) = walk(&app, &format!("/v1/metrics?limit=7&sort={sort}"), 7).await;
        let paged = ids(&paged);
        assert_eq!(
            paged.len() as i64,
            total,
            "sort={sort}: count == meta.total"
        );
        let mut seen = std::collections::BTreeSet::new();
        for id in &paged {
            assert!(seen.insert(id), "sort={sort}: {id} repeated");
        }
        assert_eq!(paged, full, "sort={sort}: pages in order equal the list");
        assert!(paged.len() > 7 * 5, "enough pages to matter");
    }
}

#[tokio::test]
async fn every_collection_pages_by_link() {
    let app = spawn_app().await;
    for c in [
        "regions",
        "enterprises",
        "projects",
        "policies",
        "indicators",
        "sources",
    ] {
        let full = ids(&app.list_all(&format!("/v1/{c}")).await);
        let (paged, total) = walk(&app, &format!("/v1/{c}?limit=2"), 2).await;
        assert_eq!(ids(&paged), full, "{c}");
        assert_eq!(total as usize, full.len(), "{c}");
    }
}

#[tokio::test]
async fn default_limit_is_fifty_and_the_last_page_has_no_link() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics").await;
    let page = r.json();
    assert_eq!(page["meta"]["limit"], 50);
    assert_eq!(page["data"].as_array().unwrap().len(), 50);
    assert!(page["meta"]["next_cursor"].is_string(), "69 metrics > 50");
    let next = next_link(&r).expect("a Link to page 2");
    let r = app.get(&next).await;
    let page2 = r.json();
    assert_eq!(
        page2["data"].as_array().unwrap().len() as i64,
        page["meta"]["total"].as_i64().unwrap() - 50
    );
    assert!(page2["meta"]["next_cursor"].is_null());
    assert!(r.header("link").is_none(), "no Link on the last page");
    let all = app.get_ok("/v1/metrics?limit=1000").await;
    assert!(all["meta"]["next_cursor"].is_null());
    assert_eq!(
        all["data"].as_array().unwrap().len() as i64,
        all["meta"]["total"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn the_link_keeps_the_filters() {
    let app = spawn_app().await;
    let expected = ids(&app.list_all("/v1/metrics?region=gansu&sort=-value").await);
    let r = app
        .get("/v1/metrics?region=gansu&sort=-value&limit=5")
        .await;
    let link = next_link(&r).expect("gansu has more than 5 metrics");
    assert!(link.contains("region=gansu"), "{link}");
    assert!(link.contains("limit=5"), "{link}");
    let (paged, _) = walk(&app, "/v1/metrics?region=gansu&sort=-value&limit=5", 5).await;
    assert_eq!(ids(&paged), expected);
}

fn bundle(source: &str, metrics: &[(&str, &str, f64, &str, &str)], text: &str) -> Value {
    let metrics: Vec<Value> = metrics
        .iter()
        .map(|(indicator, unit, value, period, quote_and_original)| {
            let (quote, original) = quote_and_original.split_once('|').unwrap();
            json!({"indicator": indicator, "subject": {"type": "region", "id": "jinchang"},
                   "value": value, "value_max": null, "unit": unit, "qualifier": "exact",
                   "kind": "actual", "period": period, "original": original, "quote": quote})
        })
        .collect();
    json!({"source": {"id": source, "title": "分页测试", "publication": "测试日报",
                      "published": "2023-05", "authors": [], "url": null, "text": text},
           "metrics": metrics})
}

fn stability_bundle(source: &str) -> Value {
    bundle(
        source,
        &[
            (
                "enterprises",
                "count",
                12.0,
                "2000",
                "2000年全市企业12家|12家",
            ),
            ("enterprises", "count", 3.0, "2022", "2022年新增企业3家|3家"),
            (
                "gdp",
                "CNY",
                900_000_000_000.0,
                "2099",
                "2099年生产总值9000亿元|9000亿元",
            ),
            ("investment", "CNY", 1.0, "2022-06", "当月投资1元|1元"),
        ],
        "测试：2000年全市企业12家，2022年新增企业3家，2099年生产总值9000亿元，当月投资1元。",
    )
}

#[tokio::test]
async fn writes_between_pages_skip_or_repeat_nothing() {
    let app = spawn_app().await;
    for (n, sort) in ["id", "value", "-value", "period"].iter().enumerate() {
        let original = ids(&app.list_all(&format!("/v1/metrics?sort={sort}")).await);
        let mut url = format!("/v1/metrics?limit=7&sort={sort}");
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for page_no in 0..200 {
            if page_no == 1 || page_no == 4 {
                for prefix in ["aaa", "zzz"] {
                    let src = format!("{prefix}-stability-{n}-{page_no}");
                    ingest(&app.pool, &stability_bundle(&src), OnExisting::Refuse)
                        .await
                        .unwrap_or_else(|e| panic!("{src}: {e:?}"));
                }
            }
            let r = app.get(&url).await;
            assert_eq!(r.status, 200, "{}", r.text());
            for id in ids(r.json()["data"].as_array().unwrap()) {
                *seen.entry(id).or_default() += 1;
            }
            match next_link(&r) {
                Some(next) => url = next,
                None => break,
            }
        }
        for id in &original {
            assert_eq!(
                seen.get(id),
                Some(&1),
                "sort={sort}: {id} seen {:?} times",
                seen.get(id)
            );
        }
        let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(repeated.is_empty(), "sort={sort}: repeated {repeated:?}");
    }
}

#[tokio::test]
async fn equal_fractional_values_page_without_loss() {
    let app = spawn_app().await;
    let text = "甲管厚度0.07毫米，乙管厚度0.07毫米，丙管厚度0.07毫米，丁管厚度0.07毫米，戊管直径2.675毫米，己管直径2.675毫米。";
    let b = bundle(
        "fraction-paging",
        &[
            ("thickness", "mm", 0.07, "2023", "甲管厚度0.07毫米|0.07毫米"),
            ("thickness", "mm", 0.07, "2023", "乙管厚度0.07毫米|0.07毫米"),
            ("thickness", "mm", 0.07, "2023", "丙管厚度0.07毫米|0.07毫米"),
            ("thickness", "mm", 0.07, "2023", "丁管厚度0.07毫米|0.07毫米"),
            (
                "diameter",
                "mm",
                2.675,
                "2023",
                "戊管直径2.675毫米|2.675毫米",
            ),
            (
                "diameter",
                "mm",
                2.675,
                "2023",
                "己管直径2.675毫米|2.675毫米",
            ),
        ],
        text,
    );
    ingest(&app.pool, &b, OnExisting::Refuse).await.unwrap();
    for sort in ["value", "-value"] {
        let (items, total) = walk(
            &app,
            &format!("/v1/metrics?source=fraction-paging&sort={sort}&limit=1"),
            1,
        )
        .await;
        assert_eq!(total, 6);
        let mut got = ids(&items);
        got.sort();
        got.dedup();
        assert_eq!(
            got.len(),
            6,
            "sort={sort}: a cursor on a fraction lost or repeated items"
        );
    }
}

#[tokio::test]
async fn sorts_order_by_value_and_period() {
    let app = spawn_app().await;
    let values = |items: &[Value]| -> Vec<f64> {
        items.iter().map(|m| m["value"].as_f64().unwrap()).collect()
    };
    let asc = values(&app.list_all("/v1/metrics?sort=value").await);
    assert_eq!(asc.len(), crate::helpers::seed().metrics().len());
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    let desc = values(&app.list_all("/v1/metrics?sort=-value").await);
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    let periods: Vec<String> = app
        .list_all("/v1/metrics?sort=period")
        .await
        .iter()
        .filter_map(|m| m["period"].as_str().map(str::to_owned))
        .collect();
    assert!(periods.windows(2).all(|w| w[0] <= w[1]), "{periods:?}");
    let ids: Vec<String> = app
        .list_all("/v1/metrics")
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "the default order is by id"
    );
}
