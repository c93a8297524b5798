//! One write transaction on a pooled connection, which never hands the pool back a connection
//! still inside a transaction or left unusable by a failed commit.
//!
//! sqlx's own transactions count their depth and trust a ROLLBACK to bring it back to zero;
//! when SQLite has already rolled back by itself (as it does when the disk fills during a
//! commit), that ROLLBACK fails, the count stays at one, and the pooled connection refuses
//! every later BEGIN. Here BEGIN IMMEDIATE, COMMIT and ROLLBACK are plain statements, and
//! SQLite's own flag says whether a transaction is still open.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::error::{Error, Result};
use super::fault;

/// An open `BEGIN IMMEDIATE` transaction: the database's write lock is held until
/// [`commit`](Self::commit), [`abort`](Self::abort) or drop.
pub struct WriteTx {
    conn: Option<PoolConnection<Sqlite>>,
}

impl WriteTx {
    pub async fn begin(pool: &SqlitePool) -> Result<Self> {
        let mut conn = pool.acquire().await?;
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => Ok(Self { conn: Some(conn) }),
            Err(error) => Err(fail(conn, error).await),
        }
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("a transaction has its connection until it ends")
    }

    /// Commits; on failure the transaction is rolled back (if SQLite has not done so) and
    /// the error says why, a full disk as [`Error::StorageFull`].
    pub async fn commit(mut self) -> Result<()> {
        let mut conn = self.take();
        match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            Err(error) => Err(fail(conn, error).await),
        }
    }

    /// Rolls back after a statement failed with `error`, and gives the error to answer
    /// with: it is judged again here, where the connection can still tell a full disk from a
    /// broken one.
    pub async fn abort(mut self, error: sqlx::Error) -> Error {
        fail(self.take(), error).await
    }

    /// Rolls back after a failure that was not the database's (the bundle was refused).
    pub async fn rollback(mut self) {
        release(self.take()).await;
    }

    fn take(&mut self) -> PoolConnection<Sqlite> {
        self.conn
            .take()
            .expect("a transaction has its connection until it ends")
    }
}

/// A transaction dropped unfinished (its request hit the deadline) is rolled back in the
/// background; without a runtime the connection is closed, which rolls back too.
impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(release(conn));
                }
                Err(_) => conn.close_on_drop(),
            }
        }
    }
}

/// Ends the transaction after `error` and says what the error means for the client.
async fn fail(mut conn: PoolConnection<Sqlite>, error: sqlx::Error) -> Error {
    let errno = fault::storage_errno(&mut conn, &error).await;
    release(conn).await;
    match errno {
        Some(errno) => Error::StorageFull(format!(
            "{error} ({})",
            std::io::Error::from_raw_os_error(errno)
        )),
        None => Error::from(error),
    }
}

/// Gives the connection back to the pool out of any transaction and able to read, or closes
/// it so that the pool opens a fresh one.
async fn release(mut conn: PoolConnection<Sqlite>) {
    if !clean(&mut conn).await {
        tracing::warn!("a connection could not be brought out of a failed write; closing it");
        let _ = conn.close().await;
    }
}

async fn clean(conn: &mut SqliteConnection) -> bool {
    if fault::in_transaction(conn).await != Some(false) {
        // Fails when SQLite rolled back by itself meanwhile; the flag below is what counts.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    // A read proves the connection left the error state a failed write can leave it in.
    fault::in_transaction(conn).await == Some(false)
        && sqlx::query("SELECT version FROM data_version")
            .fetch_one(&mut *conn)
            .await
            .is_ok()
}
