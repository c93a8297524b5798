//! Every filter and sort of `/v1/metrics` is served by an index: SQLite is asked how it would
//! run the very statements a request runs, for every combination of up to three filters under
//! every sort, with and without a cursor, and no plan may read the metrics table (or the table
//! of metrics by region) through.

use axum::http::HeaderMap;
use sqlx::Row;

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
