//! The synthetic corpus: as valid as an imported one, spread like real reporting, and served
//! by every list route.

use std::collections::BTreeMap;

use industry_facts::db;
use sqlx::SqlitePool;

use crate::helpers::TestApp;

const N: usize = 5_000;

async fn seeded(dir: &tempfile::TempDir, name: &str) -> SqlitePool {
    let path = dir.path().join(name);
    let pool = db::connect(path.to_str().unwrap()).await.unwrap();
    db::seed::load(&pool).await.unwrap();
    pool
}

fn options() -> ::synth::Options {
    let mut options = ::synth::Options::new(N);
    options.seed = 7;
    // Every article through the full validator, not a sample.
    options.validate_every = 1;
    options
}

async fn counts(pool: &SqlitePool, column: &str) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT {column}, COUNT(*) FROM metrics GROUP BY 1"
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().collect()
}

async fn scalar(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn generates_a_valid_varied_corpus_the_service_serves() {
    let dir = tempfile::tempdir().unwrap();
    let pool = seeded(&dir, "synth.db").await;
    let seed_metrics = scalar(&pool, "SELECT COUNT(*) FROM metrics").await;
    let schema = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'metrics' ORDER BY name";
    let indexes: Vec<(String, Option<String>)> =
        sqlx::query_as(schema).fetch_all(&pool).await.unwrap();

    let report = ::synth::generate(&pool, &options()).await.unwrap();
    // The indexes dropped for the load are all back, as they were.
    let after: Vec<(String, Option<String>)> =
        sqlx::query_as(schema).fetch_all(&pool).await.unwrap();
    assert_eq!(after, indexes);
    // The table of metrics by region, filled after the load, holds every metric under its
    // region and each one above it, and its triggers are back to keep it so.
    assert_eq!(crate::helpers::misfiled(&pool).await, 0);
    assert_eq!(crate::helpers::miscounted(&pool).await, 0);
    assert!(
        scalar(&pool, "SELECT COUNT(*) FROM metric_regions").await
            > scalar(&pool, "SELECT COUNT(*) FROM metrics").await
    );
    assert_eq!(report.metrics, N);
    assert!(report.sources >= 2, "{report:?}");
    assert_eq!(report.validated, report.sources, "every article validated");
    assert!(report.regions >= 300, "{report:?}");
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM metrics").await,
        seed_metrics + N as i64
    );

    // Each quote sits verbatim at its character offset and holds its original.
    let misplaced = scalar(
        &pool,
        "SELECT COUNT(*) FROM metrics m JOIN sources s ON s.id = m.source_id
         WHERE substr(s.text, m.quote_start + 1, length(m.quote)) <> m.quote
            OR instr(m.quote, m.original) = 0",
    )
    .await;
    assert_eq!(misplaced, 0);

    let regions = counts(&pool, "region_id").await;
    let busiest = regions.values().max().copied().unwrap();
    assert!(regions.len() >= 100, "{} regions", regions.len());
    assert!(
        busiest * 5 <= seed_metrics + N as i64,
        "one region holds {busiest} metrics"
    );
    assert!(counts(&pool, "indicator").await.len() >= 15);
    assert!(counts(&pool, "unit").await.len() >= 6);
    assert_eq!(counts(&pool, "qualifier").await.len(), 7);
    assert_eq!(counts(&pool, "kind").await.len(), 4);
    assert_eq!(counts(&pool, "subject_type").await.len(), 4);
    assert!(counts(&pool, "period").await.len() >= 30);

    let app = TestApp::new(pool.clone());
    let page = app
        .get_ok("/v1/metrics?region=gansu&indicator=gdp&sort=-value&limit=50")
        .await;
    assert!(page["meta"]["total"].as_i64().unwrap() > 0);
    let next = page["meta"]["next_cursor"].as_str();
    if let Some(cursor) = next {
        app.get_ok(&format!(
            "/v1/metrics?region=gansu&indicator=gdp&sort=-value&limit=50&cursor={cursor}"
        ))
        .await;
    }
    for collection in crate::helpers::COLLECTIONS {
        let listed = app.get_ok(&format!("/v1/{collection}?limit=5")).await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 5, "{collection}");
    }
    let csv = app.get("/v1/metrics?format=csv&limit=20").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.text().lines().count(), 21);
    app.get_ok("/v1/search?q=%E5%BC%80%E5%8F%91%E5%8C%BA").await;
}

#[tokio::test]
async fn the_same_seed_gives_the_same_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = options();
    options.metrics = 300;
    let mut corpora = Vec::new();
    for name in ["a.db", "b.db"] {
        let pool = seeded(&dir, name).await;
        ::synth::generate(&pool, &options).await.unwrap();
        let rows: Vec<(String, String, f64, String)> =
            sqlx::query_as("SELECT id, region_id, value, quote FROM metrics ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        corpora.push(rows);
    }
    assert_eq!(corpora[0], corpora[1]);
}
