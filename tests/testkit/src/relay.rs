//! A TCP relay between a client and the server whose connections a test can
//! cut, as a dropped mobile network would, and whose uplink or downlink can
//! be as slow as a weak one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpRelay {
    pub addr: SocketAddr,
    /// Bytes passed on from the server to clients, over every connection.
    pub downstream: Arc<AtomicU64>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

/// How fast each direction of a relayed connection goes, in bytes a second (`None`: as fast as it can).
#[derive(Debug, Clone, Copy, Default)]
pub struct Link {
    pub uplink: Option<u64>,
    pub downlink: Option<u64>,
}

impl TcpRelay {
    /// Relays every connection made to `addr` on to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        Self::start_with(target, Link::default()).await
    }

    /// Like `start`, with what the client sends passed on at most
    /// `uplink_bytes_per_second` (a phone on a weak network).
    pub async fn start_with_uplink(target: SocketAddr, uplink_bytes_per_second: Option<u64>) -> Self {
        Self::start_with(target, Link { uplink: uplink_bytes_per_second, downlink: None }).await
    }

    pub async fn start_with(target: SocketAddr, link: Link) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay binds");
        let addr = listener.local_addr().unwrap();
        let cut = watch::Sender::new(0u64);
        let cuts = cut.clone();
        let downstream = Arc::new(AtomicU64::new(0));
        let counted = downstream.clone();
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let mut cut_signal = cuts.subscribe();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(target).await else { return };
                    let (client_reads, client_writes) = inbound.into_split();
                    let (server_reads, server_writes) = outbound.into_split();
                    let up = pass_on(client_reads, server_writes, link.uplink, None);
                    let down = pass_on(server_reads, client_writes, link.downlink, Some(counted));
                    // Either side closing ends the connection; what was still queued is lost.
                    tokio::select! {
                        _ = up => {}
                        _ = down => {}
                        _ = cut_signal.changed() => {}
                    }
                });
            }
        });
        Self { addr, downstream, cut, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops every connection currently relayed; new ones still get through.
    pub fn cut_all(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

impl Drop for TcpRelay {
    fn drop(&mut self) {
        self.task.abort();
        self.cut_all();
    }
}

/// Passes what `from` sends on to `to`, at most `rate` bytes a second: what
/// is sent is taken at once and queued, and when `from` closes, what had not
/// gone yet is lost, as it is on a real link.
async fn pass_on(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    rate: Option<u64>,
    counted: Option<Arc<AtomicU64>>,
) {
    let count = |n: usize| {
        if let Some(counter) = &counted {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        }
    };
    let mut buf = vec![0u8; 64 * 1024];
    let Some(rate) = rate else {
        while let Ok(n @ 1..) = from.read(&mut buf).await {
            if to.write_all(&buf[..n]).await.is_err() {
                return;
            }
            count(n);
        }
        return;
    };
    let piece = (rate / 10).max(1) as usize;
    let mut queued = std::collections::VecDeque::<u8>::new();
    let mut next_at = tokio::time::Instant::now();
    loop {
        tokio::select! {
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => queued.extend(&buf[..n]),
            },
            _ = tokio::time::sleep_until(next_at), if !queued.is_empty() => {
                let n = queued.len().min(piece);
                let bytes: Vec<u8> = queued.drain(..n).collect();
                if to.write_all(&bytes).await.is_err() {
                    return;
                }
                count(n);
                next_at = next_at.max(tokio::time::Instant::now())
                    + std::time::Duration::from_secs_f64(n as f64 / rate as f64);
            }
        }
    }
}
