//! The subcommands: `serve` (default), `import`, `check`, `healthcheck` and `extract`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde_json::Value;

use crate::bundle::json::{JsonError, parse_strict};
use crate::bundle::{self, Catalog};
use crate::config::{CheckArgs, Cli, Command, HealthcheckArgs, ImportArgs, ServeArgs};
use crate::error::{AppError, PointerProblem};
use crate::http::serve::ConnectionLimits;
use crate::ingest::{OnChangedEntity, OnExisting, StoreSummary, WriteMode, ingest};
use crate::{AppState, Layers, app_with, db, telemetry};

pub async fn run() -> ExitCode {
    let cli = Cli::parse_args();
    let result = match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Import(args)) => import(args).await,
        Some(Command::Check(args)) => return check(args),
        Some(Command::Healthcheck(args)) => return healthcheck(args).await,
        Some(Command::Extract(args)) => return crate::extract::command::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    telemetry::init();
    let started = Instant::now();
    let token = args.write_token()?;
    let pool = if args.read_only {
        db::connect_read_only(&args.db.db)
            .await
            .map_err(|e| e.to_string())?
    } else {
        db::connect(&args.db.db)
            .await
            .map_err(|e| format!("cannot open database {}: {e}", args.db.db))?
    };
    if !args.no_seed && !args.read_only {
        let report = db::seed::load(&pool)
            .await
            .map_err(|e| format!("cannot load the seed: {e}"))?;
        tracing::info!(loaded = ?report.loaded, unchanged = report.unchanged.len(), "seed checked");
    }
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(addr = %local, db = %args.db.db, ready_ms = started.elapsed().as_millis() as u64, "listening");
    let request_timeout = Duration::from_secs(args.request_timeout_secs);
    // A budget past the deadline would let a statement run on after its request is answered.
    let query_timeout = Duration::from_millis(args.query_timeout_ms).min(request_timeout);
    // A write waits for the ones ahead of it at most half of its request's time, keeping the
    // other half for itself.
    let mut state = AppState::new(pool.clone())
        .with_read_only(args.read_only)
        .with_write_wait(request_timeout / 2)
        .with_query_timeout(query_timeout);
    let layers = Layers::default()
        .with_max_body(args.max_body_bytes)
        .with_request_timeout(request_timeout)
        .with_max_concurrency(args.max_concurrency)
        .with_cache_bytes(args.cache_bytes);
    if let Some(token) = token {
        if args.read_only {
            tracing::warn!("a write token is configured but ignored: this server is read-only");
        }
        state = state.with_token(token);
    }
    tracing::info!(
        writes = state.token.is_some() && !state.read_only,
        read_only = state.read_only,
        request_timeout_secs = args.request_timeout_secs,
        query_timeout_ms = query_timeout.as_millis() as u64,
        max_concurrency = layers.max_concurrency(),
        cache_bytes = args.cache_bytes,
        header_timeout_secs = args.header_timeout_secs,
        idle_timeout_secs = args.idle_timeout_secs,
        max_connections = args.max_connections,
        "configured"
    );
    let limits = ConnectionLimits {
        header_timeout: Duration::from_secs(args.header_timeout_secs),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs),
        max_connections: args.max_connections,
        // A request admitted before the signal may run to its deadline, then be written.
        grace: layers.request_timeout() + Duration::from_secs(1),
    };
    crate::http::serve::serve(listener, app_with(state, layers), limits, shutdown_signal()).await;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A bundle file as JSON; a key repeated within an object is a problem like any other.
fn read_json(path: &std::path::Path) -> Result<Value, Vec<PointerProblem>> {
    let bytes = std::fs::read(path)
        .map_err(|e| vec![PointerProblem::new("", format!("cannot read: {e}"))])?;
    parse_strict(&bytes).map_err(|e| match e {
        JsonError::Syntax(e) => vec![PointerProblem::new("", format!("not JSON: {e}"))],
        JsonError::DuplicateKeys(problems) => problems,
    })
}

fn print_problems(file: &std::path::Path, problems: &[PointerProblem]) {
    for p in problems {
        eprintln!(
            "{}: {}: {}",
            file.display(),
            if p.pointer.is_empty() {
                "/"
            } else {
                &p.pointer
            },
            p.message
        );
    }
}

/// Prints what one bundle of an import came to; false when it was not stored.
fn report_import(file: &std::path::Path, result: Result<StoreSummary, AppError>) -> bool {
    match result {
        Ok(s) => {
            println!(
                "{}: stored source {}{} with {} metrics ({} entities added, {} updated, {} unchanged)",
                file.display(),
                s.source_id,
                if s.replaced { " (replaced)" } else { "" },
                s.metrics,
                s.entities_added,
                s.entities_updated,
                s.entities_unchanged
            );
            return true;
        }
        Err(AppError::InvalidBundle(problems)) => print_problems(file, &problems),
        Err(AppError::Conflict(msg)) => {
            eprintln!("{}: {msg}; pass --replace to replace it", file.display())
        }
        Err(AppError::EntityConflict(changes)) => {
            for c in &changes {
                eprintln!("{}: {}: {}", file.display(), c.pointer, c.message);
            }
            eprintln!(
                "{}: would change {} field(s) of stored entities; pass --entities update to change them",
                file.display(),
                changes.len()
            );
        }
        Err(e) => eprintln!("{}: {e}", file.display()),
    }
    false
}

async fn import(args: ImportArgs) -> Result<(), String> {
    telemetry::init();
    let pool = db::connect(&args.db.db)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", args.db.db))?;
    let mode = WriteMode {
        on_existing: if args.replace {
            OnExisting::Replace
        } else {
            OnExisting::Refuse
        },
        on_changed_entity: OnChangedEntity::from_name(&args.entities).unwrap_or_default(),
    };
    let mut failed = 0;
    let mut total = args.files.len();
    if args.seed {
        let results = db::seed::import(&pool, mode).await;
        total += results.len();
        for (name, result) in results {
            let label = std::path::PathBuf::from(format!("seed:{name}"));
            if !report_import(&label, result.map_err(AppError::from)) {
                failed += 1;
            }
        }
    }
    for file in &args.files {
        let result = match read_json(file) {
            Ok(raw) => ingest(&pool, &raw, mode).await,
            Err(problems) => Err(AppError::InvalidBundle(problems)),
        };
        if !report_import(file, result) {
            failed += 1;
        }
    }
    pool.close().await;
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} of {total} bundle(s) were not stored"))
    }
}

/// What `check` found in one file: the validated bundle's metric count and coverage gaps.
pub struct Checked {
    pub metrics: usize,
    pub gaps: Vec<bundle::coverage::Gap>,
}

/// Checks each file against the ones before it, as an import in the same order would.
pub fn check_files(
    files: &[std::path::PathBuf],
) -> Vec<(std::path::PathBuf, Result<Checked, Vec<PointerProblem>>)> {
    let mut catalog = Catalog::default();
    files
        .iter()
        .map(|file| {
            let result = read_json(file)
                .and_then(|raw| bundle::parse_and_validate(&raw, &catalog))
                .map(|valid| {
                    catalog.absorb(&valid.bundle);
                    Checked {
                        metrics: valid.metrics.len(),
                        gaps: bundle::coverage::gaps(&valid.bundle),
                    }
                });
            (file.clone(), result)
        })
        .collect()
}

fn check(args: CheckArgs) -> ExitCode {
    let mut failed = 0;
    for (file, result) in check_files(&args.files) {
        match result {
            Ok(checked) if args.coverage && !checked.gaps.is_empty() => {
                for gap in &checked.gaps {
                    eprintln!(
                        "{}: uncovered `{}` at character {}: …{}…",
                        file.display(),
                        gap.text,
                        gap.start,
                        gap.context
                    );
                }
                eprintln!(
                    "{}: valid, but {} number(s) have no metric and no omission",
                    file.display(),
                    checked.gaps.len()
                );
                failed += 1;
            }
            Ok(checked) => println!(
                "{}: ok ({} metrics{})",
                file.display(),
                checked.metrics,
                if args.coverage {
                    ", every number covered"
                } else {
                    ""
                }
            ),
            Err(problems) => {
                print_problems(&file, &problems);
                eprintln!("{}: {} problem(s)", file.display(), problems.len());
                failed += 1;
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// GET /health over plain HTTP/1.1; the container image has no curl.
async fn healthcheck(args: HealthcheckArgs) -> ExitCode {
    let addr = args
        .addr
        .replace("0.0.0.0", "127.0.0.1")
        .replace("[::]", "[::1]");
    let probe = async {
        let stream = tokio::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let request = hyper::Request::get("/health")
            .header(hyper::header::HOST, &addr)
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<_, String>((status, body))
    };
    match tokio::time::timeout(Duration::from_secs(5), probe).await {
        Ok(Ok((status, body))) if status == hyper::StatusCode::OK => {
            // Still healthy (reads are served, and a restart frees no disk), but the line
            // the container runtime keeps says what is wrong.
            let health: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if health["status"] == "degraded" {
                let body = String::from_utf8_lossy(&body);
                println!("healthy, degraded: {addr} answered {status} {body}");
            } else {
                println!("healthy: {addr} answered {status}");
            }
            ExitCode::SUCCESS
        }
        Ok(Ok((status, _))) => {
            eprintln!("unhealthy: {addr} answered {status}");
            ExitCode::FAILURE
        }
        Ok(Err(e)) => {
            eprintln!("unhealthy: {addr}: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("unhealthy: {addr} did not answer within 5 s");
            ExitCode::FAILURE
        }
    }
}
