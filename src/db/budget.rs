//! Bounds on the database work of one read request, so that no request, however it is
//! phrased, can keep a pooled connection busy for long or take every connection at once.
//!
//! Every connection gets, once when it opens ([`install`]), a progress handler and a statement
//! trace sharing one clock: the trace notes when each statement that writes nothing starts,
//! and the handler stops it (`SQLITE_INTERRUPT`, which the HTTP layer answers with 503
//! `timeout`) once it has run past the pool's budget. Statements that write are never stopped
//! halfway; the writer queue and the request timeout bound them. Nothing is set or cleared
//! per request: doing so means handing the connection to its worker thread and back twice,
//! which cost a cheap page about as much as the page itself.
//!
//! Reads that search text can cost far more than the rest, so at most all but one of the
//! pool's connections serve them at a time: a cheap lookup always finds a connection free,
//! however many searches are under way.

use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;
use sqlx::sqlite::SqliteConnectOptions;

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Virtual-machine steps between two looks at the clock: reading it costs tens of
/// nanoseconds, so this keeps the check far below a percent of the work while still noticing
/// a spent budget within a fraction of a millisecond.
const STEPS_PER_CHECK: i32 = 1000;

/// SQLite's result code for a statement stopped by the progress handler.
const SQLITE_INTERRUPT: &str = "9";

/// How expensive a read may be, which decides whether it waits for a share of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Key lookups and index scans bounded by the page size.
    Light,
    /// Text search: its cost grows with the text and the data, not with the page.
    Heavy,
}

/// The budget of each read and the share of the pool that heavy reads may hold.
#[derive(Clone)]
pub struct Reads {
    budget: Duration,
    heavy: Arc<Semaphore>,
    /// The budget the pool's connections read; `None` for a pool opened elsewhere.
    pool_budget: Option<PoolBudget>,
}

impl Reads {
    /// Heavy reads get every connection of `pool` but one (and at least one, for a pool of
    /// one connection, where nothing can be set aside). The pool's statements get `budget`
    /// from now on.
    pub fn new(pool: &SqlitePool, budget: Duration) -> Self {
        let connections = pool.options().get_max_connections() as usize;
        let reads = Self {
            budget,
            heavy: Arc::new(Semaphore::new(connections.saturating_sub(1).max(1))),
            pool_budget: PoolBudget::of(pool),
        };
        reads.apply();
        reads
    }

    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self.apply();
        self
    }

    fn apply(&self) {
        if let Some(shared) = &self.pool_budget {
            shared.set(Some(self.budget));
        }
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// A connection whose read statements SQLite stops once each has run for the budget. A
    /// heavy read first waits for its share of the pool; the request's own deadline bounds
    /// that wait.
    pub async fn acquire(
        &self,
        pool: &SqlitePool,
        weight: Weight,
    ) -> Result<ReadConn, sqlx::Error> {
        let permit = match weight {
            Weight::Light => None,
            Weight::Heavy => Some(
                Arc::clone(&self.heavy)
                    .acquire_owned()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?,
            ),
        };
        let conn = pool.acquire().await?;
        Ok(ReadConn {
            conn,
            _permit: permit,
        })
    }
}

/// A pooled connection under a read budget; it goes back to the pool when dropped.
pub struct ReadConn {
    conn: PoolConnection<Sqlite>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Deref for ReadConn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// Whether `error` is SQLite stopping a statement because its budget was spent.
pub fn is_interrupted(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => e.code().as_deref() == Some(SQLITE_INTERRUPT),
        _ => false,
    }
}

/// The budget every connection of one pool reads, in nanoseconds (`u64::MAX`: none).
#[derive(Clone)]
pub struct PoolBudget(Arc<AtomicU64>);

/// Each pool's budget, found by the pool's connect options (one allocation per pool, kept as
/// long as the pool): sqlx offers no place on a pool for data of its own.
type Registry = Mutex<Vec<(Weak<SqliteConnectOptions>, PoolBudget)>>;

fn registry() -> &'static Registry {
    static POOLS: OnceLock<Registry> = OnceLock::new();
    POOLS.get_or_init(Registry::default)
}

impl PoolBudget {
    /// No budget yet: migrations and index rebuilds at start-up may take what they need.
    pub fn unlimited() -> Self {
        Self(Arc::new(AtomicU64::new(u64::MAX)))
    }

    pub fn set(&self, budget: Option<Duration>) {
        let nanos = budget.map_or(u64::MAX, |b| b.as_nanos().min(u64::MAX as u128) as u64);
        self.0.store(nanos, Ordering::Relaxed);
    }

    /// Makes this the budget of `pool`, whose connections were given it by [`install`].
    pub fn register(&self, pool: &SqlitePool) {
        let options = pool.connect_options();
        let mut pools = registry().lock().unwrap_or_else(|e| e.into_inner());
        pools.retain(|(w, _)| w.strong_count() > 0);
        pools.push((Arc::downgrade(&options), self.clone()));
    }

    fn of(pool: &SqlitePool) -> Option<Self> {
        let options = pool.connect_options();
        let pools = registry().lock().unwrap_or_else(|e| e.into_inner());
        pools
            .iter()
            .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(&options)))
            .map(|(_, b)| b.clone())
    }
}

/// Nanoseconds since the first call, never zero (zero means "no statement timed").
fn now() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1
}

/// One connection's clock: when its running statement started, if that statement writes
/// nothing; zero otherwise.
struct Clock {
    started: AtomicU64,
}

/// Called by SQLite as each statement starts running on the connection whose [`Clock`]
/// `context` points to.
unsafe extern "C" fn on_statement(
    event: c_uint,
    context: *mut c_void,
    statement: *mut c_void,
    sql: *mut c_void,
) -> c_int {
    if event != ffi::SQLITE_TRACE_STMT as c_uint || context.is_null() {
        return 0;
    }
    // SAFETY: SQLite passes the statement's text, NUL-terminated; a trigger's program starting
    // inside a statement is reported with a text that begins with "--" and is not a new
    // statement, so its clock keeps running.
    if !sql.is_null()
        && unsafe { CStr::from_ptr(sql as *const c_char) }
            .to_bytes()
            .starts_with(b"--")
    {
        return 0;
    }
    // SAFETY: `context` is the `Clock` that the connection's progress handler owns, which
    // lives as long as the connection (see `install`); `statement` is the running statement.
    let clock = unsafe { &*(context as *const Clock) };
    let reads_only =
        unsafe { ffi::sqlite3_stmt_readonly(statement as *mut ffi::sqlite3_stmt) } != 0;
    clock
        .started
        .store(if reads_only { now() } else { 0 }, Ordering::Relaxed);
    0
}

/// Gives a connection as it opens the clock that stops its read statements past `budget`.
///
/// The progress handler owns the clock and the trace borrows it: both live as long as the
/// connection, since nothing else in this program sets a progress handler or a trace, and
/// sqlx drops the handler only after closing the connection.
pub async fn install(conn: &mut SqliteConnection, budget: PoolBudget) -> Result<(), sqlx::Error> {
    let clock = Arc::new(Clock {
        started: AtomicU64::new(0),
    });
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is this connection's open handle, held locked for the call; the clock the
    // callback reads outlives the registration, as said above.
    let rc = unsafe {
        ffi::sqlite3_trace_v2(
            db,
            ffi::SQLITE_TRACE_STMT as c_uint,
            Some(on_statement),
            Arc::as_ptr(&clock) as *mut c_void,
        )
    };
    if rc != ffi::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!(
            "cannot trace statements (code {rc})"
        )));
    }
    handle.set_progress_handler(STEPS_PER_CHECK, move || {
        let started = clock.started.load(Ordering::Relaxed);
        started == 0 || now().saturating_sub(started) < budget.0.load(Ordering::Relaxed)
    });
    Ok(())
}
