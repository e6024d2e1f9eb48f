//! Accepting connections: HTTP/1.1 through hyper's connection builder, so that a connection
//! is closed when it sends no complete request head within `limits.header_read_timeout_secs`
//! (a slow sender, or a keep-alive connection left idle between requests), and at most
//! `limits.max_connections` are open at once (more wait to be accepted).
//!
//! `axum::serve` offers neither setting. HTTP/2 is not spoken here: a TLS proxy in front
//! speaks it to clients.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// The limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl ConnectionLimits {
    pub fn of(limits: &crate::config::Limits) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(limits.header_read_timeout_secs.max(1)),
            max_connections: limits.max_connections.max(1),
        }
    }
}

/// Serves `app` on `listener` until `signal` resolves; then stops accepting, lets each
/// connection finish the request it is answering, and returns when all are closed.
/// Each request carries its client's [`ConnectInfo`].
pub async fn serve<F>(listener: TcpListener, app: Router, limits: ConnectionLimits, signal: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        signal.await;
        let _ = stop_tx.send(true);
    });
    // Every connection task holds a receiver; when the last is dropped, all are closed.
    let (open_tx, open_rx) = watch::channel(());
    let places = Arc::new(Semaphore::new(limits.max_connections));
    let mut stop = stop_rx.clone();
    loop {
        let place = tokio::select! {
            p = places.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = stopped(&mut stop) => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // accepted: wait a moment rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let _place = place;
            let _open = open;
            let service = app.map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req.map(Body::new)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("connection from {addr} ended: {e}");
                    }
                    return;
                }
                () = stopped(&mut stop) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(open_rx);
    drop(listener);
    open_tx.closed().await;
}

/// Resolves once the stop signal is given (or can no longer be given).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The borrow the wait returns is dropped here, not held across the caller's awaits.
    let _ = stop.wait_for(|s| *s).await;
}
