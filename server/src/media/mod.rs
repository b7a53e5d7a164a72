//! Live video and audio: a selective forwarding unit built on str0m. Media is
//! forwarded without transcoding; the hearing room's rules (block, mute,
//! membership, hearing closed) are enforced here, per packet.

mod bitrate;
mod egress;
mod estimate;
mod feedback;
mod ingress;
mod keyframe;
mod net;
mod peer;
mod recent;
mod reception;
mod rewrite;
mod route;
mod sdp;
mod sfu;
mod srtp;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudtrial_protocol::signalling::{NetworkQuality, ServerMessage};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Where the SFU listens and what it announces.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub enabled: bool,
    /// The IP the media sockets bind to.
    pub bind_ip: IpAddr,
    /// UDP ports, one socket each; `0..=0` is one ephemeral port.
    pub udp_ports: (u16, u16),
    /// The IP (and, with a single UDP port, optionally the port) put in ICE
    /// candidates, when clients must reach the server at another address (NAT).
    pub announce_ip: Option<IpAddr>,
    pub announce_port: Option<u16>,
    /// ICE-TCP port for clients whose UDP is blocked; `None` disables it, `Some(0)` is ephemeral.
    pub tcp_port: Option<u16>,
    /// Forwarding workers (a thread each); each hearing is forwarded by one of them.
    pub workers: usize,
}

/// One forwarding worker per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            bind_ip: IpAddr::from([127, 0, 0, 1]),
            udp_ports: (0, 0),
            announce_ip: None,
            announce_port: None,
            tcp_port: Some(0),
            workers: default_workers(),
        }
    }
}

/// What one client may hold of the ICE-TCP port.
#[derive(Debug, Clone, Copy)]
pub struct TcpLimits {
    /// Connections open at once from one client (an IPv4 address, an IPv6 /64).
    pub per_client: usize,
    /// A connection's first packet, the client's ICE check, arrives within this.
    pub first_packet: Duration,
    /// A connection that carries nothing for this long is closed.
    pub idle: Duration,
}

impl TcpLimits {
    /// A live client checks its path every few seconds (ICE consent, RFC 7675), besides its media.
    const IDLE: Duration = Duration::from_secs(30);

    /// The HTTP listener's rules: as many connections per client, and the first
    /// packet within the time a request head has.
    pub fn of(limits: &crate::config::Limits) -> Self {
        Self { per_client: limits.connections_per_client, first_packet: limits.request_header_timeout, idle: Self::IDLE }
    }
}

/// The media rules of one hearing, from the hearing room.
#[derive(Debug, Clone, Default)]
pub struct HearingPolicy {
    pub hearing_id: i64,
    /// Media flows while the hearing is not closed or cancelled.
    pub open: bool,
    pub members: HashSet<i64>,
    pub blocked: HashSet<i64>,
    pub muted: HashSet<i64>,
    /// Speech is recognised only while the hearing runs (庭审中).
    pub recognizing: bool,
}

/// Where audio goes to be recognised: (hearing, speaker, Opus packet). Must not block.
pub type SpeechTap = Arc<dyn Fn(i64, i64, &[u8]) + Send + Sync>;

pub struct QualityUpdate {
    pub hearing_id: i64,
    pub participant_id: i64,
    pub quality: Option<NetworkQuality>,
}

#[derive(Debug, Clone)]
pub struct PeerSnapshot {
    /// Stays the same for the life of a peer connection (across ICE restarts).
    pub peer_id: u64,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub connected: bool,
    /// The forwarding worker (the same for everyone in a hearing).
    pub worker: usize,
    /// "udp" or "tcp", once a candidate pair is in use.
    pub transport: Option<String>,
    /// Video frames forwarded to this peer, by sending participant.
    pub video_from: std::collections::BTreeMap<i64, u64>,
    pub publishing: usize,
    pub receiving: usize,
    pub frames_received: u64,
    pub frames_sent: u64,
    /// Keyframes the SFU asked of this participant's video (PLI, FIR), for receivers starting or repairing.
    pub keyframe_requests: u64,
    /// Keyframes that arrived from this participant.
    pub keyframes_received: u64,
    /// What the path to this participant can carry (bit/s), as its congestion feedback says.
    pub downlink: Option<u64>,
    /// The bit rate this participant's video arrives at.
    pub video_in: u64,
}

#[derive(Debug, Clone)]
pub struct SfuSnapshot {
    pub peers: Vec<PeerSnapshot>,
    pub frames_forwarded: u64,
}

pub enum SfuCommand {
    Policy(HearingPolicy),
    /// A participant's new room socket: media signalling goes there from now on.
    Attach { hearing_id: i64, participant_id: i64, outbox: mpsc::Sender<ServerMessage> },
    Join { hearing_id: i64, participant_id: i64, outbox: mpsc::Sender<ServerMessage>, sdp: String },
    Offer { hearing_id: i64, participant_id: i64, outbox: mpsc::Sender<ServerMessage>, sdp: String },
    Answer { hearing_id: i64, participant_id: i64, sdp: String },
    Candidate { hearing_id: i64, participant_id: i64, candidate: String },
    Leave { hearing_id: i64, participant_id: i64 },
    Snapshot(oneshot::Sender<SfuSnapshot>),
}

impl SfuCommand {
    fn hearing_id(&self) -> Option<i64> {
        match self {
            SfuCommand::Policy(policy) => Some(policy.hearing_id),
            SfuCommand::Attach { hearing_id, .. }
            | SfuCommand::Join { hearing_id, .. }
            | SfuCommand::Offer { hearing_id, .. }
            | SfuCommand::Answer { hearing_id, .. }
            | SfuCommand::Candidate { hearing_id, .. }
            | SfuCommand::Leave { hearing_id, .. } => Some(*hearing_id),
            SfuCommand::Snapshot(_) => None,
        }
    }
}

/// The way into the SFU's workers: each hearing's commands go to its worker.
#[derive(Clone)]
pub struct MediaHandle {
    workers: Vec<mpsc::UnboundedSender<SfuCommand>>,
    pub udp_addrs: Vec<SocketAddr>,
    pub tcp_addr: Option<SocketAddr>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Stops the forwarding workers (each on a thread of its own).
    stops: Arc<Mutex<Vec<oneshot::Sender<()>>>>,
}

impl MediaHandle {
    /// No media (command-line tools).
    pub fn disabled() -> Self {
        Self { workers: Vec::new(), udp_addrs: Vec::new(), tcp_addr: None, tasks: Default::default(), stops: Default::default() }
    }

    /// Binds the media sockets and starts the SFU.
    pub async fn start(
        config: &MediaConfig,
        tcp_limits: TcpLimits,
        quality: mpsc::UnboundedSender<QualityUpdate>,
        speech: Option<SpeechTap>,
    ) -> std::io::Result<Self> {
        if !config.enabled {
            return Ok(Self::disabled());
        }
        let announce = |local: SocketAddr, single: bool| {
            let ip = config.announce_ip.unwrap_or(local.ip());
            let port = if single { config.announce_port.unwrap_or(local.port()) } else { local.port() };
            SocketAddr::new(ip, port)
        };
        let workers = config.workers.max(1);
        let ufrags = route::Ufrags::default();
        let (net_txs, net_rxs): (Vec<_>, Vec<_>) = (0..workers).map(|_| mpsc::channel(16_384)).unzip();
        let mut tasks = Vec::new();
        // With ephemeral ports (nothing fixed to open in a firewall or announce through
        // a NAT) each worker binds a socket of its own and reads it itself: no reader
        // task, copy and channel hop per datagram. Configured ports are shared by all
        // workers, and their readers route each datagram (see `route`).
        let own_sockets = config.udp_ports == (0, 0) && config.announce_port.is_none();
        let mut worker_sockets = Vec::new();
        let mut shared = Arc::new(Vec::new());
        let mut udp_addrs = Vec::new();
        if own_sockets {
            for _ in 0..workers {
                let socket = std::net::UdpSocket::bind(SocketAddr::new(config.bind_ip, 0))?;
                socket.set_nonblocking(true)?;
                let local = socket.local_addr()?;
                udp_addrs.push(local);
                worker_sockets.push(Some((socket, announce(local, false))));
            }
        } else {
            let mut slots = Vec::new();
            let (first, last) = config.udp_ports;
            let single = first == last;
            for port in first..=last {
                let socket = Arc::new(UdpSocket::bind(SocketAddr::new(config.bind_ip, port)).await?);
                let local = socket.local_addr()?;
                tasks.push(net::spawn_udp_reader(slots.len(), socket.clone(), ufrags.clone(), net_txs.clone()));
                udp_addrs.push(local);
                slots.push(sfu::UdpSlot { socket, announce: announce(local, single) });
            }
            shared = Arc::new(slots);
            worker_sockets = (0..workers).map(|_| None).collect();
        }
        let mut tcp_addr = None;
        let mut tcp_announce = None;
        if let Some(port) = config.tcp_port {
            let listener = TcpListener::bind(SocketAddr::new(config.bind_ip, port)).await?;
            let local = listener.local_addr()?;
            tcp_addr = Some(local);
            tcp_announce = Some(SocketAddr::new(config.announce_ip.unwrap_or(local.ip()), local.port()));
            tasks.push(net::spawn_tcp_listener(listener, ufrags.clone(), net_txs.clone(), tcp_limits));
        }
        drop(net_txs);
        let dtls_cert = str0m::crypto::from_feature_flags()
            .dtls_provider
            .generate_certificate()
            .expect("a DTLS certificate can be generated");
        let mut commands = Vec::new();
        let mut stops = Vec::new();
        for ((index, net_rx), own) in net_rxs.into_iter().enumerate().zip(worker_sockets) {
            let (tx, rx) = mpsc::unbounded_channel();
            let (stop, stopped) = oneshot::channel::<()>();
            let worker = sfu::Worker { index, reads_socket: own_sockets, ufrags: ufrags.clone(), dtls_cert: dtls_cert.clone() };
            let (shared, quality, speech) = (shared.clone(), quality.clone(), speech.clone());
            // Each worker has a thread and an event loop of its own: its packets, timers and
            // channels wake only it, never another thread that would hand the work over.
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            std::thread::Builder::new().name(format!("media-{index}")).spawn(move || {
                runtime.block_on(async move {
                    let slots = match own {
                        Some((socket, announce)) => match UdpSocket::from_std(socket) {
                            Ok(socket) => Arc::new(vec![sfu::UdpSlot { socket: Arc::new(socket), announce }]),
                            Err(e) => return tracing::error!("media worker {index} cannot use its socket: {e}"),
                        },
                        None => shared,
                    };
                    let sfu = sfu::Sfu::new(worker, slots, tcp_announce, quality, speech);
                    tokio::select! {
                        () = sfu.run(rx, net_rx) => {}
                        _ = stopped => {}
                    }
                });
            })?;
            commands.push(tx);
            stops.push(stop);
        }
        tracing::info!(?udp_addrs, ?tcp_addr, workers, "media (SFU) listening");
        Ok(Self {
            workers: commands,
            udp_addrs,
            tcp_addr,
            tasks: Arc::new(Mutex::new(tasks)),
            stops: Arc::new(Mutex::new(stops)),
        })
    }

    pub fn send(&self, command: SfuCommand) {
        let Some(hearing_id) = command.hearing_id() else { return };
        if let Some(worker) = self.worker_of(hearing_id) {
            let _ = worker.send(command);
        }
    }

    fn worker_of(&self, hearing_id: i64) -> Option<&mpsc::UnboundedSender<SfuCommand>> {
        let n = i64::try_from(self.workers.len()).ok().filter(|n| *n > 0)?;
        self.workers.get(usize::try_from(hearing_id.rem_euclid(n)).ok()?)
    }

    /// Every worker's peers, for tests and the load tool.
    pub async fn snapshot(&self) -> Option<SfuSnapshot> {
        let mut merged: Option<SfuSnapshot> = None;
        for worker in &self.workers {
            let (tx, rx) = oneshot::channel();
            let _ = worker.send(SfuCommand::Snapshot(tx));
            let snapshot = rx.await.ok()?;
            let merged = merged.get_or_insert(SfuSnapshot { peers: Vec::new(), frames_forwarded: 0 });
            merged.peers.extend(snapshot.peers);
            merged.frames_forwarded += snapshot.frames_forwarded;
        }
        if let Some(merged) = &mut merged {
            merged.peers.sort_by_key(|p| (p.hearing_id, p.participant_id));
        }
        merged
    }

    pub fn stop(&self) {
        for task in self.tasks.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            task.abort();
        }
        for stop in self.stops.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = stop.send(());
        }
    }
}
