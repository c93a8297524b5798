//! The SQLite pool, its pragmas, and the migrations embedded in the binary.

pub mod closure;
pub mod search_index;
pub mod seed;
pub mod store;

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

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

    // An in-memory database lives as long as its connections: keep exactly one open forever.
    let pool = if in_memory {
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?
    } else {
        SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?
    };
    MIGRATOR.run(&pool).await?;
    search_index::ensure(&pool).await?;
    Ok(pool)
}
