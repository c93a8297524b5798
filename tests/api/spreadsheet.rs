//! CSV that opens in a spreadsheet: names beside ids, a file name to save under, and the
//! byte order mark Excel needs to read UTF-8.

use crate::helpers::{COLLECTIONS, assert_problem, seed, spawn_app};

#[tokio::test]
async fn metrics_csv_has_names_beside_ids() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics?format=csv&limit=1000").await;
    assert_eq!(r.status, 200);
    let mut reader = csv::Reader::from_reader(r.body.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    assert_eq!(at("indicator_name_zh"), at("indicator") + 1);
    assert_eq!(at("indicator_name_en"), at("indicator") + 2);
    assert_eq!(at("region_name_zh"), at("region_id") + 1);
    assert_eq!(at("region_name_en"), at("region_id") + 2);
    let regions = seed().entities("regions");
    let indicators = seed().entities("indicators");
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let region = regions[&record[at("region_id")]];
        assert_eq!(
            &record[at("region_name_zh")],
            region["name_zh"].as_str().unwrap()
        );
        assert_eq!(
            &record[at("region_name_en")],
            region["name_en"].as_str().unwrap()
        );
        let indicator = indicators[&record[at("indicator")]];
        assert_eq!(
            &record[at("indicator_name_zh")],
            indicator["name_zh"].as_str().unwrap()
        );
        assert_eq!(
            &record[at("indicator_name_en")],
            indicator["name_en"].as_str().unwrap()
        );
        rows += 1;
    }
    assert_eq!(rows as usize, seed().metrics().len().min(1000));
    // JSON carries the same names.
    let page = app.get_ok("/v1/metrics?limit=1").await;
    let m = &page["data"][0];
    let region = regions[m["region_id"].as_str().unwrap()];
    assert_eq!(m["region_name_en"], region["name_en"]);
}

#[tokio::test]
async fn every_csv_is_an_attachment_named_after_its_collection() {
    let app = spawn_app().await;
    for collection in COLLECTIONS {
        let r = app
            .get(&format!("/v1/{collection}?format=csv&limit=2"))
            .await;
        assert_eq!(r.status, 200, "{collection}");
        assert_eq!(
            r.header("content-disposition"),
            Some(format!("attachment; filename=\"{collection}.csv\"").as_str())
        );
        let json = app.get(&format!("/v1/{collection}?limit=2")).await;
        assert_eq!(json.header("content-disposition"), None);
    }
    let r = app
        .get_with("/v1/search?q=%E9%87%91%E6%98%8C", &[("accept", "text/csv")])
        .await;
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"search.csv\"")
    );
}

#[tokio::test]
async fn bom_prefixes_csv_and_is_refused_on_json() {
    let app = spawn_app().await;
    let plain = app.get("/v1/regions?format=csv").await;
    let marked = app.get("/v1/regions?format=csv&bom=true").await;
    assert_eq!(marked.status, 200);
    assert!(!plain.text().starts_with('\u{feff}'));
    assert!(marked.body.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert_eq!(marked.text()['\u{feff}'.len_utf8()..], plain.text());
    let off = app.get("/v1/regions?format=csv&bom=false").await;
    assert_eq!(off.text(), plain.text());
    assert_problem(&app.get("/v1/regions?bom=true").await, 400, Some("bom"));
    assert_problem(
        &app.get("/v1/regions?format=csv&bom=yes").await,
        400,
        Some("bom"),
    );
}
