//! Facets, `limit=0`, several values in one filter and names where ids are expected: every
//! figure is held against what the plain list returns for the same filters, so a facet can
//! never disagree with the rows it claims to count.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, region_tree, seed, spawn_app, spawn_synth_app};

/// Each collection's facets and how a listed item carries the facet's values.
const FACETS: &[(&str, &str, &str)] = &[
    ("regions", "level", "level"),
    ("regions", "parent", "parent_id"),
    ("enterprises", "kind", "kind"),
    ("enterprises", "region", "region_id"),
    ("enterprises", "industry", "industries"),
    ("projects", "status", "status"),
    ("projects", "region", "region_id"),
    ("projects", "enterprise", "enterprise_ids"),
    ("policies", "kind", "kind"),
    ("policies", "region", "region_id"),
    ("indicators", "unit", "unit"),
    ("metrics", "indicator", "indicator"),
    ("metrics", "region", "region_id"),
    ("metrics", "unit", "unit"),
    ("metrics", "qualifier", "qualifier"),
    ("metrics", "kind", "kind"),
    ("metrics", "period", "period"),
    ("metrics", "subject_type", "subject/type"),
    ("metrics", "subject", "subject/id"),
    ("metrics", "source", "source_id"),
    ("sources", "publication", "publication"),
];

/// Facets whose filter matches exactly the rows carrying the value (a region filter also
/// takes the regions below, a period filter a year's months).
fn filter_is_exact(collection: &str, facet: &str) -> bool {
    !matches!(facet, "region" | "period" | "publication") || collection == "sources"
}

fn values_of(item: &Value, path: &str) -> Vec<String> {
    let v = path.split('/').fold(item, |v, key| &v[key]);
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn counts_of(items: &[Value], path: &str) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for item in items {
        for v in values_of(item, path) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    counts
}

fn facet_counts(body: &Value, facet: &str) -> BTreeMap<String, i64> {
    body["meta"]["facets"][facet]["values"]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {facet}: {body}"))
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn sep(path: &str) -> char {
    if path.contains('?') { '&' } else { '?' }
}

/// Whether `path` already filters on `param`: adding `param=value` there would widen the
/// filter (several values of one filter mean either) rather than narrow it.
fn filters_on(path: &str, param: &str) -> bool {
    path.split(['?', '&'])
        .any(|p| p.split_once('=').is_some_and(|(k, _)| k == param))
}

/// Checks every facet of `collection` under the filters in `path` against its listed rows,
/// and returns the counts of each facet.
async fn check_facets(
    app: &TestApp,
    collection: &str,
    path: &str,
) -> BTreeMap<&'static str, BTreeMap<String, i64>> {
    let items = app.list_all(path).await;
    let mut all = BTreeMap::new();
    for &(c, facet, field) in FACETS.iter().filter(|(c, ..)| *c == collection) {
        let url = format!("{path}{}limit=0&facet={facet}&facet_size=1000", sep(path));
        let body = app.get_ok(&url).await;
        assert_eq!(body["data"], Value::Array(Vec::new()), "{url}");
        assert_eq!(body["meta"]["total"], items.len(), "{url}");
        assert_eq!(body["meta"]["facets"][facet]["truncated"], false, "{url}");
        let got = facet_counts(&body, facet);
        assert_eq!(got, counts_of(&items, field), "{url}");
        let listed: Vec<i64> = body["meta"]["facets"][facet]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["count"].as_i64().unwrap())
            .collect();
        assert!(listed.windows(2).all(|w| w[0] >= w[1]), "{url}: {listed:?}");
        if filter_is_exact(c, facet) && !filters_on(path, facet) {
            for (value, count) in &got {
                let filtered = format!("{path}{}{facet}={value}", sep(path));
                let filtered = filtered.replace(' ', "%20");
                assert_eq!(app.total(&filtered).await, *count, "{filtered}");
            }
        }
        all.insert(facet, got);
    }
    all
}

#[tokio::test]
async fn facet_counts_equal_the_listed_rows_of_each_value() {
    let app = spawn_app().await;
    for collection in crate::helpers::COLLECTIONS {
        check_facets(&app, collection, &format!("/v1/{collection}")).await;
    }
    check_facets(&app, "metrics", "/v1/metrics?region=gansu").await;
    check_facets(&app, "metrics", "/v1/metrics?q=%E9%95%8D&kind=actual").await;
    check_facets(&app, "enterprises", "/v1/enterprises?kind=company").await;
}

#[tokio::test]
async fn facet_labels_come_from_the_named_entities_and_size_truncates() {
    let app = spawn_app().await;
    let body = app
        .get_ok("/v1/metrics?limit=0&facet=region,indicator&facet_size=1000")
        .await;
    let regions = seed().entities("regions");
    for v in body["meta"]["facets"]["region"]["values"]
        .as_array()
        .unwrap()
    {
        let region = regions[v["value"].as_str().unwrap()];
        assert_eq!(v["label_zh"], region["name_zh"], "{v}");
        assert_eq!(v["label_en"], region["name_en"], "{v}");
    }
    let indicators = seed().entities("indicators");
    for v in body["meta"]["facets"]["indicator"]["values"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            v["label_en"],
            indicators[v["value"].as_str().unwrap()]["name_en"]
        );
    }
    let kinds = app.get_ok("/v1/metrics?limit=0&facet=kind").await;
    assert!(kinds["meta"]["facets"]["kind"]["values"][0]["label_zh"].is_null());

    let all = facet_counts(&body, "indicator");
    assert!(all.len() > 2, "the seed has several indicators");
    let two = app
        .get_ok("/v1/metrics?limit=0&facet=indicator&facet_size=2")
        .await;
    let values = two["meta"]["facets"]["indicator"]["values"]
        .as_array()
        .unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(two["meta"]["facets"]["indicator"]["truncated"], true);
    let mut ranked: Vec<(i64, String)> = all.iter().map(|(v, n)| (-n, v.clone())).collect();
    ranked.sort();
    for (v, (n, id)) in values.iter().zip(&ranked) {
        assert_eq!(v["value"], id.as_str());
        assert_eq!(v["count"], -n);
    }
}

#[tokio::test]
async fn limit_zero_gives_the_total_and_no_rows() {
    let app = spawn_app().await;
    for collection in crate::helpers::COLLECTIONS {
        let body = app.get_ok(&format!("/v1/{collection}?limit=0")).await;
        assert_eq!(body["data"], Value::Array(Vec::new()));
        assert!(body["meta"]["next_cursor"].is_null(), "{body}");
        let all = app.list_all(&format!("/v1/{collection}")).await;
        assert_eq!(body["meta"]["total"], all.len(), "{collection}");
        assert!(body["meta"].get("facets").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_region_facet_rolled_up_to_provinces_matches_each_province_filter() {
    let app = spawn_app().await;
    let provinces = seed().ids_where("regions", |r| r["level"] == "province");
    for collection in ["metrics", "enterprises", "projects", "policies"] {
        let body = app
            .get_ok(&format!(
                "/v1/{collection}?limit=0&facet=region&facet_level=province&facet_size=1000"
            ))
            .await;
        let counts = facet_counts(&body, "region");
        assert!(!counts.is_empty(), "{collection}: {body}");
        for (province, count) in &counts {
            assert!(provinces.contains(province), "{province} is not a province");
            let total = app
                .total(&format!("/v1/{collection}?region={province}"))
                .await;
            assert_eq!(total, *count, "{collection} in {province}");
        }
        for province in &provinces {
            if !counts.contains_key(province) {
                let total = app
                    .total(&format!("/v1/{collection}?region={province}"))
                    .await;
                assert_eq!(total, 0, "{collection} in {province} left out");
            }
        }
    }
    assert_problem(
        &app.get("/v1/metrics?facet=kind&facet_level=province").await,
        400,
        Some("facet_level"),
    );
    assert_problem(
        &app.get("/v1/metrics?facet=region&facet_level=planet").await,
        400,
        Some("facet_level"),
    );
}

/// Checks the region facet of metrics rolled up to `level` under the filters in `path`: each
/// value's count is the sum of the own-region counts `own` over the value's subtree (walked here
/// through `parent_id`, not the closure table the service reads, so a row counts for every
/// region of that level above it), regions above the level are left out, and, where `path` has no region filter of its own to widen, each count is the
/// list's total with that region added as a filter. Returns how many values the roll-up has.
async fn check_rollup(
    app: &TestApp,
    tree: &BTreeMap<String, (Option<String>, String)>,
    path: &str,
    own: &BTreeMap<String, i64>,
    level: &str,
) -> usize {
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (region, n) in own {
        let mut at = Some(region.clone());
        while let Some(r) = at {
            // A zone inside a zone counts its rows for both, as the region filter does.
            if tree[&r].1 == level {
                *expected.entry(r.clone()).or_insert(0) += n;
            }
            at = tree[&r].0.clone();
        }
    }
    let url = format!(
        "{path}{}limit=0&facet=region&facet_level={level}&facet_size=1000",
        sep(path)
    );
    let body = app.get_ok(&url).await;
    assert_eq!(body["data"], Value::Array(Vec::new()), "{url}");
    assert_eq!(
        body["meta"]["facets"]["region"]["truncated"], false,
        "{url}"
    );
    let got = facet_counts(&body, "region");
    assert_eq!(got, expected, "{url}");
    if !filters_on(path, "region") {
        for (region, count) in &got {
            let filtered = format!("{path}{}region={region}", sep(path));
            assert_eq!(app.total(&filtered).await, *count, "{filtered}");
        }
    }
    got.len()
}

/// On a synthetic corpus, where regions, subjects and periods are many: under several filter
/// combinations, every metrics facet agrees with the listed rows and with the list's total for
/// each value added as a filter, every region level's roll-up is the sum over each subtree, and
/// `limit=0` gives all facets at once, the same as with a page of rows and without rows.
#[tokio::test]
async fn facets_match_the_list_on_a_synthetic_corpus() {
    let (_dir, app) = spawn_synth_app(2_000, 11).await;
    let tree = region_tree(&app).await;
    let levels: BTreeSet<&str> = tree.values().map(|(_, l)| l.as_str()).collect();

    // Filters drawn from the corpus: its most common indicator above its median value, its
    // prefecture with the most facts, and the indicator's Chinese name as text.
    let whole = app
        .get_ok("/v1/metrics?limit=0&facet=indicator&facet=region&facet_level=prefecture")
        .await;
    let top = |facet: &str| {
        whole["meta"]["facets"][facet]["values"][0]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("no {facet} values: {whole}"))
            .to_owned()
    };
    let (indicator, prefecture) = (top("indicator"), top("region"));
    let mut values: Vec<f64> = app
        .list_all(&format!("/v1/metrics?indicator={indicator}"))
        .await
        .iter()
        .map(|m| m["value"].as_f64().unwrap())
        .collect();
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    let name = app.get_ok(&format!("/v1/indicators/{indicator}")).await["data"]["name_zh"]
        .as_str()
        .unwrap()
        .to_owned();
    let paths = [
        "/v1/metrics".to_owned(),
        "/v1/metrics?region=gansu".to_owned(),
        "/v1/metrics?kind=actual,target&from=2020".to_owned(),
        format!("/v1/metrics?indicator={indicator}&min={median}"),
        format!("/v1/metrics?region={prefecture}&kind=actual"),
        format!(
            "/v1/metrics?q={}&subject_type=enterprise,region",
            urlencode(&name)
        ),
    ];

    let names: Vec<&str> = FACETS
        .iter()
        .filter(|(c, ..)| *c == "metrics")
        .map(|(_, f, _)| *f)
        .collect();
    let mut most: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rolled: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &paths {
        let total = app.total(path).await;
        assert!(total > 0, "{path} selects nothing");
        let counts = check_facets(&app, "metrics", path).await;
        for (facet, values) in &counts {
            let n = most.entry(facet).or_insert(0);
            *n = (*n).max(values.len());
        }
        for level in &levels {
            let n = check_rollup(&app, &tree, path, &counts["region"], level).await;
            *rolled.entry(level).or_insert(0) += n;
        }

        // Every facet in one request: no rows with limit=0, the same counts beside a page.
        let all = format!(
            "{path}{}facet={}&facet_size=1000",
            sep(path),
            names.join(",")
        );
        for limit in [0, 7] {
            let body = app.get_ok(&format!("{all}&limit={limit}")).await;
            let rows = body["data"].as_array().unwrap().len() as i64;
            assert_eq!(rows, total.min(limit), "{all}&limit={limit}");
            assert_eq!(body["meta"]["total"], total, "{all}&limit={limit}");
            if limit == 0 {
                assert!(body["meta"]["next_cursor"].is_null(), "{body}");
            }
            for facet in &names {
                assert_eq!(
                    facet_counts(&body, facet),
                    counts[facet],
                    "{all}&limit={limit}: {facet}"
                );
            }
        }
    }
    // The corpus gives every facet and every level below the country something to tell apart.
    for facet in &names {
        assert!(most[facet] >= 2, "{facet}: at most {} values", most[facet]);
    }
    for level in levels.iter().filter(|l| **l != "country") {
        assert!(
            rolled[level] >= 2,
            "{level}: {} values rolled up",
            rolled[level]
        );
    }
}

async fn union(app: &TestApp, path: &str, param: &str, values: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for v in values {
        out.extend(app.ids(&format!("{path}{}{param}={v}", sep(path))).await);
    }
    out
}

#[tokio::test]
async fn several_values_in_one_filter_mean_either() {
    let app = spawn_app().await;
    for (path, param, values) in [
        ("/v1/metrics", "kind", &["target", "plan", "actual"][..]),
        ("/v1/metrics", "region", &["gansu", "chongqing"][..]),
        (
            "/v1/metrics?subject_type=region",
            "indicator",
            &["revenue", "gdp", "employees"][..],
        ),
        ("/v1/enterprises", "industry", &["nickel", "aerospace"][..]),
        ("/v1/enterprises", "kind", &["company", "university"][..]),
        ("/v1/regions", "level", &["province", "prefecture"][..]),
        ("/v1/projects", "status", &["planned", "operating"][..]),
        ("/v1/policies", "kind", &["plan", "opinion"][..]),
    ] {
        let expected = union(&app, path, param, values).await;
        let s = sep(path);
        let listed = app
            .ids(&format!("{path}{s}{param}={}", values.join(",")))
            .await;
        assert_eq!(listed, expected, "{path} {param}={values:?}");
        let repeated: Vec<String> = values.iter().map(|v| format!("{param}={v}")).collect();
        let again = app.ids(&format!("{path}{s}{}", repeated.join("&"))).await;
        assert_eq!(again, expected, "{path} repeated {param}");
        let total = app
            .total(&format!("{path}{s}{param}={}", values.join(",")))
            .await;
        assert_eq!(total, expected.len() as i64);
    }
    let body = assert_problem(
        &app.get("/v1/metrics?kind=target,nonsense").await,
        400,
        Some("kind"),
    );
    assert!(body.to_string().contains("nonsense"), "{body}");
    let body = assert_problem(
        &app.get("/v1/metrics?region=gansu&region=nowhere-at-all")
            .await,
        400,
        Some("region"),
    );
    assert!(body.to_string().contains("nowhere-at-all"), "{body}");
}

#[tokio::test]
async fn names_stand_for_ids() {
    let app = spawn_app().await;
    let gansu = app.ids("/v1/metrics?region=gansu").await;
    assert!(!gansu.is_empty());
    for name in ["甘肃", "甘肃省", "Gansu", "GANSU", "gansu"] {
        let ids = app
            .ids(&format!("/v1/metrics?region={}", urlencode(name)))
            .await;
        assert_eq!(ids, gansu, "region={name}");
    }
    let jinchang = app.ids("/v1/enterprises?region=jinchang").await;
    assert_eq!(
        app.ids(&format!("/v1/enterprises?region={}", urlencode("金昌")))
            .await,
        jinchang
    );
    let indicators = seed().entities("indicators");
    let (id, indicator) = indicators.iter().next().unwrap();
    let by_id = app.ids(&format!("/v1/metrics?indicator={id}")).await;
    for name in [&indicator["name_zh"], &indicator["name_en"]] {
        let name = urlencode(name.as_str().unwrap());
        assert_eq!(
            app.ids(&format!("/v1/metrics?indicator={name}")).await,
            by_id
        );
    }
    let subject = app.ids("/v1/metrics?subject=jinchang").await;
    assert_eq!(
        app.ids(&format!("/v1/metrics?subject={}", urlencode("金昌市")))
            .await,
        subject
    );
}

#[tokio::test]
async fn unknown_names_and_tags_suggest_the_closest() {
    let app = spawn_app().await;
    for (path, param, wanted) in [
        ("/v1/metrics?region=gansuu", "region", &["gansu"][..]),
        (
            "/v1/enterprises?industry=rare-earth",
            "industry",
            &["rare-earths", "rare-earth-materials"][..],
        ),
        (
            "/v1/metrics?indicator=revenu",
            "indicator",
            &["revenue"][..],
        ),
    ] {
        let body = assert_problem(&app.get(path).await, 400, Some(param));
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("did you mean"), "{message}");
        for w in wanted {
            assert!(message.contains(&format!("`{w}`")), "{path}: {message}");
        }
    }
    let tags = app
        .get_ok("/v1/enterprises?limit=0&facet=industry&facet_size=1000")
        .await;
    let tags = facet_counts(&tags, "industry");
    assert!(tags.contains_key("rare-earths") && tags.contains_key("rare-earth-materials"));
}

#[tokio::test]
async fn facets_are_refused_where_they_do_not_apply() {
    let app = spawn_app().await;
    let body = assert_problem(
        &app.get("/v1/metrics?facet=quote").await,
        400,
        Some("facet"),
    );
    assert!(body.to_string().contains("indicator"), "{body}");
    assert_problem(
        &app.get("/v1/metrics?facet=kind&format=csv").await,
        400,
        Some("facet"),
    );
    assert_problem(
        &app.get("/v1/metrics?facet=kind&facet_size=1001").await,
        400,
        Some("facet_size"),
    );
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_owned()
}
