//! The write use cases: storing a bundle and deleting a source.
//!
//! Validating a large bundle is the expensive part of a write, so it runs before the write
//! lock, on a snapshot of what is stored, off the async threads and a few bundles at a time
//! (see [`Writes`]). Writers then take turns
//! in the process ([`Writes`]), so they queue here instead of inside SQLite, where a waiting
//! writer only learns after its busy timeout that it failed. Under the lock a write checks
//! cheaply that nothing changed since its snapshot (the data version every write moves) and
//! validates again only when something did.

use serde_json::Value;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::time::Instant;

use crate::bundle::{self, Catalog, ValidBundle};
use crate::db::write::WriteTx;
use crate::db::{self, entities, store};
use crate::error::{AppError, AppResult};

pub use crate::db::entities::OnChangedEntity;
pub use crate::db::store::{OnExisting, StoreSummary, WriteMode};
pub use crate::db::writers::Writes;

/// Validates and stores a bundle for a caller that is its process's only writer (`import`,
/// tests); the server goes through [`store`] with its shared queue.
pub async fn ingest(
    pool: &SqlitePool,
    raw: &Value,
    mode: impl Into<WriteMode>,
) -> AppResult<StoreSummary> {
    store(pool, &Writes::alone(), raw.clone(), mode).await
}

/// Validates `raw` against what is stored and stores it; nothing is written on any problem.
pub async fn store(
    pool: &SqlitePool,
    writes: &Writes,
    raw: Value,
    mode: impl Into<WriteMode>,
) -> AppResult<StoreSummary> {
    let result = match prepare(pool, writes, raw, mode).await {
        Ok(prepared) => apply(pool, writes, prepared).await,
        Err(error) => Err(error),
    };
    record(writes, &result);
    result
}

/// A bundle validated against the database as it was at one data version.
pub struct Prepared {
    /// Until when the write waits for others.
    deadline: Instant,
    version: i64,
    valid: ValidBundle,
    catalog: Catalog,
    mode: WriteMode,
}

/// The first half of [`store`], with no lock held: validation against a snapshot.
pub async fn prepare(
    pool: &SqlitePool,
    writes: &Writes,
    raw: Value,
    mode: impl Into<WriteMode>,
) -> AppResult<Prepared> {
    let mode = mode.into();
    let deadline = writes.deadline();
    let slot = writes.validation(deadline).await?;
    let (version, catalog) = store::snapshot(pool).await?;
    let (valid, catalog) =
        off_thread(move || (bundle::parse_and_validate(&raw, &catalog), catalog)).await?;
    drop(slot);
    let valid = valid.map_err(AppError::InvalidBundle)?;
    // Refused before queueing; checked again under the lock.
    refuse_existing(&catalog, &valid, mode.on_existing)?;
    Ok(Prepared {
        deadline,
        version,
        valid,
        catalog,
        mode,
    })
}

/// The second half of [`store`]: the write, in its turn, under the lock.
pub async fn apply(
    pool: &SqlitePool,
    writes: &Writes,
    prepared: Prepared,
) -> AppResult<StoreSummary> {
    let _turn = writes.turn(prepared.deadline).await?;
    let mut tx = WriteTx::begin(pool).await?;
    match write_checked(tx.conn(), prepared).await {
        Ok(summary) => Ok(tx.commit().await.map(|()| summary)?),
        Err(error) => Err(abort(tx, error).await),
    }
}

/// Deletes a source and its metrics; how many metrics went.
pub async fn delete(pool: &SqlitePool, writes: &Writes, id: &str) -> AppResult<u64> {
    let result = async {
        let _turn = writes.turn(writes.deadline()).await?;
        let mut tx = WriteTx::begin(pool).await?;
        match store::delete_source(tx.conn(), id).await {
            Ok(Some(metrics_removed)) => Ok(tx.commit().await.map(|()| metrics_removed)?),
            Ok(None) => {
                tx.rollback().await;
                Err(AppError::NotFound(format!("no source with id `{id}`")))
            }
            Err(error) => Err(tx.abort(error).await.into()),
        }
    }
    .await;
    record(writes, &result);
    result
}

/// Notes how a write ended. Refusals of the request itself (invalid, conflicting, busy, timed
/// out) say nothing about whether writes work, so they change nothing.
fn record<T>(writes: &Writes, result: &AppResult<T>) {
    match result {
        Ok(_) => writes.record(None),
        Err(e @ (AppError::StorageFull(_) | AppError::Database(_))) => {
            writes.record(Some(e.code()))
        }
        Err(_) => {}
    }
}

/// Ends the transaction after `error`. A database error is judged again by the transaction,
/// where the connection can still tell a full disk from a broken one.
async fn abort(tx: WriteTx, error: AppError) -> AppError {
    match error {
        AppError::Database(error) => tx.abort(error).await.into(),
        other => {
            tx.rollback().await;
            other
        }
    }
}

/// The write itself, under the lock: validated again only when another write changed the
/// database since the snapshot the bundle was validated on.
async fn write_checked(conn: &mut SqliteConnection, prepared: Prepared) -> AppResult<StoreSummary> {
    let Prepared {
        deadline: _,
        version,
        valid,
        catalog,
        mode,
    } = prepared;
    let (valid, catalog) = if store::version(conn).await? == version {
        (valid, catalog)
    } else {
        let catalog = Catalog::load(conn).await?;
        let (valid, catalog) =
            off_thread(move || (bundle::validate(valid.bundle, &catalog), catalog)).await?;
        (valid.map_err(AppError::InvalidBundle)?, catalog)
    };
    let exists = refuse_existing(&catalog, &valid, mode.on_existing)?;
    // Compared under the lock: the stored fields are what this write would overwrite.
    let entities = entities::compare(conn, &valid).await?;
    entities.allowed(mode.on_changed_entity)?;
    let mut summary = store::write(conn, &valid, exists).await?;
    entities::record_definitions(conn, &summary.source_id, &entities).await?;
    summary.entities_added = entities.added();
    summary.entities_updated = entities.updated();
    summary.entities_unchanged = entities.unchanged();
    Ok(summary)
}

/// Whether the bundle's source is stored already; an error when that is refused.
fn refuse_existing(
    catalog: &Catalog,
    valid: &ValidBundle,
    on_existing: OnExisting,
) -> AppResult<bool> {
    let id = &valid.bundle.source.id;
    let exists = catalog.sources.contains(id);
    if exists && on_existing == OnExisting::Refuse {
        return Err(db::Error::SourceExists(id.clone()).into());
    }
    Ok(exists)
}

/// Runs CPU-bound work (validation of a bundle that may have thousands of metrics) where it
/// does not hold up the threads that answer requests.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("validation did not finish: {e}")))
}
