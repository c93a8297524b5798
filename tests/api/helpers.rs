//! Shared fixtures. The app runs in-process on a fresh in-memory database, so every test owns
//! its data; expectations are computed from the seed files on disk rather than from the code
//! under test, so a test fails when the service and the data disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::SqlitePool;
use tower::ServiceExt;

use industry_facts::{AppState, Layers, app, app_with, db};

/// Every collection the contract names, in its order.
pub const COLLECTIONS: [&str; 7] = [
    "regions",
    "enterprises",
    "projects",
    "policies",
    "indicators",
    "metrics",
    "sources",
];

pub struct TestApp {
    pub router: Router,
    pub pool: SqlitePool,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A private in-memory database per test, so tests run in parallel and may write freely.
pub async fn spawn_app() -> TestApp {
    let pool = db::connect(":memory:").await.expect("in-memory database");
    db::seed::load(&pool).await.expect("the seed loads");
    TestApp::new(pool)
}

/// URIs must be ASCII; tests read better with `q=金昌` written as is.
fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii() && b != b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An app over the seed and `metrics` synthetic metrics made by generator seed `seed`, where
/// groups, regions and periods are many rather than the seed's handful. The database is a file,
/// as the generator writes through several connections; it lives as long as the returned
/// directory does.
pub async fn spawn_synth_app(metrics: usize, seed: u64) -> (tempfile::TempDir, TestApp) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("synth.db");
    let pool = db::connect(path.to_str().expect("a UTF-8 path"))
        .await
        .expect("a database file");
    db::seed::load(&pool).await.expect("the seed loads");
    let mut options = ::synth::Options::new(metrics);
    options.seed = seed;
    ::synth::generate(&pool, &options)
        .await
        .expect("the synthetic corpus loads");
    (dir, TestApp::new(pool))
}

/// The write token of [`spawn_writable_app`].
pub const TOKEN: &str = "test-token-0123456789";

/// Like [`spawn_app`], with writes on behind [`TOKEN`] and a small body limit to test 413.
pub async fn spawn_writable_app(max_body: usize) -> TestApp {
    let pool = db::connect(":memory:").await.expect("in-memory database");
    db::seed::load(&pool).await.expect("the seed loads");
    let state = AppState::new(pool.clone()).with_token(TOKEN);
    TestApp {
        router: app_with(state, Layers::default().with_max_body(max_body)),
        pool,
    }
}

impl TestApp {
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            router: app(AppState::new(pool.clone())),
            pool,
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::get(encode_uri(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes().to_vec();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// A failed read shows the body here rather than as a puzzling JSON panic later.
    pub async fn get_ok(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text());
        r.json()
    }

    /// Expectations compare whole sets, so a default page of 50 must not cut them short.
    pub async fn list_all(&self, path: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}limit=1000");
        let mut items = Vec::new();
        for _ in 0..100 {
            let page = self.get_ok(&url).await;
            items.extend(page["data"].as_array().expect("data is an array").clone());
            match page["meta"]["next_cursor"].as_str() {
                Some(c) => url = format!("{path}{sep}limit=1000&cursor={c}"),
                None => return items,
            }
        }
        panic!("{path} did not end within 100 pages");
    }

    pub async fn ids(&self, path: &str) -> BTreeSet<String> {
        ids_of(&self.list_all(path).await)
    }

    pub async fn total(&self, path: &str) -> i64 {
        self.get_ok(path).await["meta"]["total"]
            .as_i64()
            .expect("meta.total")
    }
}

pub fn ids_of(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|v| v["id"].as_str().expect("an id").to_owned())
        .collect()
}

pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Clients point at their own input through `errors[].param`; a 400 that does not name the
/// parameter is little better than none.
pub fn assert_problem(r: &TestResponse, status: u16, param: Option<&str>) -> Value {
    assert_eq!(r.status.as_u16(), status, "status; body: {}", r.text());
    let ct = r.header("content-type").unwrap_or_default();
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type {ct:?}"
    );
    let body = r.json();
    assert_eq!(body["status"], status, "{body}");
    assert!(body["type"].is_string(), "type: {body}");
    assert!(body["title"].is_string(), "title: {body}");
    assert!(body["detail"].is_string(), "detail: {body}");
    if let Some(param) = param {
        let named = body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["param"] == param));
        assert!(named, "errors[].param should name `{param}`: {body}");
    }
    body
}

/// Row counts of every table a bundle writes to, to prove a rejection stored nothing.
pub async fn table_counts(pool: &SqlitePool) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for table in [
        "sources",
        "regions",
        "region_aliases",
        "enterprises",
        "enterprise_aliases",
        "enterprise_industries",
        "projects",
        "project_enterprises",
        "policies",
        "indicators",
        "metrics",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        out.insert(table, n);
    }
    out
}

pub fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed")
}

pub fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(seed_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

pub fn seed_bundle(file: &str) -> Value {
    let text = std::fs::read_to_string(seed_dir().join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The id and region a metric should get, derived here independently of the service so the
/// two can be compared.
pub struct SeedMetric {
    pub id: String,
    pub source_id: String,
    pub region_id: String,
    pub raw: Value,
}

pub struct Seed {
    pub bundles: Vec<Value>,
}

pub fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| Seed {
        bundles: seed_files()
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect(),
    })
}

impl Seed {
    /// Shared entities (`china`, some indicators) are defined in several bundles, and the docs
    /// promise identical definitions: each one must match what is served.
    pub fn definitions(&self, collection: &str) -> Vec<&Value> {
        self.bundles
            .iter()
            .flat_map(|b| b[collection].as_array().into_iter().flatten())
            .collect()
    }

    pub fn entities(&self, collection: &str) -> BTreeMap<String, &Value> {
        self.definitions(collection)
            .into_iter()
            .map(|v| (v["id"].as_str().unwrap().to_owned(), v))
            .collect()
    }

    pub fn ids(&self, collection: &str) -> BTreeSet<String> {
        self.entities(collection).into_keys().collect()
    }

    pub fn ids_where(&self, collection: &str, f: impl Fn(&Value) -> bool) -> BTreeSet<String> {
        self.entities(collection)
            .into_iter()
            .filter(|(_, v)| f(v))
            .map(|(k, _)| k)
            .collect()
    }

    pub fn source_ids(&self) -> BTreeSet<String> {
        self.bundles
            .iter()
            .map(|b| b["source"]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn source_text(&self, id: &str) -> &str {
        self.bundles
            .iter()
            .find(|b| b["source"]["id"] == id)
            .and_then(|b| b["source"]["text"].as_str())
            .unwrap_or_else(|| panic!("no seed source {id}"))
    }

    /// Walks the seed's parent links, independently of the service's recursive SQL.
    pub fn subtree(&self, root: &str) -> BTreeSet<String> {
        let regions = self.entities("regions");
        let mut out = set(&[root]);
        loop {
            let before = out.len();
            for (id, r) in &regions {
                if r["parent_id"].as_str().is_some_and(|p| out.contains(p)) {
                    out.insert(id.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    pub fn metrics(&self) -> Vec<SeedMetric> {
        let mut out = Vec::new();
        for b in &self.bundles {
            let source_id = b["source"]["id"].as_str().unwrap();
            for (i, m) in b["metrics"].as_array().unwrap().iter().enumerate() {
                let subject = &m["subject"];
                let subject_id = subject["id"].as_str().unwrap();
                let region_id = match m["region_id"].as_str() {
                    Some(r) => r.to_owned(),
                    None if subject["type"] == "region" => subject_id.to_owned(),
                    None => {
                        let collection = match subject["type"].as_str().unwrap() {
                            "enterprise" => "enterprises",
                            "project" => "projects",
                            _ => "policies",
                        };
                        self.entities(collection)[subject_id]["region_id"]
                            .as_str()
                            .expect("the subject has a region")
                            .to_owned()
                    }
                };
                out.push(SeedMetric {
                    id: format!("{source_id}-m{:03}", i + 1),
                    source_id: source_id.to_owned(),
                    region_id,
                    raw: m.clone(),
                });
            }
        }
        out
    }

    pub fn metric_ids_where(&self, f: impl Fn(&SeedMetric) -> bool) -> BTreeSet<String> {
        self.metrics()
            .into_iter()
            .filter(|m| f(m))
            .map(|m| m.id)
            .collect()
    }
}

/// Whether `needle` occurs in the JSON of an item, ignoring ASCII case as SQL `LIKE` does.
pub fn mentions(item: &Value, needle: &str) -> bool {
    item.to_string()
        .to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

/// Rows the table of metrics by region holds that the metrics and the region closure do not
/// call for, plus rows they call for that it lacks: zero when it is in step.
pub async fn misfiled(pool: &SqlitePool) -> i64 {
    let filed = "SELECT ancestor, indicator, value, id FROM metric_regions";
    let called_for = "SELECT c.ancestor, m.indicator, m.value, m.id \
        FROM metrics m JOIN region_closure c ON c.descendant = m.region_id";
    sqlx::query_scalar(&format!(
        "SELECT (SELECT COUNT(*) FROM ({filed} EXCEPT {called_for})) \
              + (SELECT COUNT(*) FROM ({called_for} EXCEPT {filed}))"
    ))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// How many figures per region (cells and totals) differ from what the metrics and the
/// closure give when worked out afresh, plus closure rows whose levels are not their regions'
/// and pairs still marked stale, plus metrics whose stored period bounds (which order a
/// series' points) are not their period's: 0 when the figures are exactly current. Sums are compared to
/// a relative 1e-9, since they may be added up in another order.
pub async fn miscounted(pool: &SqlitePool) -> i64 {
    let fresh = |own: &str, join: &str| {
        format!(
            "SELECT c.ancestor, m.indicator, {own} AS own, m.kind, m.unit, m.qualifier, \
             COALESCE(m.period, '') AS period, COUNT(*) AS n, SUM(m.value) AS total, \
             MIN(m.value) AS least, MAX(m.value) AS most \
             FROM metrics m JOIN region_closure c ON c.descendant = m.region_id {join} \
             GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
    };
    let cells = format!(
        "{} UNION ALL {}",
        fresh("0", ""),
        fresh("1", "AND c.ancestor = m.region_id")
    );
    let same = "a.n = b.n AND a.least = b.least AND a.most = b.most \
        AND abs(a.total - b.total) <= 1e-9 * max(abs(a.total), abs(b.total), 1)";
    let key = "a.ancestor = b.ancestor AND a.indicator = b.indicator AND a.own = b.own \
        AND a.kind = b.kind AND a.unit = b.unit AND a.qualifier = b.qualifier";
    let totals = format!(
        "SELECT ancestor, indicator, own, kind, unit, qualifier, SUM(n) AS n, \
         SUM(total) AS total, MIN(least) AS least, MAX(most) AS most FROM ({cells}) \
         GROUP BY 1, 2, 3, 4, 5, 6"
    );
    sqlx::query_scalar(&format!(
        "WITH fresh AS MATERIALIZED ({cells}), fresh_totals AS MATERIALIZED ({totals}) SELECT \
         (SELECT COUNT(*) FROM metric_cells a WHERE NOT EXISTS (SELECT 1 FROM fresh b \
           WHERE {key} AND a.period = b.period AND {same})) \
       + (SELECT COUNT(*) FROM fresh a WHERE NOT EXISTS (SELECT 1 FROM metric_cells b \
           WHERE {key} AND a.period = b.period)) \
       + (SELECT COUNT(*) FROM metric_totals a WHERE NOT EXISTS (SELECT 1 FROM fresh_totals b \
           WHERE {key} AND {same})) \
       + (SELECT COUNT(*) FROM fresh_totals a WHERE NOT EXISTS (SELECT 1 FROM metric_totals b \
           WHERE {key})) \
       + (SELECT COUNT(*) FROM region_closure c WHERE c.ancestor_level IS NOT \
           (SELECT level FROM regions WHERE id = c.ancestor) OR c.descendant_level IS NOT \
           (SELECT level FROM regions WHERE id = c.descendant)) \
       + (SELECT COUNT(*) FROM metric_cells_stale) \
       + (SELECT COUNT(*) FROM metrics WHERE period_start IS NOT fact_period_start(period) \
           OR period_end IS NOT fact_period_end(period))"
    ))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Each region's parent and level, from the regions list.
pub async fn region_tree(app: &TestApp) -> BTreeMap<String, (Option<String>, String)> {
    app.list_all("/v1/regions")
        .await
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                (
                    r["parent_id"].as_str().map(str::to_owned),
                    r["level"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}
