//! What a failed statement says about the database: out of room, busy with another writer, or
//! something else. The first two are conditions a client can wait out, not server bugs.

use sqlx::SqliteConnection;

/// SQLite's primary result codes that matter here (the low byte of an extended code).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The disk, or a limit on file size, left no room.
    StorageFull,
    /// Another connection holds the write lock (another process writing to the file).
    Busy,
    Other,
}

/// The extended result code of a database error.
pub fn code(error: &sqlx::Error) -> Option<i32> {
    error.as_database_error()?.code()?.parse().ok()
}

/// Judged from the result code alone. SQLite reports a full disk as `SQLITE_FULL`; a write
/// refused by a file size limit or a quota comes back as an I/O error, which only
/// [`storage_errno`] can tell from a failing disk.
pub fn classify(error: &sqlx::Error) -> Fault {
    match code(error).map(|c| c & 0xff) {
        Some(SQLITE_FULL) => Fault::StorageFull,
        Some(SQLITE_BUSY | SQLITE_LOCKED) => Fault::Busy,
        _ => Fault::Other,
    }
}

/// For an I/O error just returned on `conn`: the OS error behind it when that error means no
/// room (a full disk, a quota, a file size limit). Asked before anything else runs on the
/// connection, since SQLite keeps only the last one.
pub async fn storage_errno(conn: &mut SqliteConnection, error: &sqlx::Error) -> Option<i32> {
    if code(error)? & 0xff != SQLITE_IOERR {
        return None;
    }
    let mut handle = conn.lock_handle().await.ok()?;
    // SAFETY: the handle is valid and locked away from the connection's worker thread for as
    // long as `handle` lives; the call only reads the connection's last OS error number.
    let errno = unsafe { libsqlite3_sys::sqlite3_system_errno(handle.as_raw_handle().as_ptr()) };
    use std::io::ErrorKind;
    matches!(
        std::io::Error::from_raw_os_error(errno).kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge
    )
    .then_some(errno)
}

/// Whether SQLite has a transaction open on `conn`; `None` when the connection is gone.
pub async fn in_transaction(conn: &mut SqliteConnection) -> Option<bool> {
    let mut handle = conn.lock_handle().await.ok()?;
    // SAFETY: as above; the call only reads the connection's autocommit flag.
    let autocommit =
        unsafe { libsqlite3_sys::sqlite3_get_autocommit(handle.as_raw_handle().as_ptr()) };
    Some(autocommit == 0)
}
