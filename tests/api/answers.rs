//! Answers a dashboard asks for in one request (breakdowns, series, region paths), each held
//! against what the plain lists return for the same filters, so an answer can never tell a
//! different story from the rows it sums up.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, region_tree, seed, spawn_app, spawn_synth_app};

/// The values a listed metric has for a field of `by=`: one, or for a region rolled up to a
/// level each of its regions at that level (a zone may lie within another), or null when it
/// has none.
fn by_values(metric: &Value, field: &str, rollup: &dyn Fn(&str) -> Vec<String>) -> Vec<Value> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let v = match field {
        "indicator" => s(&metric["indicator"]),
        "region" => {
            let up = rollup(metric["region_id"].as_str().unwrap());
            if up.is_empty() {
                None
            } else {
                return up.into_iter().map(Value::from).collect();
            }
        }
        "subject" => s(&metric["subject"]["id"]),
        "period" => s(&metric["period"]),
        "kind" => s(&metric["kind"]),
        "unit" => s(&metric["unit"]),
        "qualifier" => s(&metric["qualifier"]),
        "source" => s(&metric["source_id"]),
        other => panic!("no by field {other}"),
    };
    vec![v.map(Value::from).unwrap_or(Value::Null)]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Checks one breakdown against the metrics list under the same filters: the same groups,
/// and in each the count, sum, min, max, unit and bound the listed rows give; or, when some
/// group of listed rows mixes units, the 400 naming `by`.
async fn check_breakdown(app: &TestApp, by: &[&str], level: Option<&str>, filters: &str) -> bool {
    let tree = region_tree(app).await;
    // The region itself and each one above it at the level, as the region filter counts it.
    let rollup = |id: &str| -> Vec<String> {
        let Some(level) = level else {
            return vec![id.to_owned()];
        };
        let mut found = Vec::new();
        let mut at = Some(id.to_owned());
        while let Some(r) = at {
            if tree[&r].1 == level {
                found.push(r.clone());
            }
            at = tree[&r].0.clone();
        }
        found
    };
    let listed = app.list_all(&format!("/v1/metrics?{filters}")).await;
    let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for m in &listed {
        let mut keys = vec![serde_json::Map::new()];
        for f in by {
            keys = keys
                .into_iter()
                .flat_map(|key| {
                    by_values(m, f, &rollup).into_iter().map(move |v| {
                        let mut key = key.clone();
                        key.insert(f.to_string(), v);
                        key
                    })
                })
                .collect();
        }
        for key in keys {
            groups
                .entry(Value::Object(key).to_string())
                .or_default()
                .push(m);
        }
    }
    let mut url = String::from("/v1/metrics/breakdown?");
    for f in by {
        url.push_str(&format!("by={f}&"));
    }
    if let Some(l) = level {
        url.push_str(&format!("level={l}&"));
    }
    url.push_str(filters);
    let mixed = groups.values().any(|rows| {
        rows.iter()
            .map(|m| m["unit"].as_str().unwrap())
            .collect::<BTreeSet<_>>()
            .len()
            > 1
    });
    let r = app.get(&url).await;
    if mixed {
        let body = assert_problem(&r, 400, Some("by"));
        assert!(body.to_string().contains("unit="), "{body}");
        return false;
    }
    assert_eq!(r.status.as_u16(), 200, "{url}: {}", r.text());
    let answer = r.json();
    assert_eq!(answer["meta"]["total"], listed.len(), "{url}");
    let data = answer["data"].as_array().unwrap();
    let got: BTreeMap<String, &Value> = data.iter().map(|g| (g["key"].to_string(), g)).collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        groups.keys().collect::<Vec<_>>(),
        "{url}"
    );
    for (key, rows) in &groups {
        let g = got[key];
        let values: Vec<f64> = rows.iter().map(|m| m["value"].as_f64().unwrap()).collect();
        assert_eq!(g["count"], rows.len(), "{url} {key}");
        let sum: f64 = values.iter().sum();
        assert!(close(g["sum"].as_f64().unwrap(), sum), "{url} {key}: {g}");
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(close(g["min"].as_f64().unwrap(), min), "{url} {key}: {g}");
        assert!(close(g["max"].as_f64().unwrap(), max), "{url} {key}: {g}");
        assert_eq!(g["unit"], rows[0]["unit"], "{url} {key}");
        let bounded = rows.iter().any(|m| m["qualifier"] != "exact");
        assert_eq!(g["bounded"], bounded, "{url} {key}");
        for f in by {
            assert!(g["labels"][f].is_object(), "{url} {key}: labels.{f}");
        }
    }
    !groups.is_empty()
}

/// Breakdowns over several fields and filters (region, text search, kinds) agree with the list.
#[tokio::test]
async fn breakdowns_match_the_list() {
    let app = spawn_app().await;
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (&["unit"], None, ""),
        (&["unit", "kind"], None, ""),
        (&["indicator", "unit"], None, ""),
        (&["region", "unit"], Some("province"), ""),
        (&["region", "unit"], Some("prefecture"), "region=gansu"),
        (&["qualifier", "unit"], None, "region=gansu"),
        (&["period", "unit"], None, "kind=actual"),
        (&["source", "unit"], None, "q=镍"),
        (&["subject", "unit"], None, "subject_type=enterprise"),
        (&["region"], None, "unit=CNY"),
        (&["region"], None, ""),
        (&["indicator"], None, ""),
    ];
    let mut compared = 0;
    for (by, level, filters) in cases {
        compared += usize::from(check_breakdown(&app, by, *level, filters).await);
    }
    assert!(
        compared >= 8,
        "only {compared} breakdowns had groups to compare"
    );
    // Each indicator alone: one unit per group in practice, so sums are given.
    let indicators = app.list_all("/v1/indicators").await;
    for ind in indicators.iter().take(12) {
        let id = ind["id"].as_str().unwrap();
        check_breakdown(&app, &["region"], None, &format!("indicator={id}")).await;
    }
}

/// Several values in one id filter and names where ids are expected select on breakdowns and
/// series what they select on the list, and a name gives the very answer its id gives.
#[tokio::test]
async fn answers_take_several_values_and_names_as_the_list_does() {
    let app = spawn_app().await;
    let gansu = app.get_ok("/v1/regions/gansu").await["data"].clone();
    let (zh, en) = (
        gansu["name_zh"].as_str().unwrap().to_owned(),
        gansu["name_en"].as_str().unwrap().to_owned(),
    );
    let top = app
        .get_ok("/v1/metrics?region=gansu&limit=0&facet=indicator")
        .await;
    let indicator = top["meta"]["facets"]["indicator"]["values"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let indicator_zh = app.get_ok(&format!("/v1/indicators/{indicator}")).await["data"]["name_zh"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut points = 0;
    for filters in [
        "region=gansu,chongqing".to_owned(),
        "region=gansu&region=guangxi&kind=actual,target".to_owned(),
        format!("region={zh}"),
        format!("region={en}&indicator={indicator_zh}"),
    ] {
        assert!(
            check_breakdown(&app, &["region", "unit"], Some("prefecture"), &filters).await,
            "{filters}: nothing to compare"
        );
        points += check_series(&app, &filters).await;
    }
    assert!(points > 0, "no series had points to compare");
    for (named, ids) in [
        (format!("region={zh}"), "region=gansu".to_owned()),
        (
            format!("region={en}&indicator={indicator_zh}"),
            format!("region=gansu&indicator={indicator}"),
        ),
    ] {
        for route in ["/v1/metrics/breakdown?by=unit&by=kind&", "/v1/series?"] {
            assert_eq!(
                app.get_ok(&format!("{route}{named}")).await,
                app.get_ok(&format!("{route}{ids}")).await,
                "{route}{named}"
            );
        }
    }
    for route in ["/v1/metrics/breakdown?by=unit&", "/v1/series?"] {
        let body = assert_problem(
            &app.get(&format!("{route}region=gansu,atlantis")).await,
            400,
            Some("region"),
        );
        assert!(body.to_string().contains("atlantis"), "{body}");
        let body = assert_problem(
            &app.get(&format!("{route}region=Gansuu")).await,
            400,
            Some("region"),
        );
        assert!(body.to_string().contains("`gansu`"), "{body}");
    }
}

/// Adding up yuan and tonnes is refused with the filter to add, and a region label is the
/// region's own name.
#[tokio::test]
async fn breakdown_refuses_mixed_units_and_labels_regions() {
    let app = spawn_app().await;
    let r = app.get("/v1/metrics/breakdown?by=region").await;
    let body = assert_problem(&r, 400, Some("by"));
    let detail = body.to_string();
    assert!(
        detail.contains("unit=") && detail.contains("by=unit"),
        "{detail}"
    );
    let answer = app
        .get_ok("/v1/metrics/breakdown?by=region&unit=CNY&region=gansu")
        .await;
    let regions = app.list_all("/v1/regions").await;
    for g in answer["data"].as_array().unwrap() {
        let id = g["key"]["region"].as_str().unwrap();
        let region = regions.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(g["label_zh"], region["name_zh"]);
        assert_eq!(g["label_en"], region["name_en"]);
        assert_eq!(g["labels"]["region"]["zh"], region["name_zh"]);
    }
    for (url, param) in [
        ("/v1/metrics/breakdown", "by"),
        ("/v1/metrics/breakdown?by=colour", "by"),
        ("/v1/metrics/breakdown?by=unit&by=kind&by=region", "by"),
        ("/v1/metrics/breakdown?by=unit&level=province", "level"),
        ("/v1/metrics/breakdown?by=region&level=planet", "level"),
        ("/v1/metrics/breakdown?by=unit&region=atlantis", "region"),
        ("/v1/metrics/breakdown?by=unit&sort=value", "sort"),
    ] {
        assert_problem(&app.get(url).await, 400, Some(param));
    }
}

/// A group is a bound as soon as one of its figures is not exact.
#[tokio::test]
async fn bounded_groups_follow_their_qualifiers() {
    let app = spawn_app().await;
    let answer = app
        .get_ok("/v1/metrics/breakdown?by=qualifier&by=unit")
        .await;
    let data = answer["data"].as_array().unwrap();
    assert!(data.iter().any(|g| g["bounded"] == true), "{answer}");
    assert!(data.iter().any(|g| g["bounded"] == false), "{answer}");
    for g in data {
        assert_eq!(g["bounded"], g["key"]["qualifier"] != "exact", "{g}");
    }
}

/// The first and last day of a period, worked out here from its text.
fn expected_bounds(period: &str) -> (String, String) {
    let (a, b) = period.split_once('/').unwrap_or((period, period));
    let days = |y: u32, m: u32| match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let parts = |s: &str| -> Vec<u32> { s.split('-').map(|p| p.parse().unwrap()).collect() };
    let (pa, pb) = (parts(a), parts(b));
    let start = format!(
        "{:04}-{:02}-{:02}",
        pa[0],
        pa.get(1).copied().unwrap_or(1),
        pa.get(2).copied().unwrap_or(1)
    );
    let m = pb.get(1).copied().unwrap_or(12);
    let end = format!(
        "{:04}-{:02}-{:02}",
        pb[0],
        m,
        pb.get(2).copied().unwrap_or(days(pb[0], m))
    );
    (start, end)
}

/// Every series under the filters, following the cursor with small pages.
async fn all_series(app: &TestApp, filters: &str) -> (Vec<Value>, i64) {
    let mut out = Vec::new();
    let mut url = format!("/v1/series?limit=3&{filters}");
    let mut without = None;
    for _ in 0..1000 {
        let page = app.get_ok(&url).await;
        let w = page["meta"]["without_period"].as_i64().unwrap();
        assert!(without.is_none_or(|x| x == w), "without_period moves");
        without = Some(w);
        out.extend(page["data"].as_array().unwrap().clone());
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => url = format!("/v1/series?limit=3&{filters}&cursor={c}"),
            None => return (out, without.unwrap()),
        }
    }
    panic!("series did not end");
}

/// Series points are exactly the listed facts that have a period, each in its series, in time
/// order, with the period's first and last day; facts without a period are counted.
async fn check_series(app: &TestApp, filters: &str) -> usize {
    let listed = app.list_all(&format!("/v1/metrics?{filters}")).await;
    let (series, without) = all_series(app, filters).await;
    let by_id: BTreeMap<&str, &Value> = listed
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m))
        .collect();
    let dated: BTreeSet<&str> = listed
        .iter()
        .filter(|m| !m["period"].is_null())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        without as usize,
        listed.len() - dated.len(),
        "{filters}: without_period"
    );
    let mut seen = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for s in &series {
        let key = (
            s["indicator"].to_string(),
            s["subject"]["type"].to_string(),
            s["subject"]["id"].to_string(),
            s["unit"].to_string(),
            s["region_id"].to_string(),
        );
        assert!(keys.insert(key), "{filters}: a series appears twice: {s}");
        let points = s["points"].as_array().unwrap();
        assert!(!points.is_empty(), "{s}");
        let mut last: Option<(String, String, String, String)> = None;
        for p in points {
            let id = p["metric_id"].as_str().unwrap();
            assert!(seen.insert(id.to_owned()), "{id} twice");
            let m = by_id
                .get(id)
                .unwrap_or_else(|| panic!("{filters}: {id} is not listed"));
            assert_eq!(s["indicator"], m["indicator"]);
            assert_eq!(s["subject"], m["subject"]);
            assert_eq!(s["unit"], m["unit"]);
            assert_eq!(s["region_id"], m["region_id"]);
            for f in ["period", "value", "value_max", "qualifier", "kind"] {
                assert_eq!(p[f], m[f], "{id}.{f}");
            }
            assert_eq!(p["source_id"], m["source_id"]);
            let (start, end) = expected_bounds(m["period"].as_str().unwrap());
            assert_eq!(p["period_start"], start.as_str(), "{id}");
            assert_eq!(p["period_end"], end.as_str(), "{id}");
            let here = (
                start,
                p["kind"].as_str().unwrap().to_owned(),
                end,
                id.to_owned(),
            );
            if let Some(prev) = &last {
                assert!(*prev <= here, "{filters}: points out of order in {s}");
            }
            last = Some(here);
        }
    }
    let seen: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(seen, dated, "{filters}");
    seen.len()
}

#[tokio::test]
async fn series_are_the_listed_facts_with_a_period() {
    let app = spawn_app().await;
    for filters in [
        "",
        "region=gansu",
        "kind=target",
        "q=镍",
        "unit=CNY&from=2020",
        // A subject's series come from the subject's own index.
        "subject=jinchang",
        "subject=jinchang&indicator=gdp",
        "subject=guangxi,jinchuan-copper-smelting-upgrade-project&kind=actual",
        "subject=huandong-subdistrict&region=jinchang",
        "subject=jinchang&q=金昌",
    ] {
        check_series(&app, filters).await;
    }
    let indicators = app.list_all("/v1/indicators").await;
    for ind in indicators.iter().take(8) {
        check_series(&app, &format!("indicator={}", ind["id"].as_str().unwrap())).await;
    }
    assert_problem(
        &app.get("/v1/series?cursor=nonsense").await,
        400,
        Some("cursor"),
    );
    assert_problem(
        &app.get("/v1/series?indicator=nothing").await,
        400,
        Some("indicator"),
    );
}

/// Every region's path is its chain of parents from the country down, walked here through
/// `parent_id` independently of the closure table the service reads.
#[tokio::test]
async fn region_path_is_the_parent_chain() {
    let app = spawn_app().await;
    let regions = app.list_all("/v1/regions").await;
    let parents: BTreeMap<String, Option<String>> = regions
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["parent_id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(parents.len(), seed().ids("regions").len());
    for r in &regions {
        let id = r["id"].as_str().unwrap();
        let mut walked = Vec::new();
        let mut at = parents[id].clone();
        while let Some(p) = at {
            walked.push(Value::from(p.clone()));
            at = parents[&p].clone();
        }
        walked.reverse();
        assert_eq!(r["path"], Value::from(walked.clone()), "list item {id}");
        let one = app.get_ok(&format!("/v1/regions/{id}")).await;
        assert_eq!(one["data"]["path"], Value::from(walked), "item {id}");
    }
    let jinchang = app.get_ok("/v1/regions/jinchang").await;
    assert_eq!(
        jinchang["data"]["path"],
        serde_json::json!(["china", "gansu"])
    );
}

/// CSV joins the path like every other list column.
#[tokio::test]
async fn region_path_in_csv() {
    let app = spawn_app().await;
    let r = app.get("/v1/regions?region=jinchang&format=csv").await;
    assert_eq!(r.status.as_u16(), 200);
    let text = r.text();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|h| *h == "path")
        .expect("a path column");
    let row = lines
        .find(|l| l.starts_with("jinchang,"))
        .expect("jinchang is listed");
    assert!(
        row.contains("china; gansu"),
        "{row} (path is column {column})"
    );
}

/// The same agreements on a synthetic corpus, where groups, regions and periods are many.
#[tokio::test]
async fn answers_match_the_list_on_a_synthetic_corpus() {
    let (_dir, app) = spawn_synth_app(2_000, 11).await;
    for (by, level, filters) in [
        (&["region", "unit"][..], Some("province"), ""),
        (&["indicator", "unit"][..], None, "kind=actual"),
        (&["period", "unit"][..], None, "region=gansu"),
        (&["unit", "qualifier"][..], None, "from=2020&to=2022"),
    ] {
        assert!(
            check_breakdown(&app, by, level, filters).await,
            "{by:?} {filters}: nothing to compare"
        );
    }
    let indicators = app.list_all("/v1/indicators").await;
    for ind in indicators.iter().take(3) {
        let id = ind["id"].as_str().unwrap();
        check_breakdown(
            &app,
            &["region"],
            Some("province"),
            &format!("indicator={id}"),
        )
        .await;
        check_series(&app, &format!("indicator={id}&region=gansu")).await;
    }
    assert!(check_series(&app, "region=jinchang").await > 0);
    // Regions rolled up at every level, from every height: the figures kept per region answer
    // these (and a zone within a zone counts under both), and with a subject type the facts
    // themselves do; the two must tell the same story.
    let tree = region_tree(&app).await;
    let levels: BTreeSet<&str> = tree.values().map(|(_, l)| l.as_str()).collect();
    let top = app.get_ok("/v1/metrics?limit=0&facet=indicator").await;
    let indicator = top["meta"]["facets"]["indicator"]["values"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut compared = 0;
    for level in &levels {
        for filters in [
            format!("indicator={indicator}"),
            format!("indicator={indicator}&region=gansu"),
            format!("indicator={indicator}&region=jinchang&kind=actual,target"),
            format!("indicator={indicator}&region=gansu&subject_type=enterprise"),
        ] {
            compared += usize::from(
                check_breakdown(&app, &["region", "unit"], Some(level), &filters).await,
            );
        }
    }
    assert!(compared >= levels.len() * 2, "only {compared} compared");
    for filters in [
        "region=gansu&period=2024",
        "region=china&from=2023&qualifier=exact",
        "kind=plan&unit=CNY",
        "region=gansu&min=1000000&max=1000000000000",
        "region=jinchang&subject_type=enterprise",
    ] {
        check_series(&app, filters).await;
        check_breakdown(&app, &["period", "unit"], None, filters).await;
    }
    // Series of the subjects with the most facts, alone, several at once, and with the other
    // filters: read from the subjects' own index, they are still exactly the listed facts.
    let subjects = app
        .get_ok("/v1/metrics?limit=0&facet=subject&facet_size=3")
        .await;
    let subjects: Vec<&str> = subjects["meta"]["facets"]["subject"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 3);
    let mut points = 0;
    for filters in [
        format!("subject={}", subjects[0]),
        format!("subject={}&indicator={indicator}", subjects[1]),
        format!("subject={},{}&kind=actual,target", subjects[1], subjects[2]),
        format!("subject={}&region=gansu&from=2021", subjects[0]),
        format!("subject={}&min=1000&qualifier=exact", subjects[2]),
    ] {
        points += check_series(&app, &filters).await;
    }
    assert!(points > 100, "only {points} points compared");
}

/// Figures another program's write left stale are never read: the answers come from the
/// facts instead, and they are the same answers.
#[tokio::test]
async fn stale_figures_are_not_read() {
    let (_dir, app) = spawn_synth_app(2_000, 11).await;
    let urls = [
        "/v1/metrics?region=gansu&limit=0&facet=kind&facet=period&facet=region&facet_level=prefecture",
        "/v1/metrics/breakdown?by=region&by=unit&level=prefecture&region=gansu",
        "/v1/metrics/breakdown?by=kind&by=unit&region=china",
        "/v1/series?region=gansu&limit=20",
        "/v1/metrics?region=jinchang&kind=actual&limit=5",
    ];
    let mut before = Vec::new();
    for url in urls {
        before.push(app.get_ok(url).await);
    }
    // A source removed behind the service's back: its metrics' figures are only marked.
    let source: String = sqlx::query_scalar(
        "SELECT m.source_id FROM metrics m JOIN region_closure c
             ON c.descendant = m.region_id AND c.ancestor = 'gansu'
          WHERE m.source_id LIKE 'synth-%' ORDER BY m.source_id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM sources WHERE id = ?")
        .bind(&source)
        .execute(&app.pool)
        .await
        .unwrap();
    let stale: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM metric_cells_stale")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(stale > 0, "removing {source} marked nothing stale");
    let total = |v: &Value| v["meta"]["total"].as_i64();
    let after = app.get_ok(urls[0]).await;
    let listed = app.list_all("/v1/metrics?region=gansu").await;
    assert_eq!(total(&after), Some(listed.len() as i64), "{}", urls[0]);
    assert!(
        total(&after) < total(&before[0]),
        "{source} had no metric in Gansu"
    );
    let kinds: i64 = after["meta"]["facets"]["kind"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_i64().unwrap())
        .sum();
    assert_eq!(kinds, listed.len() as i64);
    // Every answer agrees with the list, stale marks and all; and once settled, as the next
    // start settles them, with the figures current again.
    for settled in [false, true] {
        if settled {
            industry_facts::db::metric_cells::ensure(&app.pool)
                .await
                .unwrap();
            assert_eq!(crate::helpers::miscounted(&app.pool).await, 0);
            assert_eq!(total(&app.get_ok(urls[0]).await), total(&after));
        }
        check_breakdown(
            &app,
            &["region", "unit"],
            Some("prefecture"),
            "region=gansu",
        )
        .await;
        check_breakdown(&app, &["kind", "unit"], None, "region=china").await;
        check_series(&app, "region=gansu").await;
    }
}

/// A database written before each fact's period bounds were stored gets them as it opens, by
/// the rule writes use, and its series are then the same as those of a database written with
/// them.
#[tokio::test]
async fn an_older_database_gets_its_period_bounds_on_start() {
    use industry_facts::db;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.db");
    let path = path.to_str().unwrap();
    let pool = db::connect(path).await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let series =
        |app: TestApp| async move { app.get_ok("/v1/series?limit=1000").await["data"].clone() };
    let before = series(TestApp::new(pool.clone())).await;
    assert!(before.as_array().unwrap().len() > 10);
    // The schema as migration 0006 left it.
    for sql in [
        "DROP INDEX metrics_series",
        "DROP INDEX metrics_subject_series",
        "ALTER TABLE metrics DROP COLUMN period_start",
        "ALTER TABLE metrics DROP COLUMN period_end",
        "CREATE INDEX metrics_series ON metrics (region_id, indicator, subject_type, subject_id, \
         unit, period, kind, qualifier, value, value_max, id, source_id, period_from, period_to)",
        "DELETE FROM _sqlx_migrations WHERE version = 7",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let pool = db::connect(path).await.unwrap();
    let (dated, bounded): (i64, i64) =
        sqlx::query_as("SELECT COUNT(period), COUNT(period_start) FROM metrics")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(dated > 0);
    assert_eq!(bounded, dated);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    assert_eq!(series(TestApp::new(pool.clone())).await, before);
}
