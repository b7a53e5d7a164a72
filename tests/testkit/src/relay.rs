//! A TCP relay between a client and the server whose connections a test can
//! cut, as a dropped mobile network would, and whose uplink can be as slow as
//! a weak one.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpRelay {
    pub addr: SocketAddr,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpRelay {
    /// Relays every connection made to `addr` on to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        Self::start_with_uplink(target, None).await
    }

    /// Like `start`, with what the client sends passed on at most
    /// `uplink_bytes_per_second` (a phone on a weak network).
    pub async fn start_with_uplink(target: SocketAddr, uplink_bytes_per_second: Option<u64>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay binds");
        let addr = listener.local_addr().unwrap();
        let cut = watch::Sender::new(0u64);
        let cuts = cut.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut cut_signal = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else { return };
                    match uplink_bytes_per_second {
                        None => {
                            tokio::select! {
                                _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                                _ = cut_signal.changed() => {}
                            }
                        }
                        Some(rate) => {
                            let (mut client_reads, mut client_writes) = inbound.into_split();
                            let (mut server_reads, mut server_writes) = outbound.into_split();
                            // Whatever the client sends is taken at once and passed on at the rate;
                            // when the client gives up (closes), what had not gone yet is lost, as it
                            // is on a real link.
                            let up = async move {
                                let piece = (rate / 10).max(1) as usize;
                                let (mut queued, mut buf) = (std::collections::VecDeque::<u8>::new(), vec![0u8; 64 * 1024]);
                                let mut next_at = tokio::time::Instant::now();
                                loop {
                                    tokio::select! {
                                        read = client_reads.read(&mut buf) => match read {
                                            Ok(0) | Err(_) => return,
                                            Ok(n) => queued.extend(&buf[..n]),
                                        },
                                        _ = tokio::time::sleep_until(next_at), if !queued.is_empty() => {
                                            let n = queued.len().min(piece);
                                            let bytes: Vec<u8> = queued.drain(..n).collect();
                                            if server_writes.write_all(&bytes).await.is_err() {
                                                return;
                                            }
                                            next_at = next_at.max(tokio::time::Instant::now())
                                                + std::time::Duration::from_secs_f64(n as f64 / rate as f64);
                                        }
                                    }
                                }
                            };
                            let down = tokio::io::copy(&mut server_reads, &mut client_writes);
                            tokio::select! {
                                _ = up => {}
                                _ = down => {}
                                _ = cut_signal.changed() => {}
                            }
                        }
                    }
                });
            }
        });
        Self { addr, cut, task }
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
