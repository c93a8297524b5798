//! Accepting and serving connections. A client must not be able to hold the server's sockets
//! for nothing: each connection gets a bounded time to send a request head once it has started
//! one, a bounded idle time while no request is under way, and the number open at once is
//! capped below what the process may open, so idle or half-sent connections cannot starve
//! everyone else of file descriptors.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::rt::{Sleep, Timer};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Ample for any client on a slow link to send a few kilobytes of headers.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;

/// Longer than the 60 s idle timeout common in load balancers, so a proxy in front never
/// sends a request on a connection this server is just closing.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 75;

/// Half of the 1,024 descriptors a process usually gets, leaving room for the database, its
/// WAL and the log, and twice the default number of requests served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How long each connection may take, and how many may be open.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// From the first byte of a request head to its last.
    pub header_timeout: Duration,
    /// Waiting for the first byte of a request, on a new connection or after a response.
    pub idle_timeout: Duration,
    /// Connections open at once; beyond it the server stops accepting until one closes.
    pub max_connections: usize,
    /// After a shutdown signal, how long requests under way may take to finish.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests under way finish
/// (for at most `limits.grace`) and returns.
///
/// Over the connection cap the loop stops accepting rather than accepting and closing: the
/// kernel keeps the new connections in the listen backlog, which costs the process no file
/// descriptor, and each is served as soon as an idle or slow connection reaches its timeout.
/// Accept-and-close would refuse every well-behaved newcomer for as long as the idle ones hold
/// their places.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let closing = Arc::new(AtomicBool::new(false));
    let mut shutdown = pin!(shutdown);
    let mut full = false;
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => {
                full = false;
                permit
            }
            Err(_) => {
                if !full {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached; new connections wait until one closes"
                    );
                    full = true;
                }
                tokio::select! {
                    permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let clock = Arc::new(HeadClock {
            header: limits.header_timeout,
            idle: limits.idle_timeout,
            closing: closing.clone(),
            first_byte: Mutex::new(None),
        });
        let io = TokioIo::new(Watched {
            inner: stream,
            clock: clock.clone(),
        });
        let connection = http1::Builder::new()
            .timer(HeadTimer(clock))
            // hyper only starts its head timer when a timeout is set; `HeadSleep` decides
            // when it really fires.
            .header_read_timeout(limits.header_timeout)
            .serve_connection(io, TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    // Set before the connections are told, so one waiting for a request closes at once.
    closing.store(true, Ordering::Release);
    if tokio::time::timeout(limits.grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = limits.grace.as_secs(),
            "requests still under way after the grace period are abandoned"
        );
    }
}

/// A refused or reset handshake concerns one client only. Anything else, such as running out
/// of file descriptors, would repeat at once, so the loop pauses instead of spinning.
async fn accept_failed(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// What one connection's head timer needs: when the first byte of the awaited request head
/// arrived, if one has.
struct HeadClock {
    header: Duration,
    idle: Duration,
    closing: Arc<AtomicBool>,
    first_byte: Mutex<Option<Instant>>,
}

impl HeadClock {
    fn waiting_for_head(&self) {
        *self.first_byte.lock().expect("never poisoned") = None;
    }

    fn byte_arrived(&self) {
        self.first_byte
            .lock()
            .expect("never poisoned")
            .get_or_insert_with(Instant::now);
    }

    /// `None` when the connection should close now.
    fn deadline(&self, waiting_since: Instant) -> Option<Instant> {
        match *self.first_byte.lock().expect("never poisoned") {
            Some(first) => Some(first + self.header),
            None if self.closing.load(Ordering::Acquire) => None,
            None => Some(waiting_since + self.idle),
        }
    }
}

/// hyper's HTTP/1 server uses its timer for one thing: it asks for a sleep each time it starts
/// waiting for a request head (on a new connection and after every response) and closes the
/// connection when that sleep ends before the head is complete. This timer turns that one
/// deadline into two: the idle timeout until a byte arrives, the header timeout from then on.
struct HeadTimer(Arc<HeadClock>);

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        TokioTimer::new().sleep(duration)
    }

    fn sleep_until(&self, _: std::time::Instant) -> Pin<Box<dyn Sleep>> {
        self.0.waiting_for_head();
        let since = Instant::now();
        Box::pin(HeadSleep {
            clock: self.0.clone(),
            since,
            sleep: Box::pin(tokio::time::sleep_until(since + self.0.idle)),
        })
    }
}

/// Ends at the deadline of [`HeadClock::deadline`], which moves once the first byte arrives.
/// hyper polls it after every read that leaves the head incomplete, so the move is seen.
struct HeadSleep {
    clock: Arc<HeadClock>,
    since: Instant,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.clock.deadline(self.since) else {
            return Poll::Ready(());
        };
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl Sleep for HeadSleep {}

/// The socket, telling the clock when bytes arrive.
struct Watched {
    inner: TcpStream,
    clock: Arc<HeadClock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.byte_arrived();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
