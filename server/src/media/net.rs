//! The SFU's sockets: UDP sockets read by one task each, and an ICE-TCP
//! listener whose connections carry RFC 4571 framed packets (a 16-bit
//! big-endian length before each packet), shared by the workers. Everything
//! read is handed to the worker it belongs to (see `route`) over its channel.
//! (A worker with a UDP socket of its own reads it itself.)

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::route::{Route, Router, Ufrags};

/// Largest packet we read; bigger datagrams are not WebRTC.
pub const MAX_PACKET: usize = 2048;

pub enum NetInput {
    Datagram { at: Instant, socket: usize, source: SocketAddr, data: Vec<u8> },
    TcpOpened { remote: SocketAddr, writer: mpsc::Sender<Vec<u8>> },
    TcpPacket { at: Instant, remote: SocketAddr, data: Vec<u8> },
    TcpClosed { remote: SocketAddr },
}

pub fn spawn_udp_reader(
    index: usize,
    socket: Arc<UdpSocket>,
    ufrags: Ufrags,
    workers: Vec<mpsc::Sender<NetInput>>,
) -> JoinHandle<()> {
    let mut router = Router::new(workers.len(), ufrags);
    tokio::spawn(async move {
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, source)) => {
                    let targets = match router.route(source, &buf[..n]) {
                        Route::Worker(w) => w..w + 1,
                        Route::Everyone => 0..workers.len(),
                        Route::Nobody => {
                            tracing::trace!(%source, len = n, "dropped: from an address no peer has spoken STUN from");
                            continue;
                        }
                    };
                    for worker in workers.get(targets).unwrap_or_default() {
                        let input = NetInput::Datagram { at: Instant::now(), socket: index, source, data: buf[..n].to_vec() };
                        // A full channel means the worker is overloaded: drop, as the network would.
                        if let Err(mpsc::error::TrySendError::Closed(_)) = worker.try_send(input) {
                            return;
                        }
                    }
                }
                // ICMP errors (port unreachable) surface here on Linux; they are not fatal.
                Err(e) => tracing::trace!("udp receive: {e}"),
            }
        }
    })
}

pub fn spawn_tcp_listener(listener: TcpListener, ufrags: Ufrags, net: Vec<mpsc::Sender<NetInput>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (stream, remote) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!("ICE-TCP accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let (net, mut router) = (net.clone(), Router::new(net.len(), ufrags.clone()));
            tokio::spawn(async move {
                let (mut reader, mut writer) = stream.into_split();
                let mut buf = vec![0u8; u16::MAX as usize];
                // The connection's first packet is the client's binding request: it says whose connection this is.
                let Some(len) = read_framed(&mut reader, &mut buf).await else { return };
                let Route::Worker(worker) = router.route(remote, &buf[..len]) else { return };
                let Some(net) = net.get(worker).cloned() else { return };
                let first = NetInput::TcpPacket { at: Instant::now(), remote, data: buf[..len].to_vec() };
                let (tx, mut rx) = mpsc::channel::<Vec<u8>>(256);
                if net.send(NetInput::TcpOpened { remote, writer: tx }).await.is_err() || net.send(first).await.is_err() {
                    return;
                }
                let writing = tokio::spawn(async move {
                    while let Some(packet) = rx.recv().await {
                        let Ok(len) = u16::try_from(packet.len()) else { continue };
                        let mut framed = Vec::with_capacity(packet.len() + 2);
                        framed.extend_from_slice(&len.to_be_bytes());
                        framed.extend_from_slice(&packet);
                        if writer.write_all(&framed).await.is_err() {
                            break;
                        }
                    }
                });
                while let Some(len) = read_framed(&mut reader, &mut buf).await {
                    let input = NetInput::TcpPacket { at: Instant::now(), remote, data: buf[..len].to_vec() };
                    if net.send(input).await.is_err() {
                        break;
                    }
                }
                writing.abort();
                let _ = net.send(NetInput::TcpClosed { remote }).await;
            });
        }
    })
}

/// One RFC 4571 frame into `buf`; its length, or `None` when the connection
/// ended or sent something that is not a WebRTC packet.
async fn read_framed(reader: &mut tokio::net::tcp::OwnedReadHalf, buf: &mut [u8]) -> Option<usize> {
    let len = usize::from(reader.read_u16().await.ok()?);
    if len == 0 || len > MAX_PACKET {
        return None;
    }
    reader.read_exact(&mut buf[..len]).await.ok()?;
    Some(len)
}
