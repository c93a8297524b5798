//! Every filter and sort of `/v1/metrics` is served by an index: SQLite is asked how it would
//! run the very statements a request runs, for every combination of up to three filters under
//! every sort, with and without a cursor, and no plan may read the metrics table (or the table
//! of metrics by region) through.

use axum::http::HeaderMap;
use sqlx::Row;

use industry_facts::db::read::answers::series_query;
use industry_facts::db::read::metrics::METRICS;
use industry_facts::db::read::sql::{Output, count_query, page_query};
use industry_facts::routes::list::parse;

use crate::helpers::spawn_app;

const FILTERS: [&str; 15] = [
    "indicator=gdp",
    "subject_type=region",
    "subject=jinchang",
    "region=gansu",
    "unit=CNY",
    "qualifier=exact",
    "kind=actual",
    "period=2022",
    "from=2020",
    "to=2023",
    "min=1",
    "max=1000000000000",
    "source=jinchang-strong-tech",
    "q=%E9%87%91%E6%98%8C",
    "q=nickel",
];

const SORTS: [&str; 8] = [
    "id",
    "-id",
    "value",
    "-value",
    "period",
    "-period",
    "indicator",
    "-indicator",
];

/// A plan line that reads the metrics table row by row rather than through an index.
fn scans_metrics(detail: &str) -> bool {
    ["SCAN m", "SCAN metrics", "SCAN a", "SCAN metric_regions"]
        .iter()
        .any(|scan| {
            detail == *scan
                || (detail.starts_with(&format!("{scan} ")) && !detail.contains("USING"))
        })
}

fn combinations() -> Vec<Vec<&'static str>> {
    let mut out = vec![vec![]];
    for (i, a) in FILTERS.iter().enumerate() {
        out.push(vec![*a]);
        for (j, b) in FILTERS.iter().enumerate().skip(i + 1) {
            out.push(vec![*a, *b]);
            for c in FILTERS.iter().skip(j + 1) {
                out.push(vec![*a, *b, *c]);
            }
        }
    }
    out.retain(|set| set.iter().filter(|f| f.starts_with("q=")).count() <= 1);
    out
}

#[test]
fn the_scan_rule_tells_a_table_scan_from_an_index() {
    assert!(scans_metrics("SCAN m"));
    assert!(scans_metrics("SCAN metrics"));
    assert!(scans_metrics("SCAN a"));
    assert!(!scans_metrics("SCAN m USING INDEX metrics_value"));
    assert!(!scans_metrics("SCAN m USING COVERING INDEX metrics_kind"));
    assert!(!scans_metrics(
        "SEARCH m USING INDEX metrics_indicator_value (indicator=?)"
    ));
    assert!(!scans_metrics("SCAN region_closure"));
}

#[tokio::test]
async fn no_filter_or_sort_reads_the_whole_metrics_table() {
    let app = spawn_app().await;
    let headers = HeaderMap::new();
    let mut cursors = Vec::new();
    for sort in SORTS {
        let page = app
            .get_ok(&format!("/v1/metrics?sort={sort}&limit=1"))
            .await;
        cursors.push(page["meta"]["next_cursor"].as_str().unwrap().to_owned());
    }
    let mut explained = 0;
    let mut failures = Vec::new();
    for set in combinations() {
        for (sort, cursor) in SORTS.iter().zip(&cursors) {
            for with_cursor in [false, true] {
                let mut raw = set.join("&");
                raw.push_str(&format!("&sort={sort}"));
                if with_cursor {
                    raw.push_str(&format!("&cursor={cursor}"));
                }
                let (query, _) = parse(&METRICS, Some(&raw), &headers)
                    .unwrap_or_else(|e| panic!("{raw}: {e:?}"));
                // The count alone (what a memoized total leaves out), and the page statements
                // with the count folded in, as JSON and as CSV.
                let statements = [
                    count_query(&query, "EXPLAIN QUERY PLAN "),
                    page_query(&query, Output::Json, true, "EXPLAIN QUERY PLAN "),
                    page_query(&query, Output::Csv, true, "EXPLAIN QUERY PLAN "),
                ];
                for mut statement in statements {
                    let rows = statement.build().fetch_all(&app.pool).await.unwrap();
                    explained += 1;
                    let details: Vec<String> =
                        rows.iter().map(|r| r.get::<String, _>("detail")).collect();
                    if details.iter().any(|d| scans_metrics(d)) {
                        failures.push(format!("{raw}\n    {}", details.join("\n    ")));
                    }
                }
            }
        }
    }
    assert!(explained > 10_000, "{explained} statements explained");
    assert!(
        failures.is_empty(),
        "{} of {explained} statements scan metrics, e.g.\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A page of series read on a series index takes each series' points as one range of it, in
/// time order: for every combination of filters that reads one, the points' range is the
/// whole series key on that index and nothing under it sorts, and no plan reads the metrics
/// table through.
#[tokio::test]
async fn series_points_are_ranges_of_an_index_in_time_order() {
    let app = spawn_app().await;
    let headers = HeaderMap::new();
    let on_index = [
        "INDEX metrics_series (region_id=? AND indicator=? AND subject_type=? AND subject_id=? \
         AND unit=?)",
        "INDEX metrics_subject_series (subject_id=? AND indicator=? AND subject_type=? \
         AND region_id=? AND unit=?)",
    ];
    let (mut walked, mut failures) = (0, Vec::new());
    for set in combinations() {
        let raw = set.join("&");
        let (query, _) =
            parse(&METRICS, Some(&raw), &headers).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
        let rows = series_query(&query, 50, None, "EXPLAIN QUERY PLAN ")
            .build()
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let plan: Vec<(i64, i64, String)> = rows
            .iter()
            .map(|r| (r.get("id"), r.get("parent"), r.get("detail")))
            .collect();
        let show = || {
            let lines: Vec<String> = plan
                .iter()
                .map(|(i, p, d)| format!("{i} {p} {d}"))
                .collect();
            format!("{raw}\n    {}", lines.join("\n    "))
        };
        let picked = set
            .iter()
            .any(|f| f.starts_with("q=") || f.starts_with("source="));
        if picked {
            continue;
        }
        walked += 1;
        if plan.iter().any(|(_, _, d)| scans_metrics(d)) {
            failures.push(show());
            continue;
        }
        let points: Vec<i64> = plan
            .iter()
            .filter(|(_, _, d)| on_index.iter().any(|i| d.contains(i)))
            .map(|(_, parent, _)| *parent)
            .collect();
        // With `kind=` SQLite takes the kind as fixed and then matches the index's period_end
        // to the order's kind term, so it sorts the points that share a first day (and only
        // those): the last two terms of the order. Any other sort of points is a failure.
        let allowed = set
            .iter()
            .any(|f| f.starts_with("kind="))
            .then_some("USE TEMP B-TREE FOR LAST 2 TERMS OF ORDER BY");
        let sorted = plan.iter().any(|(_, parent, d)| {
            points.contains(parent)
                && d.starts_with("USE TEMP B-TREE")
                && Some(d.as_str()) != allowed
        });
        if points.len() != 1 || sorted {
            failures.push(show());
        }
    }
    assert!(walked > 250, "only {walked} statements walk an index");
    assert!(
        failures.is_empty(),
        "{} of {walked} series statements sort points or scan metrics, e.g.\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
