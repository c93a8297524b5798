//! Driving the real binary: a server guard that kills its process on drop, a bounded wait for
//! its `listening` line, a tiny hyper client, and bounded runs of the short subcommands.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_industry-facts");
const WAIT: Duration = Duration::from_secs(20);

/// Killing on drop keeps a failed assertion from leaving a server running after the suite.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: Vec<String>,
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Reads log lines until one satisfies `found`, which it returns; `None` after `wait`.
    /// Every line read is also kept in `log`.
    pub fn wait_for_log(&mut self, found: impl Fn(&str) -> bool, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                Ok(line) => {
                    self.log.push(line.clone());
                    if found(&line) {
                        return Some(line);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with none of the caller's `INDUSTRY_FACTS_*` settings leaking in.
pub fn command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "INDUSTRY_FACTS_ADDR",
        "INDUSTRY_FACTS_DB",
        "INDUSTRY_FACTS_NO_SEED",
        "INDUSTRY_FACTS_TOKEN",
        "INDUSTRY_FACTS_TOKEN_FILE",
        "INDUSTRY_FACTS_MAX_BODY_BYTES",
        "INDUSTRY_FACTS_REQUEST_TIMEOUT_SECS",
        "INDUSTRY_FACTS_QUERY_TIMEOUT_MS",
        "INDUSTRY_FACTS_MAX_CONCURRENCY",
        "INDUSTRY_FACTS_READ_ONLY",
        "INDUSTRY_FACTS_HEADER_TIMEOUT_SECS",
        "INDUSTRY_FACTS_IDLE_TIMEOUT_SECS",
        "INDUSTRY_FACTS_MAX_CONNECTIONS",
        "RUST_LOG",
    ] {
        c.env_remove(var);
    }
    c.env("NO_COLOR", "1").current_dir(dir).stdin(Stdio::null());
    c
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Port 0 picks a free port, so the log line is the only place the address can come from.
pub fn start(mut cmd: Command) -> Server {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    // Keeps draining after the line is found, so a full pipe never blocks the server.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(strip_ansi(&line));
        }
    });
    let mut server = Server {
        child,
        addr: String::new(),
        log: Vec::new(),
        lines: rx,
    };
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match server.lines.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                server.log.push(line.clone());
                if line.contains("listening")
                    && let Some(rest) = line.split("addr=").nth(1)
                {
                    server.addr = rest.split_whitespace().next().unwrap().to_owned();
                    return server;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = server.child.try_wait() {
                    panic!("the server exited with {status}: {:#?}", server.log);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("stderr closed: {:#?}", server.log),
        }
    }
    panic!("no `listening` line within {WAIT:?}: {:#?}", server.log);
}

pub fn serve(dir: &Path, db: &Path) -> Server {
    let mut c = command(dir);
    c.args(["--addr", "127.0.0.1:0", "--db", db.to_str().unwrap()]);
    start(c)
}

/// A fresh runtime and connection per call keeps the tests synchronous and independent.
pub fn http_get(addr: &str, path: &str) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let limit = Duration::from_secs(10);
        let stream = tokio::time::timeout(limit, tokio::net::TcpStream::connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        let io = hyper_util::rt::TokioIo::new(stream);
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, addr)
            .body(Empty::<Bytes>::new())
            .unwrap();
        let response = tokio::time::timeout(limit, sender.send_request(request))
            .await
            .expect("answer in time")
            .unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    })
}

pub fn total(addr: &str, path: &str) -> i64 {
    let (status, body) = http_get(addr, path);
    assert_eq!(status, 200, "{path}: {body}");
    body["meta"]["total"].as_i64().unwrap()
}

pub fn sigterm(server: &mut Server) -> ExitStatus {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("still running 10 s after SIGTERM");
}

/// Runs a short-lived subcommand, killing it if it outlives `WAIT`.
pub fn run(mut cmd: Command) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + WAIT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
