//! How the server takes HTTP connections: at most so many open at once per
//! client (more are closed as soon as they are accepted), request headers
//! within a deadline, HTTP/1.1 with upgrades (the room's WebSocket), and a
//! graceful shutdown that lets requests in flight finish.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::{Service, ServiceExt};

/// At most `per_client` open connections from one client (an IPv4 address,
/// an IPv6 /64); trusted reverse proxies carry many clients and are not counted.
/// The media port's ICE-TCP connections are held to it too.
pub struct ClientCap {
    per_client: usize,
    trusted: Vec<IpAddr>,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl ClientCap {
    pub fn new(per_client: usize, trusted: Vec<IpAddr>) -> Self {
        Self { per_client, trusted, open: Arc::default() }
    }

    /// A place for one more connection from `addr`, held until dropped; `None` when its client has none left.
    pub fn admit(&self, addr: IpAddr) -> Option<Place> {
        if self.trusted.contains(&addr) {
            return Some(Place { client: None, open: self.open.clone() });
        }
        let client = crate::rate_limit::client(addr);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.get(&client).is_some_and(|&count| count >= self.per_client) || self.per_client == 0 {
            return None;
        }
        *open.entry(client).or_default() += 1;
        Some(Place { client: Some(client), open: self.open.clone() })
    }
}

/// A listener that admits at most so many open connections per client (see [`ClientCap`]).
pub struct CappedListener {
    listener: TcpListener,
    cap: ClientCap,
}

impl CappedListener {
    pub fn new(listener: TcpListener, per_client: usize, trusted: Vec<IpAddr>) -> Self {
        Self { listener, cap: ClientCap::new(per_client, trusted) }
    }
}

impl axum::serve::Listener for CappedListener {
    type Io = ClientStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (ClientStream, SocketAddr) {
        loop {
            let (stream, addr) = axum::serve::Listener::accept(&mut self.listener).await;
            // Small replies (an SDP answer, a room update) go out at once
            // instead of waiting for the client's delayed ACK.
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(%addr, "could not turn off Nagle's algorithm: {e}");
            }
            match self.cap.admit(addr.ip()) {
                Some(place) => return (ClientStream { stream, _place: place }, addr),
                None => tracing::debug!(%addr, "connection refused: too many open from this client"),
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A client's share of the open connections, given back when dropped.
pub struct Place {
    /// `None` for a trusted proxy, which is not counted.
    client: Option<IpAddr>,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let Some(client) = self.client else { return };
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&client);
            }
        }
    }
}

/// An admitted connection; it holds its client's place until it is closed,
/// also after an upgrade to a WebSocket.
pub struct ClientStream {
    stream: TcpStream,
    _place: Place,
}

impl AsyncRead for ClientStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves `app` until `shutdown` resolves, then stops accepting and waits for
/// the connections' requests in flight to finish, at most `shutdown_grace`. A connection that has not
/// sent a whole request head within `header_timeout` (counted from when the
/// server starts waiting for it, also between requests) is closed.
pub async fn serve(
    mut listener: CappedListener,
    app: Router,
    header_timeout: Duration,
    shutdown_grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let (stop, mut stopping) = watch::channel(false);
    // Waited for from the start, so a signal handler in `shutdown` is in place before the first connection.
    let signal = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        signal.send_replace(true);
    });
    // Every connection holds a receiver; when all are dropped, all have ended.
    let (all_ended, alive) = watch::channel(());
    loop {
        let (stream, addr) = tokio::select! {
            accepted = axum::serve::Listener::accept(&mut listener) => accepted,
            _ = stopping.changed() => break,
        };
        let Ok(make) = ServiceExt::<SocketAddr>::ready(&mut make_service).await;
        let Ok(service) = make.call(addr).await;
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).with_upgrades();
        let mut stopping = stop.subscribe();
        let alive = alive.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    // A client that keeps its request from finishing does not keep the server up.
                    tokio::time::timeout(shutdown_grace, connection).await.unwrap_or(Ok(()))
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%addr, "connection ended: {e}");
            }
            drop(alive);
        });
    }
    drop(listener);
    stop.send_replace(true);
    drop(alive);
    all_ended.closed().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_small_replies_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut capped = CappedListener::new(listener, 4, Vec::new());
        let _client = TcpStream::connect(address).await.unwrap();
        let (accepted, _) = axum::serve::Listener::accept(&mut capped).await;
        assert!(accepted.stream.nodelay().unwrap(), "TCP_NODELAY on the server's side");
    }
}
