//! A synthetic corpus on top of the seed, for measuring the service at a realistic size: a
//! region hierarchy, enterprises, projects and policies, and articles whose sentences state
//! metrics in the words Chinese news uses. Everything is stored through the same code as
//! `import`, so the database looks exactly like one grown from real bundles.

mod article;
mod draw;
mod firms;
mod names;
mod numbers;
mod rng;
mod world;

use std::collections::HashMap;

use sqlx::{Connection, SqliteConnection, SqlitePool};

use article::Article;
use draw::{Drawer, Vocabulary};
use industry_facts::bundle::validate::ResolvedMetric;
use industry_facts::bundle::{Bundle, Catalog, ValidBundle, validate};
use industry_facts::db::store;
pub use rng::{Rng, Zipf};

#[derive(Debug, Clone)]
pub struct Options {
    /// How many metrics to add.
    pub metrics: usize,
    /// Seed of the generator: the same seed on the same database gives the same corpus.
    pub seed: u64,
    /// Articles written per transaction.
    pub batch: usize,
    /// Run the full validator on the first article and every n-th after it: a sample is
    /// enough to show that the generator and the validator agree, and validating every
    /// article would add to the time of a large load for nothing more.
    pub validate_every: usize,
    /// Fewest and most metrics in one article.
    pub per_article: (usize, usize),
}

impl Options {
    pub fn new(metrics: usize) -> Self {
        Self {
            metrics,
            seed: 1,
            batch: 8,
            validate_every: 50,
            per_article: (1000, 3000),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub regions: usize,
    pub enterprises: usize,
    pub projects: usize,
    pub policies: usize,
    pub sources: usize,
    pub metrics: usize,
    /// Articles that went through the full validator.
    pub validated: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A generated article the validator rejects: a bug of the generator.
    #[error("generated article {source_id} is invalid: {problems}")]
    Invalid { source_id: String, problems: String },
    #[error("{0}")]
    Generator(String),
}

/// Adds a synthetic corpus to a database that already holds the seed.
pub async fn generate(pool: &SqlitePool, options: &Options) -> Result<Report, SynthError> {
    let mut conn = pool.acquire().await?;
    // A big page cache keeps index inserts off the disk while a million rows go in.
    sqlx::query("PRAGMA cache_size = -262144")
        .execute(&mut *conn)
        .await?;
    // The metrics indexes that only serve reads are dropped for the load and built once at
    // the end: sorting a million keys in one pass costs far less than inserting them one by
    // one at random places. `metrics_source` stays, since each write indexes its source's
    // metrics for search through it. The tables of metrics by region and of figures per region
    // are treated the same way: their triggers and index go, and they are filled in key order
    // after the load.
    let deferred: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master
          WHERE sql IS NOT NULL AND (
                (type = 'index' AND tbl_name = 'metrics' AND name <> 'metrics_source')
             OR (type = 'index' AND tbl_name = 'metric_regions')
             OR (type = 'trigger' AND name LIKE 'metric\\_regions\\_%' ESCAPE '\\')
             OR (type = 'trigger' AND name LIKE 'metric\\_cells\\_%' ESCAPE '\\'))
          ORDER BY type, name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (kind, name, _) in &deferred {
        let kind = if kind == "trigger" {
            "TRIGGER"
        } else {
            "INDEX"
        };
        sqlx::query(&format!("DROP {kind} \"{name}\""))
            .execute(&mut *conn)
            .await?;
    }
    let filled = fill(&mut conn, options).await;
    // Rebuilt whether or not the load went through, so the database keeps its schema.
    industry_facts::db::metric_regions::fill(&mut conn).await?;
    industry_facts::db::metric_cells::fill(&mut conn).await?;
    for (_, _, sql) in &deferred {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    filled
}

async fn fill(conn: &mut SqliteConnection, options: &Options) -> Result<Report, SynthError> {
    let mut rng = Rng::new(options.seed);
    let world = world::grow(conn, &mut rng, options.metrics).await?;
    let indicators: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, unit, name_zh FROM indicators")
            .fetch_all(&mut *conn)
            .await?;
    let vocabulary = Vocabulary {
        units: indicators
            .iter()
            .map(|(id, unit, _)| (id.clone(), unit.clone()))
            .collect(),
        names: indicators
            .iter()
            .map(|(id, _, name)| (id.clone(), name.clone()))
            .collect(),
    };
    let drawer = Drawer::new(&world, vocabulary).map_err(SynthError::Generator)?;
    let mut catalog = Catalog::load(conn).await?;
    let (existing,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sources WHERE id LIKE 'synth-%'")
            .fetch_one(&mut *conn)
            .await?;

    let mut report = Report {
        regions: world.regions.len(),
        enterprises: world.enterprises.len(),
        projects: world.projects.len(),
        policies: world.policies.len(),
        ..Report::default()
    };
    let mut remaining = options.metrics;
    let mut entities = Some((
        world.regions.clone(),
        world.enterprises.clone(),
        world.projects.clone(),
        world.policies.clone(),
    ));
    let mut pending: Vec<ValidBundle> = Vec::new();
    let mut index = 0usize;
    while remaining > 0 || entities.is_some() {
        let (lo, hi) = options.per_article;
        let size = remaining.min(rng.between(lo as i64, hi.max(lo) as i64) as usize);
        let id = format!("synth-{:06}", existing as usize + index + 1);
        let mut article = Article::new(id.clone());
        for i in 0..size {
            let drawn = drawer.draw(&mut rng).map_err(SynthError::Generator)?;
            article.push(drawn);
            if i % 7 == 6 {
                article.prose(rng.below(60));
            }
        }
        remaining -= size;
        let (industry, authors) = world::byline(&mut rng);
        let place = world.places[rng.below(world.places.len())].name_zh.clone();
        let published = format!(
            "{}-{:02}-{:02}",
            rng.between(2016, 2026),
            rng.between(1, 12),
            rng.between(1, 28)
        );
        let publication = rng.pick(&["科技日报", "经济日报", "中国工业报", "人民日报"]);
        let (mut bundle, resolved) =
            article.finish(&place, industry, publication, published, authors);
        // The first article introduces every new entity, as a real first report would.
        if let Some((regions, enterprises, projects, policies)) = entities.take() {
            bundle.regions = regions;
            bundle.enterprises = enterprises;
            bundle.projects = projects;
            bundle.policies = policies;
        }
        let valid = if index % options.validate_every.max(1) == 0 {
            report.validated += 1;
            checked(bundle, resolved, &catalog)?
        } else {
            ValidBundle {
                bundle,
                metrics: resolved,
            }
        };
        catalog.absorb(&valid.bundle);
        report.sources += 1;
        report.metrics += valid.metrics.len();
        pending.push(valid);
        index += 1;
        if pending.len() >= options.batch.max(1) {
            store_all(conn, &mut pending).await?;
        }
    }
    store_all(conn, &mut pending).await?;
    Ok(report)
}

/// Runs the real validator and insists it resolves every metric as the generator did.
fn checked(
    bundle: Bundle,
    resolved: Vec<ResolvedMetric>,
    catalog: &Catalog,
) -> Result<ValidBundle, SynthError> {
    let source_id = bundle.source.id.clone();
    let valid = validate(bundle, catalog).map_err(|problems| SynthError::Invalid {
        source_id: source_id.clone(),
        problems: problems
            .iter()
            .take(5)
            .map(|p| format!("{} {}", p.pointer, p.message))
            .collect::<Vec<_>>()
            .join("; "),
    })?;
    let key = |m: &ResolvedMetric| {
        (
            m.id.clone(),
            m.region_id.clone(),
            m.quote_start,
            m.period_from,
            m.period_to,
        )
    };
    let ours: HashMap<_, _> = resolved.iter().map(|m| (m.id.clone(), key(m))).collect();
    for m in &valid.metrics {
        if ours.get(&m.id) != Some(&key(m)) {
            return Err(SynthError::Invalid {
                source_id,
                problems: format!("{} resolves differently: {:?}", m.id, key(m)),
            });
        }
    }
    Ok(valid)
}

/// Stores the pending articles in one transaction, through the same writer as `import`.
async fn store_all(
    conn: &mut SqliteConnection,
    pending: &mut Vec<ValidBundle>,
) -> Result<(), SynthError> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    for valid in pending.drain(..) {
        store::write(&mut tx, &valid, false).await?;
    }
    tx.commit().await?;
    Ok(())
}
