//! The SFU's sockets: UDP sockets read by one task each, and an ICE-TCP
//! listener whose connections carry RFC 4571 framed packets (a 16-bit
//! big-endian length before each packet), shared by the workers. Everything
//! read is handed to the worker it belongs to (see `route`) over its channel.
//! (A worker with a UDP socket of its own reads it itself.)

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::TcpLimits;
use super::route::{Route, Router, Ufrags};
use crate::connections::ClientCap;

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

pub fn spawn_tcp_listener(
    listener: TcpListener,
    ufrags: Ufrags,
    net: Vec<mpsc::Sender<NetInput>>,
    limits: TcpLimits,
) -> JoinHandle<()> {
    let cap = ClientCap::new(limits.per_client, Vec::new());
    tokio::spawn(async move {
        loop {
            let (stream, remote) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!("ICE-TCP accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Some(place) = cap.admit(remote.ip()) else {
                tracing::debug!(%remote, "ICE-TCP connection refused: too many open from this client");
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (net, ufrags) = (net.clone(), ufrags.clone());
            tokio::spawn(async move {
                let _place = place;
                let (mut reader, mut writer) = stream.into_split();
                let mut buf = vec![0u8; MAX_PACKET];
                // ICE comes first (RFC 6544): the connection's first packet is the client's
                // binding request, naming the peer connection, and so the worker, it is for.
                let first = timeout(limits.first_packet, read_framed(&mut reader, &mut buf)).await;
                let Ok(Some(len)) = first else { return };
                let Some(net) = ufrags.worker_named(&buf[..len]).and_then(|worker| net.get(worker).cloned()) else {
                    tracing::debug!(%remote, "ICE-TCP connection closed: its first packet names no peer connection");
                    return;
                };
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
                while let Ok(Some(len)) = timeout(limits.idle, read_framed(&mut reader, &mut buf)).await {
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

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use tokio::net::{TcpSocket, TcpStream};

    use super::super::route::{STUN_USERNAME, binding_request};
    use super::*;

    /// Another machine, as far as the server can tell (all of 127/8 is loopback).
    const NEIGHBOUR: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    /// Longer than any test waits: the limit that is not under test.
    const NEVER: Duration = Duration::from_secs(600);
    /// How long a test waits for something that must happen.
    const PATIENCE: Duration = Duration::from_secs(60);

    /// The ICE-TCP listener of a server with `workers` workers; the peer
    /// connection with the fragment "court" is on the last.
    struct Listening {
        address: SocketAddr,
        workers: Vec<mpsc::Receiver<NetInput>>,
        _task: JoinHandle<()>,
    }

    async fn listening(workers: usize, limits: TcpLimits) -> Listening {
        let listener = TcpListener::bind((LOCAL, 0)).await.unwrap();
        let address = listener.local_addr().unwrap();
        let ufrags = Ufrags::default();
        ufrags.register("court", workers - 1);
        let (senders, workers): (Vec<_>, Vec<_>) = (0..workers).map(|_| mpsc::channel(64)).unzip();
        Listening { address, workers, _task: spawn_tcp_listener(listener, ufrags, senders, limits) }
    }

    async fn connect_from(ip: IpAddr, address: SocketAddr) -> TcpStream {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(ip, 0)).unwrap();
        socket.connect(address).await.unwrap()
    }

    /// `packet` as RFC 4571 frames it.
    fn framed(packet: &[u8]) -> Vec<u8> {
        let mut frame = (packet.len() as u16).to_be_bytes().to_vec();
        frame.extend_from_slice(packet);
        frame
    }

    fn check_for(ufrag: &str) -> Vec<u8> {
        binding_request(&[(STUN_USERNAME, format!("{ufrag}:client").as_bytes())])
    }

    /// Reads until the listener closes the connection.
    async fn until_closed(mut stream: TcpStream, what: &str) {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "{what}: the connection is closed");
    }

    async fn next(worker: &mut mpsc::Receiver<NetInput>) -> NetInput {
        tokio::time::timeout(PATIENCE, worker.recv()).await.expect("the worker hears of it").expect("the listener runs")
    }

    /// The worker is told of the connection from `from` and given its first packet, `first`.
    async fn opened(worker: &mut mpsc::Receiver<NetInput>, from: SocketAddr, first: &[u8]) -> mpsc::Sender<Vec<u8>> {
        let NetInput::TcpOpened { remote, writer } = next(worker).await else { panic!("the connection is opened first") };
        assert_eq!(remote, from);
        let NetInput::TcpPacket { remote, data, .. } = next(worker).await else { panic!("then its first packet") };
        assert_eq!((remote, data.as_slice()), (from, first));
        writer
    }

    #[tokio::test]
    async fn past_its_cap_a_clients_connections_are_closed_at_once_and_others_still_get_in() {
        let mut server = listening(2, TcpLimits { per_client: 4, first_packet: NEVER, idle: NEVER }).await;
        let (closed_tx, mut closed) = mpsc::unbounded_channel();
        let mut silent = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let stream = connect_from(LOCAL, server.address).await;
            let closed_tx = closed_tx.clone();
            silent.spawn(async move {
                let (mut stream, mut rest) = (stream, Vec::new());
                let _ = stream.read_to_end(&mut rest).await;
                let _ = closed_tx.send(());
            });
        }
        for _ in 0..6 {
            tokio::time::timeout(PATIENCE, closed.recv()).await.expect("the connections past the cap are closed");
        }

        let mut neighbour = connect_from(NEIGHBOUR, server.address).await;
        neighbour.write_all(&framed(&check_for("court"))).await.unwrap();
        let from = neighbour.local_addr().unwrap();
        let writer = opened(&mut server.workers[1], from, &check_for("court")).await;
        writer.send(b"answer".to_vec()).await.unwrap();
        let mut answer = [0u8; 8];
        neighbour.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"\0\x06answer", "the worker's packets reach the client framed");
        assert!(closed.try_recv().is_err(), "the four within the cap are held, not dropped for another client");

        // Once its connections close, the client gets in again.
        silent.shutdown().await;
        loop {
            let mut again = connect_from(LOCAL, server.address).await;
            again.write_all(&framed(&check_for("court"))).await.unwrap();
            let worker = &mut server.workers[1];
            let mut rest = Vec::new();
            tokio::select! {
                input = next(worker) => {
                    let NetInput::TcpOpened { remote, .. } = input else { panic!("the connection is opened first") };
                    assert_eq!(remote, again.local_addr().unwrap());
                    break;
                }
                // Refused: the listener had not yet seen all the others close.
                _ = again.read_to_end(&mut rest) => continue,
            }
        }
    }

    #[tokio::test]
    async fn a_connection_that_does_not_open_with_an_ice_check_for_a_peer_connection_is_closed() {
        // One worker, where every UDP datagram goes without looking (see `route`): not so here.
        let mut server = listening(1, TcpLimits { per_client: 64, first_packet: Duration::from_millis(200), idle: NEVER }).await;
        let rtp = [0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        let mut oversized = 3000u16.to_be_bytes().to_vec();
        oversized.resize(3002, 0);
        let openings: [(&str, Vec<u8>); 6] = [
            ("silent", Vec::new()),
            ("a frame that stops halfway", framed(&check_for("court"))[..10].to_vec()),
            ("RTP before ICE", framed(&rtp)),
            ("a check for nobody's fragment", framed(&check_for("stranger"))),
            ("a frame longer than any WebRTC packet", oversized),
            ("an empty frame", vec![0, 0]),
        ];
        let mut closing = tokio::task::JoinSet::new();
        for (what, opening) in openings {
            let mut stream = connect_from(LOCAL, server.address).await;
            stream.write_all(&opening).await.unwrap();
            closing.spawn(until_closed(stream, what));
        }
        closing.join_all().await;
        for worker in &mut server.workers {
            assert!(worker.try_recv().is_err(), "no worker heard of them");
        }

        let mut client = connect_from(LOCAL, server.address).await;
        client.write_all(&framed(&check_for("court"))).await.unwrap();
        opened(&mut server.workers[0], client.local_addr().unwrap(), &check_for("court")).await;
    }

    #[tokio::test]
    async fn a_connection_that_falls_silent_is_closed_and_its_worker_told() {
        let mut server = listening(2, TcpLimits { per_client: 64, first_packet: NEVER, idle: Duration::from_millis(200) }).await;
        let mut client = connect_from(LOCAL, server.address).await;
        let from = client.local_addr().unwrap();
        client.write_all(&framed(&check_for("court"))).await.unwrap();
        opened(&mut server.workers[1], from, &check_for("court")).await;
        client.write_all(&framed(b"\x80\x60 media")).await.unwrap();
        let NetInput::TcpPacket { data, .. } = next(&mut server.workers[1]).await else { panic!("a packet") };
        assert_eq!(data, b"\x80\x60 media");

        until_closed(client, "silent after its media").await;
        let NetInput::TcpClosed { remote } = next(&mut server.workers[1]).await else { panic!("the worker is told") };
        assert_eq!(remote, from);
    }
}
