//! A UDP relay standing in for a network: it forwards media between clients
//! and the server, and can make the path of chosen clients lossy, slow and narrow.
//! The server announces the relay's address, so clients reach it through here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::{OnceCell, mpsc};

/// Loss, delay and a bandwidth limit applied, in both directions, to clients on `ip`.
#[derive(Clone, Copy, Debug)]
pub struct Impairment {
    pub ip: IpAddr,
    pub loss: f64,
    pub delay: Duration,
    /// A bottleneck of this many bit/s each way, as a router's queue: packets
    /// wait their turn, and are dropped when the queue holds more than [`QUEUE_LIMIT`].
    pub rate: Option<u64>,
}

/// How long a packet may wait in a bottleneck's queue before the queue drops it.
pub const QUEUE_LIMIT: Duration = Duration::from_millis(500);

pub struct UdpRelay {
    pub addr: SocketAddr,
    upstream: Arc<OnceCell<SocketAddr>>,
    task: tokio::task::JoinHandle<()>,
    pub dropped: Arc<std::sync::atomic::AtomicU64>,
}

/// xorshift: deterministic and good enough for dropping packets.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 1_000_000) as f64 / 1_000_000.0
    }
}

impl UdpRelay {
    /// Binds the relay; `connect` later tells it where the server is.
    pub async fn bind(impairment: Option<Impairment>) -> Self {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let addr = socket.local_addr().unwrap();
        let upstream: Arc<OnceCell<SocketAddr>> = Arc::new(OnceCell::new());
        let dropped = Arc::new(std::sync::atomic::AtomicU64::new(0));
        type Session = (Arc<UdpSocket>, Option<mpsc::UnboundedSender<Vec<u8>>>);
        let sessions: Arc<Mutex<HashMap<SocketAddr, Session>>> = Default::default();
        let dice = Arc::new(Mutex::new(Dice(0x9e37_79b9_7f4a_7c15)));
        let (up, drops) = (upstream.clone(), dropped.clone());
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            loop {
                let Ok((n, client)) = socket.recv_from(&mut buf).await else { continue };
                let Some(server) = up.get().copied() else { continue };
                let impaired = impairment.filter(|i| i.ip == client.ip());
                let session = sessions.lock().unwrap().get(&client).cloned();
                let (session, line) = match session {
                    Some(s) => s,
                    None => {
                        let s = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
                        let up = impaired.map(|i| delay_line(s.clone(), server, i, drops.clone()));
                        sessions.lock().unwrap().insert(client, (s.clone(), up.clone()));
                        // Replies from the server go back to this client through the relay's socket.
                        let down = impaired.map(|i| delay_line(socket.clone(), client, i, drops.clone()));
                        let (back, socket, dice, drops) = (s.clone(), socket.clone(), dice.clone(), drops.clone());
                        tokio::spawn(async move {
                            let mut buf = vec![0u8; 2048];
                            while let Ok((n, _)) = back.recv_from(&mut buf).await {
                                forward(&socket, client, buf[..n].to_vec(), down.as_ref(), impaired, &dice, &drops);
                            }
                        });
                        (s, up)
                    }
                };
                forward(&session, server, buf[..n].to_vec(), line.as_ref(), impaired, &dice, &drops);
            }
        });
        Self { addr, upstream, task, dropped }
    }

    pub fn connect(&self, server: SocketAddr) {
        let _ = self.upstream.set(server);
    }
}

/// A delay line: packets leave in the order they came, each `delay` after it
/// arrived (like netem), and, with a rate, after those queued before it have
/// gone through the bottleneck (like a token bucket with a bounded queue).
fn delay_line(
    socket: Arc<UdpSocket>,
    to: SocketAddr,
    impairment: Impairment,
    dropped: Arc<std::sync::atomic::AtomicU64>,
) -> mpsc::UnboundedSender<Vec<u8>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((due, packet)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            let _ = socket.send_to(&packet, to).await;
        }
    });
    let (input, mut packets) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        // When the bottleneck is free again.
        let mut free_at = tokio::time::Instant::now();
        while let Some(packet) = packets.recv().await {
            let now = tokio::time::Instant::now();
            let mut through = now;
            if let Some(rate) = impairment.rate {
                let start = free_at.max(now);
                if start - now > QUEUE_LIMIT {
                    dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    continue;
                }
                free_at = start + Duration::from_secs_f64(packet.len() as f64 * 8.0 / rate as f64);
                through = free_at;
            }
            if tx.send((through + impairment.delay, packet)).is_err() {
                break;
            }
        }
    });
    input
}

fn forward(
    socket: &Arc<UdpSocket>,
    to: SocketAddr,
    packet: Vec<u8>,
    line: Option<&mpsc::UnboundedSender<Vec<u8>>>,
    impairment: Option<Impairment>,
    dice: &Mutex<Dice>,
    dropped: &std::sync::atomic::AtomicU64,
) {
    match (impairment, line) {
        (Some(i), Some(line)) => {
            if dice.lock().unwrap().roll() < i.loss {
                dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return;
            }
            let _ = line.send(packet);
        }
        _ => {
            let _ = socket.try_send_to(&packet, to);
        }
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}
