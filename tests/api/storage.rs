//! A disk with no room left: writes are refused with 507 `storage-full` (never a 500), reads
//! go on, `/health` says writes are failing, and writes work again as soon as there is room,
//! with no restart and with every acknowledged write still there.
//!
//! Two real ways to run out of room, no mock: the real binary under a file size limit
//! (`RLIMIT_FSIZE`, which SQLite meets as an I/O error with `EFBIG`, as it would a quota),
//! later lifted from outside with `prlimit` as an operator would free space; and SQLite's
//! own page limit (`max_page_count`), which it reports as `SQLITE_FULL`, as it does a full
//! disk.

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::Path;

use axum::body::Body;
use axum::http::{Method as AxumMethod, Request};
use hyper::Method;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::bundles::numbered;
use crate::client::request;
use crate::helpers::{
    TOKEN, TestApp, TestResponse, assert_problem, spawn_writable_app, table_counts,
};
use crate::process::{Server, command, http_get, sigterm, start, total};

/// Room left for writes, beyond the largest of the database's files once it has started: a
/// few bundles.
const ROOM: u64 = 1024 * 1024;

/// A bundle of its own whose article is padded to about `chars` characters, so a few fill
/// what room there is.
pub fn padded(id: &str, chars: usize) -> Value {
    let mut b = numbered(id);
    let mut text = b["source"]["text"].as_str().unwrap().to_owned();
    for i in 0..chars / 12 {
        text.push_str(&format!("第{i:06}段的补充说明。"));
    }
    b["source"]["text"] = json!(text);
    b
}

/// The real binary with writes on, ready to be held to a file size limit: the limit's signal
/// is ignored (an ignored signal stays ignored across exec), so a write past the limit fails
/// with `EFBIG` instead of killing the process.
fn limitable_server(dir: &Path, db: &Path) -> Server {
    let mut c = command(dir);
    c.args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    // SAFETY: between fork and exec only signal(2) is called, which is async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    start(c)
}

/// Sets the running server's limit on the size of the files it writes, from outside: lowered,
/// as a disk filling up; lifted, as space freed on it.
fn limit_files(server: &Server, bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit(2) on a child this test owns, with a valid limit and no old value asked.
    let rc = unsafe {
        libc::prlimit(
            server.child.id() as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &limit,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}

/// The size of the largest of the database's files (the database, its log, its index).
fn largest_file(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(name).ok().map(|m| m.len())
        })
        .max()
        .unwrap()
}

fn assert_storage_full(status: u16, body: &Value, what: &str) {
    assert_eq!(status, 507, "{what}: {body}");
    assert_eq!(body["code"], "storage-full", "{what}: {body}");
    assert_eq!(body["status"], 507, "{what}: {body}");
}

#[test]
fn a_full_disk_answers_507_then_writes_work_again_once_there_is_room_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    let mut server = limitable_server(dir.path(), &db);
    let auth = format!("Bearer {TOKEN}");
    let headers = [("authorization", auth.as_str())];
    assert_eq!(http_get(&server.addr, "/health").1, json!({"status": "ok"}));
    limit_files(&server, largest_file(&db) + ROOM);

    // Fill the room: each write is either stored or refused as storage-full, never a 500.
    let mut stored = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for i in 0..40 {
        let id = format!("fill-{i:02}");
        let r = request(
            &server.addr,
            Method::POST,
            "/v1/bundles",
            &headers,
            Some(&padded(&id, 20_000)),
        );
        if r.status == 201 {
            stored.insert(id);
        } else {
            assert_storage_full(r.status, &r.body, &id);
            refused.insert(id);
            // The failed write left nothing behind that refuses the next one differently.
            if refused.len() == 3 {
                break;
            }
        }
    }
    assert_eq!(refused.len(), 3, "the limit was never reached: {stored:?}");
    assert!(!stored.is_empty(), "there was room for a write at first");
    let filled = stored.len();

    // The same for a replacement; and reads go on meanwhile.
    let r = request(
        &server.addr,
        Method::PUT,
        "/v1/bundles/fill-put",
        &headers,
        Some(&padded("fill-put", 60_000)),
    );
    assert_storage_full(r.status, &r.body, "PUT");
    assert_eq!(
        http_get(&server.addr, "/health"),
        (
            200,
            json!({"status": "degraded", "writes": "failing", "reason": "storage-full"})
        ),
        "/health says writes are failing"
    );
    let mut c = command(dir.path());
    c.args(["healthcheck", "--addr", &server.addr]);
    let check = crate::process::run(c);
    assert!(check.status.success(), "the container stays healthy");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("degraded"),
        "and its health log says why: {check:?}"
    );
    assert_eq!(
        total(&server.addr, "/v1/sources?limit=1"),
        5 + stored.len() as i64
    );

    // Room again: the very next write goes through, without a restart.
    limit_files(&server, libc::RLIM_INFINITY);
    let r = request(
        &server.addr,
        Method::POST,
        "/v1/bundles",
        &headers,
        Some(&padded("after-room", 60_000)),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    stored.insert("after-room".to_owned());
    assert_eq!(
        http_get(&server.addr, "/health"),
        (200, json!({"status": "ok"}))
    );
    let first = stored.pop_first().unwrap();
    let r = request(
        &server.addr,
        Method::DELETE,
        &format!("/v1/sources/{first}"),
        &headers,
        None,
    );
    assert_eq!(r.status, 204, "{}", r.text);

    // Every acknowledged write is served whole; no refused one left a trace.
    for id in &stored {
        assert_eq!(
            total(&server.addr, &format!("/v1/metrics?source={id}")),
            2,
            "{id}"
        );
    }
    for id in refused.iter().chain(["fill-put".to_owned()].iter()) {
        let (status, _) = http_get(&server.addr, &format!("/v1/sources/{id}"));
        assert_eq!(status, 404, "the refused {id} was stored");
    }

    // And the file, reopened after a clean stop, is intact and holds exactly that.
    assert_eq!(sigterm(&mut server).code(), Some(0));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (integrity, sources) = rt.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(&db)
            .read_only(true)
            .connect()
            .await
            .unwrap();
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let sources: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sources WHERE id LIKE 'fill-%' OR id = 'after-room'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        (integrity, sources)
    });
    assert_eq!(integrity, "ok");
    assert_eq!(sources.into_iter().collect::<BTreeSet<_>>(), stored);
    eprintln!(
        "full disk: {filled} writes stored, then {} refused with 507 (and a PUT); with room \
         again one more stored and one deleted; the file holds the {} expected, \
         integrity_check {integrity}",
        refused.len(),
        stored.len()
    );
}

async fn post(app: &TestApp, body: &Value) -> TestResponse {
    app.send(
        Request::builder()
            .method(AxumMethod::POST)
            .uri("/v1/bundles")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// In memory the one connection is the database: the failed write must leave it usable,
/// not be closed, or everything would be gone.
#[tokio::test]
async fn a_database_at_its_page_limit_answers_507_and_takes_writes_again_when_raised() {
    let app = spawn_writable_app(4 * 1024 * 1024).await;
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query(&format!("PRAGMA max_page_count = {}", pages + 4))
        .execute(&app.pool)
        .await
        .unwrap();
    let before = table_counts(&app.pool).await;

    for id in ["big-1", "big-2"] {
        let r = post(&app, &padded(id, 60_000)).await;
        let body = assert_problem(&r, 507, None);
        assert_eq!(body["code"], "storage-full", "{body}");
    }
    assert_eq!(table_counts(&app.pool).await, before, "nothing was stored");
    let health = app.get_ok("/health").await;
    assert_eq!(
        health,
        json!({"status": "degraded", "writes": "failing", "reason": "storage-full"})
    );
    assert_eq!(app.total("/v1/sources").await, 5, "reads go on");

    sqlx::query("PRAGMA max_page_count = 1073741823")
        .execute(&app.pool)
        .await
        .unwrap();
    let r = post(&app, &padded("big-1", 60_000)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(app.get_ok("/health").await, json!({"status": "ok"}));
    assert_eq!(app.total("/v1/metrics?source=big-1").await, 2);
}
