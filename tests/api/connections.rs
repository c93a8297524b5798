//! The real binary against clients that misbehave at the socket: connections that send half a
//! head or nothing at all are closed after their timeout, the number open at once is capped
//! while newcomers still get answered, a body announced as too large is refused before it is
//! sent, and query values of writes stay out of the log.
//!
//! Every wait is bounded by a read timeout far longer than the timeout under test and far
//! shorter than any other that could close the connection, so a connection closed in time
//! tells which timeout did it, without measuring anything.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use axum::http::Method;

use crate::bundles::minimal;
use crate::client::request;
use crate::helpers::TOKEN;
use crate::process::{Server, command, http_get, sigterm, start};

/// Far beyond the short timeouts the servers here are given, far below the long ones.
const PATIENCE: Duration = Duration::from_secs(60);

/// Hours, as far as a test is concerned: a timeout that must not be the one that fires.
const NEVER: &str = "3600";

fn server_with(dir: &std::path::Path, args: &[&str]) -> Server {
    let mut c = command(dir);
    c.args(["--addr", "127.0.0.1:0", "--db"])
        .arg(dir.join("conn.db"))
        .args(args);
    start(c)
}

fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Everything the server sends until it closes the connection; panics if it is still open
/// after [`PATIENCE`].
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return got,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "still open after {PATIENCE:?}; received so far: {:?}",
                    String::from_utf8_lossy(&got)
                )
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

#[test]
fn a_request_head_left_unfinished_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with(
        dir.path(),
        &["--header-timeout-secs", "1", "--idle-timeout-secs", NEVER],
    );

    let mut stalled = connect(&server.addr);
    stalled
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert_eq!(
        read_until_closed(&mut stalled),
        b"",
        "closed without an answer"
    );

    // One byte at a time, each well within the timeout: the head as a whole is still late.
    let mut trickling = connect(&server.addr);
    let writer = trickling.try_clone().unwrap();
    let feeder = std::thread::spawn(move || {
        let mut writer = writer;
        for byte in b"GET /health HTTP/1.1\r\nHost: x\r\n"
            .iter()
            .cycle()
            .take(600)
        {
            if writer.write_all(&[*byte]).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    });
    read_until_closed(&mut trickling);
    assert!(
        feeder.join().unwrap(),
        "the server closed while bytes still came"
    );

    assert_eq!(
        http_get(&server.addr, "/health").0,
        200,
        "a whole head is served"
    );
}

#[test]
fn a_connection_without_a_request_is_closed_after_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command(dir.path());
    c.args(["--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("conn.db"))
        .env("INDUSTRY_FACTS_IDLE_TIMEOUT_SECS", "1")
        .env("INDUSTRY_FACTS_HEADER_TIMEOUT_SECS", NEVER);
    let server = start(c);

    let mut silent = connect(&server.addr);
    assert_eq!(read_until_closed(&mut silent), b"", "nothing was asked");

    // Kept alive after its answer, then idle.
    let mut kept = connect(&server.addr);
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let got = String::from_utf8(read_until_closed(&mut kept)).unwrap();
    assert!(got.starts_with("HTTP/1.1 200 "), "{got}");
    assert!(
        got.ends_with(r#"{"status":"ok"}"#),
        "one whole answer: {got}"
    );
}

/// Connections the server process holds open on its port: its sockets (from `/proc/PID/fd`)
/// that the kernel's TCP table lists on the server's port in any state but listening.
#[cfg(target_os = "linux")]
fn connections(server: &Server) -> usize {
    let pid = server.child.id();
    let port = server.addr.rsplit(':').next().unwrap();
    let port = format!("{:04X}", port.parse::<u16>().unwrap());
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).unwrap();
    let on_port: std::collections::HashSet<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields.get(1)?.rsplit(':').next()?;
            let listening = *fields.get(3)? == "0A";
            let inode = fields.get(9)?;
            (local_port == port && !listening).then(|| format!("socket:[{inode}]"))
        })
        .collect();
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter(|target| on_port.contains(target.to_string_lossy().as_ref()))
        .count()
}

#[cfg(target_os = "linux")]
#[test]
fn over_the_connection_cap_newcomers_wait_and_are_served_while_idlers_time_out() {
    const CAP: usize = 3;
    let dir = tempfile::tempdir().unwrap();
    let server = server_with(
        dir.path(),
        &[
            "--max-connections",
            "3",
            "--idle-timeout-secs",
            "2",
            "--header-timeout-secs",
            "2",
        ],
    );

    // Twice the cap: the kernel completes every handshake, the server accepts only CAP.
    let mut idlers: Vec<TcpStream> = (0..2 * CAP).map(|_| connect(&server.addr)).collect();
    let open = || connections(&server);
    let mut most = 0;
    for _ in 0..1000 {
        most = most.max(open());
        if most >= CAP {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(most >= CAP, "the server accepted {most} of the idlers");
    let addr = server.addr.clone();
    let newcomer = std::thread::spawn(move || {
        let mut s = connect(&addr);
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        String::from_utf8(read_until_closed(&mut s)).unwrap()
    });
    while !newcomer.is_finished() {
        most = most.max(open());
        std::thread::sleep(Duration::from_millis(20));
    }
    let answer = newcomer.join().unwrap();
    most = most.max(open());
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(
        most <= CAP,
        "{most} connections were open at once, over the cap of {CAP}"
    );
    for idler in &mut idlers {
        assert_eq!(read_until_closed(idler), b"", "an idler is let go");
    }
    assert_eq!(http_get(&server.addr, "/health").0, 200, "still answering");
}

#[test]
fn a_body_announced_over_the_limit_is_refused_before_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command(dir.path());
    // A request deadline beyond the read timeout: only an early answer can arrive in time.
    c.args(["--addr", "127.0.0.1:0", "--request-timeout-secs", NEVER])
        .args(["--max-body-bytes", "1000", "--db"])
        .arg(dir.path().join("conn.db"))
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    let server = start(c);
    let mut s = connect(&server.addr);
    let head = format!(
        "POST /v1/bundles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // The problem document is the last thing sent and ends the only `}` of the answer.
    while !got.ends_with(b"}") {
        let n = s.read(&mut buf).expect("an answer before the read timeout");
        assert!(n > 0, "closed without an answer");
        got.extend_from_slice(&buf[..n]);
    }
    let got = String::from_utf8(got).unwrap();
    assert!(got.starts_with("HTTP/1.1 413 "), "{got}");
    assert!(
        got.contains("application/problem+json") && got.contains("payload-too-large"),
        "{got}"
    );
}

#[test]
fn query_values_of_writes_stay_out_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = command(dir.path());
    c.args(["--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("conn.db"))
        .env("INDUSTRY_FACTS_TOKEN", TOKEN);
    let mut server = start(c);
    let secret = "qs-secret-4f1d9c";
    let auth = format!("Bearer {TOKEN}");

    let r = request(
        &server.addr,
        Method::POST,
        &format!("/v1/bundles?access_token={secret}"),
        &[("authorization", &auth), ("x-request-id", "log-query-post")],
        Some(&minimal()),
    );
    assert!(r.status < 500, "{}", r.text);
    let r = request(
        &server.addr,
        Method::DELETE,
        &format!("/v1/sources/test-minimal?token={secret}&dry"),
        &[
            ("authorization", &auth),
            ("x-request-id", "log-query-delete"),
        ],
        None,
    );
    assert!(r.status < 500, "{}", r.text);
    let r = request(
        &server.addr,
        Method::GET,
        "/v1/metrics?region=gansu",
        &[("x-request-id", "log-query-get")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);

    assert_eq!(sigterm(&mut server).code(), Some(0));
    server.wait_for_log(|l| l.contains("stopped"), Duration::from_secs(10));
    let log = server.log.join("\n");
    assert!(!log.contains(secret), "the secret was logged:\n{log}");
    for (id, uri) in [
        ("log-query-post", "uri=/v1/bundles?access_token=… "),
        (
            "log-query-delete",
            "uri=/v1/sources/test-minimal?token=…&dry=… ",
        ),
        ("log-query-get", "uri=/v1/metrics?region=gansu "),
    ] {
        assert!(
            server
                .log
                .iter()
                .any(|l| l.contains(uri) && l.contains(&format!("request_id={id}"))),
            "no line with `{uri}` for {id}:\n{log}"
        );
    }
}
