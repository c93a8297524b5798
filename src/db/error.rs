//! What can go wrong in storage, said in storage terms: the HTTP layer decides what each means
//! for a client (`impl From<db::Error> for AppError` in `src/error.rs`), so nothing under
//! `db/` needs to know about statuses or problem documents.

use std::time::Duration;

use crate::problems::{FieldChange, ParamProblem, PointerProblem};

use super::fault::{Fault, classify};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A statement failed for none of the reasons below: a fault of the program or of the
    /// database file, not of the request.
    #[error(transparent)]
    Sqlx(sqlx::Error),
    /// The disk, or a limit on the file's size, left no room for a write; nothing was stored.
    #[error("the database has no room left: {0}")]
    StorageFull(String),
    /// Another writer held the database, or this process's earlier writes held their turn,
    /// for longer than this write could wait; nothing was stored.
    #[error("the database is busy with another write: {0}")]
    Busy(String),
    /// SQLite stopped a read's statements when they ran past the read's budget.
    #[error("the query ran longer than its budget of {0:?}")]
    Timeout(Duration),
    /// Values of a read's parameters that name nothing stored, each with the nearest that is.
    #[error("invalid query parameters")]
    Invalid(Vec<ParamProblem>),
    /// A bundle that does not fit what is stored (or is not a bundle); nothing was stored.
    #[error("invalid bundle")]
    InvalidBundle(Vec<PointerProblem>),
    /// The bundle's source is stored already and the write did not ask to replace it.
    #[error("source `{0}` is already stored")]
    SourceExists(String),
    /// Entities the bundle would change, and the write did not ask to change them.
    #[error("the bundle changes stored entities")]
    EntityConflict(Vec<FieldChange>),
    /// Something came back in a form this program never stores or asks for (a statement's
    /// answer, a bundled seed file), or a queue it never closes was closed.
    #[error("{0}")]
    Internal(String),
}

/// SQLite's own verdicts are kept apart from the rest, since a client can wait out a full
/// disk or a busy database but not a bug.
impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match classify(&error) {
            Fault::StorageFull => Self::StorageFull(error.to_string()),
            Fault::Busy => Self::Busy(error.to_string()),
            Fault::Other => Self::Sqlx(error),
        }
    }
}
