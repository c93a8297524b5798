//! Crash safety of the real binary: SIGKILL in the middle of a stream of writes, then a
//! restart on the same file. The file must be intact, and every write the server
//! acknowledged must be there, whole, since a 2xx is a promise that it was committed.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hyper::Method;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::bundles::numbered;
use crate::client::Client;
use crate::helpers::TOKEN;
use crate::process::{Server, command, start, total};

/// Writers at once: enough that several writes are in flight when the kill lands.
const WRITERS: usize = 4;
/// The kill comes once this many writes are acknowledged, so there is something to lose.
const KILL_AFTER: usize = 300;

fn writable_server(dir: &Path, db: &Path) -> Server {
    let mut c = command(dir);
    c.args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()])
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    start(c)
}

/// What one writer did: every source id it sent, and those answered 2xx.
#[derive(Default)]
struct Tally {
    sent: Vec<String>,
    acknowledged: Vec<String>,
}

/// Posts distinct bundles back to back until the server stops answering.
async fn writer(addr: String, n: usize, acknowledged: Arc<AtomicUsize>) -> Tally {
    let mut tally = Tally::default();
    let Ok(mut client) = Client::connect(&addr).await else {
        return tally;
    };
    let auth = format!("Bearer {TOKEN}");
    // Bounded, so a kill that never lands cannot make the test run forever.
    for i in 0..5_000 {
        let id = format!("crash-w{n}-{i:04}");
        tally.sent.push(id.clone());
        let reply = client
            .send(
                Method::POST,
                "/v1/bundles",
                &[("authorization", &auth)],
                Some(&numbered(&id)),
            )
            .await;
        match reply {
            Ok(r) if r.status == 201 => {
                tally.acknowledged.push(id);
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            Ok(r) => panic!(
                "POST {id} answered {} before the kill: {}",
                r.status, r.text
            ),
            Err(_) => break,
        }
    }
    tally
}

/// Opens the file the way nothing in the service does, to judge it independently.
async fn inspect(db: &Path) -> (String, Vec<(String, i64)>) {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .expect("the database opens");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let sources: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.id, (SELECT COUNT(*) FROM metrics m WHERE m.source_id = s.id)
         FROM sources s WHERE s.id LIKE 'crash-%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    (integrity, sources)
}

#[test]
fn every_acknowledged_write_survives_a_sigkill_and_the_file_stays_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut server = writable_server(dir.path(), &db);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let tallies: Vec<Tally> = rt.block_on(async {
        let writers: Vec<_> = (0..WRITERS)
            .map(|n| tokio::spawn(writer(server.addr.clone(), n, acknowledged.clone())))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(120);
        while acknowledged.load(Ordering::SeqCst) < KILL_AFTER {
            assert!(
                Instant::now() < deadline,
                "only {} writes acknowledged in 120 s",
                acknowledged.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // SIGKILL: no shutdown code runs, nothing is flushed or checkpointed.
        server.child.kill().expect("SIGKILL");
        let status = server.child.wait().unwrap();
        assert!(!status.success(), "killed, not exited: {status}");
        let mut tallies = Vec::new();
        for w in writers {
            tallies.push(w.await.unwrap());
        }
        tallies
    });
    drop(server);

    let sent: BTreeSet<String> = tallies.iter().flat_map(|t| t.sent.clone()).collect();
    let acked: BTreeSet<String> = tallies
        .iter()
        .flat_map(|t| t.acknowledged.clone())
        .collect();

    // The restart recovers the write-ahead log and must come up on the file as it was left.
    let restarted = writable_server(dir.path(), &db);
    let (integrity, stored) = rt.block_on(inspect(&db));
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    let found: BTreeSet<String> = stored.iter().map(|(id, _)| id.clone()).collect();
    for (id, metrics) in &stored {
        assert_eq!(
            *metrics, 2,
            "{id} is stored with {metrics} of its 2 metrics"
        );
    }
    let lost: Vec<_> = acked.difference(&found).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let invented: Vec<_> = found.difference(&sent).collect();
    assert!(invented.is_empty(), "stored but never sent: {invented:?}");
    assert_eq!(
        total(&restarted.addr, "/v1/sources?limit=1"),
        5 + found.len() as i64,
        "the restarted server serves what the file holds"
    );
    eprintln!(
        "crash test: {} writes sent, {} acknowledged with 201, SIGKILL with {} unanswered; \
         after restart: integrity_check {integrity}, {} of {} acknowledged found, \
         {} stored in all (unanswered writes that had committed included)",
        sent.len(),
        acked.len(),
        sent.len() - acked.len(),
        acked.intersection(&found).count(),
        acked.len(),
        found.len(),
    );
}
