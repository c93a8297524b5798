//! The response cache: a repeated read is answered from memory until the data version moves,
//! which any write does, and it never mixes up representations or outgrows its budget.

use industry_facts::db;
use industry_facts::ingest::{OnExisting, ingest};
use industry_facts::{AppState, Layers, app_with};

use crate::bundles::minimal;
use crate::helpers::TestApp;

async fn seeded(cache_bytes: usize) -> (TestApp, Layers) {
    let pool = db::connect(":memory:").await.unwrap();
    db::seed::load(&pool).await.unwrap();
    let layers = Layers::default().with_cache_bytes(cache_bytes);
    let app = TestApp {
        router: app_with(AppState::new(pool.clone()), layers.clone()),
        pool,
    };
    (app, layers)
}

/// Changes a row without storing or deleting a source, so the data version stays put: only
/// a cache can then explain an old answer.
async fn rename_behind_the_version(app: &TestApp, name: &str) {
    sqlx::query("UPDATE regions SET name_en = ? WHERE id = 'jinchang'")
        .bind(name)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_repeated_read_is_served_until_a_write_moves_the_version() {
    let (app, layers) = seeded(1 << 20).await;
    let cache = layers.cache().cloned().expect("on by default");
    let path = "/v1/regions/jinchang";
    let first = app.get_ok(path).await;
    assert_eq!(cache.len(), 0, "a URL asked once is not kept");
    assert_eq!(app.get_ok(path).await, first);
    assert_eq!(cache.len(), 1, "asked again, it is");
    rename_behind_the_version(&app, "Renamed").await;
    assert_eq!(app.get_ok(path).await, first, "served from the cache");
    assert_eq!(cache.len(), 1);

    // Any write stores a source, and that moves the version.
    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    let after = app.get_ok(path).await;
    assert_eq!(after["data"]["name_en"], "Renamed");
    // Deleting a source moves it too.
    rename_behind_the_version(&app, "Again").await;
    sqlx::query("DELETE FROM sources WHERE id = 'test-minimal'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get_ok(path).await["data"]["name_en"], "Again");
}

#[tokio::test]
async fn json_and_csv_of_one_url_are_kept_apart() {
    let (app, _) = seeded(1 << 20).await;
    let path = "/v1/regions?parent=gansu";
    for _ in 0..2 {
        let json = app.get(path).await;
        assert!(
            json.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        let csv = app.get_with(path, &[("accept", "text/csv")]).await;
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        assert!(csv.text().starts_with("id,name_zh"), "{}", csv.text());
        let paged = app.get("/v1/regions?limit=2").await;
        assert!(paged.header("link").unwrap().contains("rel=\"next\""));
        assert_eq!(paged.header("x-total-count"), Some("19"));
    }
}

/// Every kind of read reports the version its answer was read at, so each is kept once its
/// URL is asked a second time, one entry per URL, and answered from memory until a write,
/// then read again.
#[tokio::test]
async fn every_kind_of_read_is_kept_once_under_the_version_it_was_read_at() {
    let (app, layers) = seeded(1 << 20).await;
    let cache = layers.cache().cloned().unwrap();
    let reads = [
        ("/v1/regions?parent=gansu", None),
        ("/v1/regions?parent=gansu", Some("text/csv")),
        ("/v1/regions/jinchang", None),
        ("/v1/search?q=Jinchang", None),
        ("/v1/metrics?region=jinchang&facet=kind&limit=0", None),
        ("/v1/metrics/breakdown?by=region&unit=CNY", None),
        ("/v1/series?region=jinchang", None),
    ];
    let ask = |path: &'static str, accept: Option<&'static str>| {
        let app = &app;
        async move {
            let r = app
                .get_with(path, &[("accept", accept.unwrap_or("*/*"))])
                .await;
            assert_eq!(r.status, axum::http::StatusCode::OK, "{path}: {}", r.text());
            r.text()
        }
    };
    let mut first = Vec::new();
    for (i, (path, accept)) in reads.iter().enumerate() {
        let once = ask(path, *accept).await;
        assert_eq!(cache.len(), i, "{path} asked once is not kept");
        assert_eq!(ask(path, *accept).await, once);
        assert_eq!(cache.len(), i + 1, "{path} asked twice is kept");
        first.push(once);
    }
    rename_behind_the_version(&app, "Renamed").await;
    for ((path, accept), before) in reads.iter().zip(&first) {
        assert_eq!(&ask(path, *accept).await, before, "{path} from memory");
    }
    assert_eq!(cache.len(), reads.len(), "one entry a URL");

    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    let renamed = ask("/v1/regions/jinchang", None).await;
    assert!(renamed.contains("Renamed"), "{renamed}");
    for (path, accept) in &reads {
        ask(path, *accept).await;
    }
    assert_eq!(
        cache.len(),
        reads.len(),
        "each URL's entry replaced, not kept beside the old one"
    );
}

#[tokio::test]
async fn errors_and_writes_are_not_kept() {
    let (app, layers) = seeded(1 << 20).await;
    let cache = layers.cache().cloned().unwrap();
    app.get("/v1/regions/nowhere").await;
    app.get("/v1/metrics?bogus=1").await;
    app.get("/health").await;
    assert_eq!(cache.len(), 0);
}

#[tokio::test]
async fn the_cache_stays_within_its_budget_and_can_be_off() {
    let budget = 16 * 1024;
    let (app, layers) = seeded(budget).await;
    let cache = layers.cache().cloned().unwrap();
    let mut most = 0;
    for limit in 1..=60 {
        // Asked twice, as a page is only kept once asked again.
        for _ in 0..2 {
            app.get_ok(&format!("/v1/metrics?limit={limit}")).await;
        }
        assert!(cache.bytes() <= budget, "{} > {budget}", cache.bytes());
        most = most.max(cache.len());
    }
    assert!(most > 1, "small pages are kept");
    assert!(cache.len() < most, "older pages made room");

    let (app, layers) = seeded(0).await;
    assert!(layers.cache().is_none());
    let path = "/v1/regions/jinchang";
    app.get_ok(path).await;
    rename_behind_the_version(&app, "Fresh").await;
    assert_eq!(app.get_ok(path).await["data"]["name_en"], "Fresh");
}

#[tokio::test]
async fn a_stored_page_keeps_its_encoding_and_tag_and_revalidates() {
    let (app, layers) = seeded(1 << 20).await;
    let cache = layers.cache().cloned().unwrap();
    let path = "/v1/metrics?limit=20";
    // Each asked twice: a response is kept once its request comes again.
    let plain = app.get(path).await;
    assert_eq!(app.get(path).await.body, plain.body);
    let gzip = app.get_with(path, &[("accept-encoding", "gzip")]).await;
    app.get_with(path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(cache.len(), 2, "one entry per encoding");
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(plain.header("content-encoding"), None);
    for _ in 0..2 {
        let again = app.get_with(path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(again.body, gzip.body, "the stored compressed bytes");
        assert_eq!(again.header("etag"), gzip.header("etag"));
        assert_eq!(again.header("content-encoding"), Some("gzip"));
        assert_eq!(app.get(path).await.body, plain.body);
    }
    // A client holding the tag gets an empty 304 from the stored entry, with the tag.
    let etag = plain.header("etag").unwrap().to_owned();
    let r = app.get_with(path, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert_eq!(r.header("content-type"), None);
    let r = app.get_with(path, &[("if-none-match", "\"other\"")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, plain.body);
}

#[tokio::test]
async fn totals_are_kept_per_data_version_with_or_without_the_response_cache() {
    // With the cache on, the handler counts under the version the cache read.
    for cache_bytes in [0, 1 << 20] {
        totals_follow_the_version(cache_bytes).await;
    }
}

async fn totals_follow_the_version(cache_bytes: usize) {
    let (app, _) = seeded(cache_bytes).await;
    let path = "/v1/regions?level=zone&limit=1";
    let before = app.total(path).await;
    // A region added behind the version: only a kept total explains the old figure.
    sqlx::query("INSERT INTO regions (id, name_zh, name_en, level, parent_id) VALUES ('x-zone', '某园区', 'X Zone', 'zone', 'jinchang')")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.total(path).await, before);
    assert_eq!(
        app.total("/v1/regions?level=zone&limit=2&sort=-id").await,
        before,
        "any page and sort"
    );
    ingest(&app.pool, &minimal(), OnExisting::Refuse)
        .await
        .unwrap();
    // The bundle adds a zone of its own, and the version moved, so both show.
    assert_eq!(app.total(path).await, before + 2);
}
