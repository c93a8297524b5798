//! The SQLite pool, its pragmas, and the migrations embedded in the binary.

pub mod budget;
pub mod closure;
pub mod entities;
pub mod error;
pub mod fault;
pub mod functions;
pub mod metric_cells;
pub mod metric_regions;
pub mod read;
pub mod search_index;
pub mod seed;
pub mod settings;
pub mod store;
pub mod stored;
pub mod write;
pub mod writers;

pub use error::Error;

use std::str::FromStr;
use std::time::Duration;

use budget::PoolBudget;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A data version passed between the response cache and a handler: on a request, the one the
/// cache read (so the handler need not read it again); on a response, the one its answer was
/// read at (so the cache keeps it under that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion(pub i64);

/// The number every write moves (triggers on `sources`, migration `0003`), whichever process
/// writes: what is derived from the data can be kept as long as it stays the same.
pub async fn data_version<'e>(db: impl sqlx::SqliteExecutor<'e>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(db)
        .await
}

/// Opens (creating when missing) the database and brings its schema up to date.
pub async fn connect(path: &str) -> Result<SqlitePool, sqlx::Error> {
    let in_memory = path == ":memory:";
    let options = if in_memory {
        SqliteConnectOptions::from_str("sqlite::memory:")?
    } else {
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
    }
    .foreign_keys(true)
    .busy_timeout(Duration::from_secs(5))
    .synchronous(SqliteSynchronous::Normal);

    let budget = PoolBudget::unlimited();
    // An in-memory database lives as long as its connections: keep exactly one open forever.
    let pool = if in_memory {
        pool_options(&budget)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?
    } else {
        pool_options(&budget)
            .max_connections(pool_size())
            .connect_with(options)
            .await?
    };
    budget.register(&pool);
    MIGRATOR.run(&pool).await?;
    search_index::ensure(&pool).await?;
    closure::ensure(&pool).await?;
    metric_regions::ensure(&pool).await?;
    metric_cells::ensure(&pool).await?;
    // Statistics let the planner pick the index that fits each filter; sampling keeps this
    // to milliseconds even on a large file, and it does nothing when they are current.
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA analysis_limit = 1000")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA optimize = 0x10002")
        .execute(&mut *conn)
        .await?;
    forget_samples(&mut conn).await?;
    drop(conn);
    Ok(pool)
}

/// Drops the per-value samples ANALYZE keeps (`sqlite_stat4`) and keeps the averages
/// (`sqlite_stat1`). With samples, a bound value may steer the plan, so SQLite prepares a
/// statement again whenever a value changes: on every page, since each names its own region,
/// indicator and bounds, and preparing a page statement costs as much as running it. The
/// indexes each filter needs are chosen as well from the averages.
async fn forget_samples(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let sampled: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if sampled {
        sqlx::query("DELETE FROM sqlite_stat4")
            .execute(&mut *conn)
            .await?;
        // This connection reads the statistics again; the others open after this.
        sqlx::query("ANALYZE sqlite_schema")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What every connection gets as it opens: the SQL functions reads call and the clock of the
/// read budget. A pooled connection is not pinged before it is handed out: a connection to a
/// local file does not go stale the way a network one does, and the ping is a round trip to
/// the connection's thread on every request.
fn pool_options(budget: &PoolBudget) -> SqlitePoolOptions {
    let budget = budget.clone();
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            let budget = budget.clone();
            Box::pin(async move {
                functions::register(conn).await?;
                budget::install(conn, budget).await
            })
        })
}

/// Reads run in parallel under WAL, each on its own connection, and are CPU-bound: two per
/// core keeps every core busy while one waits on the disk, and more would only queue.
fn pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (cores * 2).clamp(4, 16)
}

/// Why a database cannot be served read-only; each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadOnlyError {
    #[error("a read-only replica needs a database file, not `:memory:`")]
    InMemory,
    #[error("database {0} does not exist; a read-only replica serves an existing file")]
    Missing(String),
    #[error(
        "database {path} is not at this version's schema (missing migration {version}); open it once without --read-only"
    )]
    Outdated { path: String, version: i64 },
    #[error(
        "database {0} has a search index of an older version; open it once without --read-only to rebuild it"
    )]
    StaleIndex(String),
    #[error(
        "database {0} has no tables of metrics and figures by region yet; open it once without --read-only to fill them"
    )]
    Unfilled(String),
    #[error("cannot open database {path} read-only: {source}")]
    Open { path: String, source: sqlx::Error },
}

/// Opens an existing database read-only: SQLite itself refuses every write on these
/// connections, so a replica cannot change its file even through a bug. Nothing is created
/// or migrated, so the schema must already be this version's.
pub async fn connect_read_only(path: &str) -> Result<SqlitePool, ReadOnlyError> {
    if path == ":memory:" {
        return Err(ReadOnlyError::InMemory);
    }
    if !std::path::Path::new(path).is_file() {
        return Err(ReadOnlyError::Missing(path.to_owned()));
    }
    let open = |source| ReadOnlyError::Open {
        path: path.to_owned(),
        source,
    };
    // No journal_mode pragma: switching modes is a write. A file written by `serve` is
    // already in WAL mode, and readers of it need none.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let budget = PoolBudget::unlimited();
    let pool = pool_options(&budget)
        .max_connections(pool_size())
        .connect_with(options)
        .await
        .map_err(open)?;
    budget.register(&pool);
    let applied: Vec<(i64,)> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
    if let Some(missing) = MIGRATOR
        .iter()
        .find(|m| !applied.iter().any(|(v,)| *v == m.version))
    {
        pool.close().await;
        return Err(ReadOnlyError::Outdated {
            path: path.to_owned(),
            version: missing.version,
        });
    }
    let mut conn = pool.acquire().await.map_err(open)?;
    let indexed = settings::holds(&mut conn, "search_index", search_index::VERSION)
        .await
        .map_err(open)?;
    if !indexed {
        drop(conn);
        pool.close().await;
        return Err(ReadOnlyError::StaleIndex(path.to_owned()));
    }
    let filled = metric_regions::is_filled(&mut conn).await.map_err(open)?
        && metric_cells::is_filled(&mut conn).await.map_err(open)?;
    drop(conn);
    if !filled {
        pool.close().await;
        return Err(ReadOnlyError::Unfilled(path.to_owned()));
    }
    Ok(pool)
}
