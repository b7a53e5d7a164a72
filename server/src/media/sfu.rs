//! The selective forwarding unit: each worker (a thread with an event loop of
//! its own) owns the peer connections (str0m, sans-I/O) of its hearings.
//! Inputs arrive over channels, and datagrams also from the worker's own
//! socket when it has one; after every change to a peer its output is drained
//! before anything else touches it. Output goes straight to the sockets.
//! str0m keeps each peer's ICE, DTLS and SDP, and the keyframe requests and
//! bit rate limits to publishers; the media itself is read (`ingress`) and
//! written (`egress`) past it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudtrial_protocol::signalling::{NetworkQuality, ServerMessage};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::CodecConfig;
use cloudtrial_protocol::rtp::starts_keyframe;
use str0m::bwe::Bitrate;
use str0m::media::{KeyframeRequestKind, MediaKind};
use str0m::net::{Protocol, Receive, TcpType};
use str0m::rtp::Extension;
use str0m::{Candidate, Event, IceConnectionState, Input, Output, PacerReason, Reason, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::bitrate;
use super::egress::{self, Egress};
use super::ingress::{self, Ingress, Known};
use super::net::{MAX_PACKET, NetInput};
use super::peer::{InTrack, OutState, OutTrack, Peer};
use super::route::Ufrags;
use super::sdp;
use super::srtp;
use super::{HearingPolicy, PeerSnapshot, QualityUpdate, SfuCommand, SfuSnapshot, SpeechTap};

/// A peer whose ICE stays disconnected this long is dropped (the client rejoins).
const DISCONNECT_GRACE: Duration = Duration::from_secs(20);
/// An offer unanswered this long was lost or ignored: withdraw it and offer again.
const OFFER_TIMEOUT: Duration = Duration::from_secs(10);
/// Keyframe requests to one publisher while the last one is unanswered (its keyframe clears it).
const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(150);
/// A receiver already watching a publisher that loses its picture gets a new keyframe at
/// most this soon after the last one: one receiver on a bad path that keeps losing
/// keyframes must not make the publisher send nothing else to everyone.
const KEYFRAME_REPAIR_GAP: Duration = Duration::from_millis(500);
const MAX_WAIT: Duration = Duration::from_millis(100);
/// The worker sleeps at least this long when only timers are due. str0m's
/// pacers ask to be woken every millisecond or two, and each wake-up costs
/// more (a context switch) than the packets it would send; those packets go a
/// few milliseconds later, together.
const MIN_TIMER_WAIT: Duration = Duration::from_millis(10);
/// Timeouts already due handled in one drain of a peer before others get their turn.
const MAX_DUE_ROUNDS: usize = 256;
/// RFC 7983's demultiplexing: a datagram whose first byte is in this range is DTLS.
const DTLS_FIRST_BYTE: std::ops::RangeInclusive<u8> = 20..=63;
/// Inputs handled one after another before the worker waits again.
const BATCH: usize = 64;
/// How often publishers are told what their receivers' paths can take.
const ALLOCATION_INTERVAL: Duration = Duration::from_secs(1);
/// str0m's interval between reports: longer than any server runs.
const NO_REPORTS: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
/// The downlink estimate a new peer starts from, before its feedback says more.
const INITIAL_DOWNLINK: u64 = 1_500_000;

/// Why a publisher is asked for a keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyframeFor {
    /// A receiver's stream of it starts (joining, summoned, a new track): at once.
    Start,
    /// A receiver already watching lost its picture: not too soon after the last keyframe.
    Repair,
}

pub struct UdpSlot {
    pub socket: Arc<UdpSocket>,
    /// The address announced in candidates for this socket.
    pub announce: SocketAddr,
}

/// What makes a worker one of several.
pub struct Worker {
    pub index: usize,
    /// The worker reads its one UDP socket itself (it has a socket of its own), rather than
    /// getting datagrams from the shared sockets' readers.
    pub reads_socket: bool,
    /// Where this worker's peers' ICE username fragments are registered, so their packets reach it.
    pub ufrags: Ufrags,
    /// One certificate for the whole server.
    pub dtls_cert: str0m::config::DtlsCert,
}

pub struct Sfu {
    worker: Worker,
    udp: Arc<Vec<UdpSlot>>,
    tcp_announce: Option<SocketAddr>,
    tcp: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
    peers: HashMap<u64, Peer>,
    next_peer: u64,
    next_udp: usize,
    /// Which peer a remote address last spoke for.
    routes: HashMap<(Protocol, SocketAddr), u64>,
    policies: HashMap<i64, HearingPolicy>,
    quality: mpsc::UnboundedSender<QualityUpdate>,
    /// Peers changed since they were last drained.
    dirty: Vec<u64>,
    events: VecDeque<(u64, Event)>,
    frames_forwarded: u64,
    speech: Option<SpeechTap>,
    next_allocation: Instant,
    /// The packet being sent past str0m, kept to reuse its allocation.
    outgoing: Vec<u8>,
    /// Media packets sent past str0m, and resent at receivers' requests.
    sent_directly: u64,
    resent: u64,
    /// The publisher's packet being read past str0m, kept to reuse its allocation.
    incoming: Vec<u8>,
    /// Publishers' media packets read past str0m.
    read_directly: u64,
}

fn config(cert: &str0m::config::DtlsCert, feedback: sdp::VideoFeedback) -> RtcConfig {
    // Opus and H.264 constrained baseline only: what phones and browsers share,
    // so every publisher's media can go to every receiver untouched.
    let mut config = RtcConfig::new()
        .clear_codecs()
        .enable_opus(true, false)
        .set_stats_interval(Some(Duration::from_secs(1)))
        // Packets are forwarded as they come, not reassembled into pictures and cut up again:
        // the receivers' jitter buffers put them in order, and a repair (RTX) is forwarded when it arrives.
        .set_rtp_mode(true)
        // The SFU reads and writes all media itself (`ingress`, `egress`) and reports on it
        // itself: str0m's reports would tell of streams it never saw, so it sends none.
        .set_rtcp_report_interval_audio(NO_REPORTS)
        .set_rtcp_report_interval_video(NO_REPORTS)
        .set_dtls_cert(cert.clone());
    config.codec_config().add_h264(108.into(), Some(109.into()), true, 0x42e01f);
    // str0m answers the feedback it is configured with: configure only what the client offered.
    let params = config
        .codec_config()
        .params()
        .iter()
        .cloned()
        .map(|mut p| {
            if p.spec().codec.is_video() {
                p.set_fb_nack(feedback.nack);
                p.set_fb_pli(feedback.pli);
                p.set_fb_fir(feedback.fir);
                p.set_fb_remb(feedback.remb);
            }
            p
        })
        .collect();
    *config.codec_config() = CodecConfig::new_from_payload_params(params);
    config
}

impl Sfu {
    pub fn new(
        worker: Worker,
        udp: Arc<Vec<UdpSlot>>,
        tcp_announce: Option<SocketAddr>,
        quality: mpsc::UnboundedSender<QualityUpdate>,
        speech: Option<SpeechTap>,
    ) -> Self {
        Self {
            worker,
            udp,
            tcp_announce,
            tcp: HashMap::new(),
            peers: HashMap::new(),
            next_peer: 1,
            next_udp: 0,
            routes: HashMap::new(),
            policies: HashMap::new(),
            quality,
            dirty: Vec::new(),
            events: VecDeque::new(),
            frames_forwarded: 0,
            speech,
            next_allocation: Instant::now() + ALLOCATION_INTERVAL,
            outgoing: Vec::with_capacity(MAX_PACKET),
            sent_directly: 0,
            resent: 0,
            incoming: Vec::new(),
            read_directly: 0,
        }
    }

    pub async fn run(mut self, mut commands: mpsc::UnboundedReceiver<SfuCommand>, mut net: mpsc::Receiver<NetInput>) {
        // One timer, moved only when the earliest deadline moves (not re-armed per packet).
        let timer = tokio::time::sleep(MAX_WAIT);
        tokio::pin!(timer);
        let own = if self.worker.reads_socket { self.udp.first().map(|slot| (slot.socket.clone(), slot.announce)) } else { None };
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            let now = Instant::now();
            let wake = tokio::time::Instant::from_std(self.next_wake(now).max(now + MIN_TIMER_WAIT));
            if timer.deadline() != wake {
                timer.as_mut().reset(wake);
            }
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => break,
                },
                input = net.recv() => match input {
                    Some(input) => self.net(input),
                    None => break,
                },
                read = recv_own(own.as_ref(), &mut buf) => {
                    if let (Ok((n, source)), Some((_, local))) = (read, &own) {
                        self.receive(Instant::now(), Protocol::Udp, source, *local, &buf[..n]);
                    }
                }
                _ = &mut timer => self.tick(Instant::now()),
            }
            self.settle();
            // What else has arrived meanwhile, before waiting again.
            if let Some((socket, local)) = &own {
                for _ in 0..BATCH {
                    let Ok((n, source)) = socket.try_recv_from(&mut buf) else { break };
                    self.receive(Instant::now(), Protocol::Udp, source, *local, &buf[..n]);
                    self.settle();
                }
            }
            for _ in 0..BATCH {
                let Ok(input) = net.try_recv() else { break };
                self.net(input);
                self.settle();
            }
            let now = Instant::now();
            if self.next_wake(now) <= now {
                self.tick(now);
                self.settle();
            }
        }
        for peer in self.peers.values_mut() {
            peer.rtc.disconnect();
        }
    }

    /// The earliest peer timeout, and at least every [`MAX_WAIT`] for the worker's own timers.
    fn next_wake(&self, now: Instant) -> Instant {
        self.peers.values().map(|p| p.next_timeout).min().unwrap_or(now + MAX_WAIT).min(now + MAX_WAIT)
    }

    // ------------------------------------------------------------ driving str0m

    fn touch(&mut self, id: u64) {
        if !self.dirty.contains(&id) {
            self.dirty.push(id);
        }
    }

    /// Drains every changed peer, handles the events that produced (which may
    /// change other peers), until nothing is left to do.
    fn settle(&mut self) {
        loop {
            while let Some(id) = self.dirty.pop() {
                self.drain(id);
            }
            let Some((id, event)) = self.events.pop_front() else { break };
            self.event(id, event);
        }
    }

    fn drain(&mut self, id: u64) {
        let Some(peer) = self.peers.get_mut(&id) else { return };
        let mut rounds = 0;
        loop {
            match peer.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    // What is due now is handled now (str0m sends what it queued one item per timeout).
                    let now = Instant::now();
                    if at <= now && peer.rtc.last_timeout_reason() == Reason::Pacer(PacerReason::Immediate) {
                        // str0m sends no media (see `egress`), so its pacer has nothing queued:
                        // the timeout it asks for can wait for the next input.
                        peer.next_timeout = now + MIN_TIMER_WAIT;
                        break;
                    }
                    if at <= now && rounds < MAX_DUE_ROUNDS {
                        rounds += 1;
                        let _ = peer.rtc.handle_input(Input::Timeout(now));
                        continue;
                    }
                    peer.next_timeout = at;
                    break;
                }
                Ok(Output::Transmit(t)) => {
                    let path = (t.proto, t.source, t.destination);
                    if matches!(t.contents.first(), Some(128..=191)) || DTLS_FIRST_BYTE.contains(&t.contents[0]) {
                        // DTLS, RTP and RTCP go only on the pair ICE chose.
                        peer.media_path = Some(path);
                    }
                    transmit(&self.udp, &self.tcp, path, &t.contents);
                }
                Ok(Output::Event(event)) => self.events.push_back((id, event)),
                Err(e) => {
                    tracing::warn!(participant_id = peer.participant_id, "peer connection failed: {e}");
                    peer.rtc.disconnect();
                    peer.next_timeout = Instant::now();
                    break;
                }
            }
        }
        if !peer.rtc.is_alive() {
            self.remove(id, true);
        }
    }

    fn tick(&mut self, now: Instant) {
        let mut expired = Vec::new();
        for (id, peer) in &mut self.peers {
            if peer.next_timeout <= now {
                let _ = peer.rtc.handle_input(Input::Timeout(now));
                self.dirty.push(*id);
            }
            if peer.disconnected_since.is_some_and(|since| now.duration_since(since) > DISCONNECT_GRACE) {
                expired.push(*id);
            }
            if peer.pending_since.is_some_and(|since| now.duration_since(since) > OFFER_TIMEOUT) {
                tracing::info!(participant_id = peer.participant_id, "media offer unanswered; offering again");
                peer.abandon_offer();
                peer.negotiate();
                self.dirty.push(*id);
            }
        }
        for id in expired {
            tracing::info!(peer = id, "media connection lost for good; dropping the peer");
            self.remove(id, true);
        }
        for peer in self.peers.values_mut() {
            send_rtcp(peer, now, &mut self.outgoing, &self.udp, &self.tcp);
        }
        self.request_wanted_keyframes(now);
        if now >= self.next_allocation {
            let elapsed = now.duration_since(self.next_allocation - ALLOCATION_INTERVAL);
            self.next_allocation = now + ALLOCATION_INTERVAL;
            self.allocate(elapsed);
        }
    }

    fn net(&mut self, input: NetInput) {
        let (at, proto, source, destination, data) = match input {
            NetInput::Datagram { at, socket, source, data } => {
                let Some(slot) = self.udp.get(socket) else { return };
                (at, Protocol::Udp, source, slot.announce, data)
            }
            NetInput::TcpPacket { at, remote, data } => {
                let Some(local) = self.tcp_announce else { return };
                (at, Protocol::Tcp, remote, local, data)
            }
            NetInput::TcpOpened { remote, writer } => {
                self.tcp.insert(remote, writer);
                return;
            }
            NetInput::TcpClosed { remote } => {
                self.tcp.remove(&remote);
                self.routes.remove(&(Protocol::Tcp, remote));
                return;
            }
        };
        self.receive(at, proto, source, destination, &data);
    }

    /// A packet from the network, to the peer it belongs to.
    fn receive(&mut self, at: Instant, proto: Protocol, source: SocketAddr, destination: SocketAddr, data: &[u8]) {
        let routed = self.routes.get(&(proto, source)).copied();
        // RTP from an address ICE has confirmed for a peer whose media the SFU reads: str0m
        // need not be asked whose it is (only that peer's keys can authenticate it).
        if is_rtp(data)
            && let Some(id) = routed
            && self.peers.get(&id).is_some_and(|p| p.ingress.is_some())
        {
            self.read_media(id, at, (proto, destination, source), data);
            return;
        }
        // Anything that is not STUN, DTLS, RTP or RTCP is refused here.
        let Ok(receive) = Receive::new(proto, source, destination, data) else { return };
        let input = Input::Receive(at, receive);
        let cached = routed.filter(|id| self.peers.get(id).is_some_and(|p| p.rtc.accepts(&input)));
        // A client whose ICE finished first may start DTLS before str0m's own check of
        // that address is answered; str0m would not claim it yet, and the client would
        // repeat it only after a second. The address spoke STUN for this peer: give it there.
        let early_dtls = || routed.filter(|_| (DTLS_FIRST_BYTE).contains(&data[0]));
        let Some(id) = cached
            .or_else(|| self.peers.iter().find(|(_, p)| p.rtc.accepts(&input)).map(|(id, _)| *id))
            .or_else(early_dtls)
        else {
            return;
        };
        self.routes.insert((proto, source), id);
        if is_rtp(data) && self.read_media(id, at, (proto, destination, source), data) {
            return;
        }
        if let Some(peer) = self.peers.get_mut(&id) {
            // A compound packet that starts with a sender report (its first eight bytes are clear).
            if matches!(data, [128..=191, 200, ..]) && let Some(ingress) = peer.ingress.as_mut() {
                ingress.read_rtcp(data, at);
            }
            // The receiver's RTCP: what it asks to be sent again is sent at once.
            let mut due = Vec::new();
            if matches!(data, [128..=191, 192..=223, ..]) && let Some(egress) = peer.egress.as_mut() {
                if egress.read_rtcp(data, at) {
                    // The receiver's own new RTCP came from here: its media goes here, at once
                    // after a change of network rather than at str0m's next statistics.
                    peer.media_path = Some((proto, destination, source));
                }
                due = egress.due_resends(at);
            }
            if let Err(e) = peer.rtc.handle_input(input) {
                tracing::debug!(participant_id = peer.participant_id, "bad input from the network: {e}");
            }
            self.touch(id);
            for resend in due {
                self.resend(id, &resend, at);
            }
        }
    }

    /// Sends a receiver a packet again, with the payload its publisher's track keeps.
    fn resend(&mut self, id: u64, resend: &egress::Resend, now: Instant) {
        let Some(peer) = self.peers.get(&id) else { return };
        let hearing_id = peer.hearing_id;
        let Some(source) = peer.outbound.iter().find(|t| t.sent_as.is_some_and(|s| s.ssrc == resend.ssrc)).map(|t| t.source) else {
            return;
        };
        let (ssrc, seq) = resend.source;
        let payload = self
            .peers
            .values()
            .filter(|p| p.hearing_id == hearing_id && p.participant_id == source)
            .flat_map(|p| &p.inbound)
            .find_map(|t| t.payloads.as_ref()?.get(ssrc, seq, now));
        let Some(payload) = payload else { return };
        self.incoming.clear();
        self.incoming.extend_from_slice(payload);
        let Some(peer) = self.peers.get_mut(&id) else { return };
        if let (Some(egress), Some(path)) = (peer.egress.as_mut(), peer.media_path)
            && egress.seal_resend(resend, &self.incoming, now, &mut self.outgoing)
        {
            transmit(&self.udp, &self.tcp, path, &self.outgoing);
            self.resent += 1;
        }
    }

    /// A participant's RTP, read past str0m (see `ingress`) once its keys are known; false
    /// if str0m must read it.
    fn read_media(&mut self, id: u64, at: Instant, path: ingress::Path, data: &[u8]) -> bool {
        let Some(peer) = self.peers.get_mut(&id) else { return true };
        if peer.ingress.is_none() {
            let id_of = |extension: Extension| {
                peer.inbound.iter().find_map(|t| peer.rtc.media(t.mid).and_then(|m| m.remote_extmap().id_of(extension.clone())))
            };
            let (transport_seq, mid) = (id_of(Extension::TransportSequenceNumber), id_of(Extension::RtpMid));
            peer.ingress = Ingress::new(&peer.keys, transport_seq, mid, at);
        }
        let Peer { rtc, inbound, ingress: Some(ingress), media_path, .. } = peer else { return false };
        let mut plain = std::mem::take(&mut self.incoming);
        let packet = ingress.read(data, at, path, &mut plain, |ssrc, mid, pt| known(rtc, inbound, ssrc, mid, pt));
        // Authentic media, not a replay, came from here: what the participant receives goes here too.
        if ingress.path() == Some(path) {
            *media_path = Some(path);
        }
        if let Some(packet) = packet {
            self.read_directly += 1;
            self.forward(id, &packet, &plain[packet.payload.clone()], at);
        }
        self.incoming = plain;
        if let Some(peer) = self.peers.get_mut(&id) {
            send_rtcp(peer, at, &mut self.outgoing, &self.udp, &self.tcp);
        }
        true
    }

    // ------------------------------------------------------------ signalling

    fn peer_of(&self, hearing_id: i64, participant_id: i64) -> Option<u64> {
        self.peers.values().find(|p| p.hearing_id == hearing_id && p.participant_id == participant_id).map(|p| p.id)
    }

    fn admitted(&self, hearing_id: i64, participant_id: i64) -> bool {
        self.policies.get(&hearing_id).is_some_and(|p| p.open && p.members.contains(&participant_id))
    }

    fn command(&mut self, command: SfuCommand) {
        match command {
            SfuCommand::Policy(policy) => self.policy(policy),
            SfuCommand::Attach { hearing_id, participant_id, outbox } => {
                if let Some(peer) = self.peer_of(hearing_id, participant_id).and_then(|id| self.peers.get_mut(&id)) {
                    peer.outbox = outbox;
                    if let Some(sdp) = peer.pending_sdp.clone() {
                        peer.send(ServerMessage::MediaOffer { sdp });
                    }
                }
            }
            SfuCommand::Join { hearing_id, participant_id, outbox, sdp } => {
                self.join(hearing_id, participant_id, outbox, &sdp)
            }
            SfuCommand::Offer { hearing_id, participant_id, outbox, sdp } => {
                self.offer(hearing_id, participant_id, outbox, &sdp)
            }
            SfuCommand::Answer { hearing_id, participant_id, sdp } => self.answer(hearing_id, participant_id, &sdp),
            SfuCommand::Candidate { hearing_id, participant_id, candidate } => {
                let Some(id) = self.peer_of(hearing_id, participant_id) else { return };
                let line = candidate.trim().trim_start_matches("a=");
                // mDNS (.local) candidates do not parse; such clients are found as peer-reflexive.
                if let (Ok(candidate), Some(peer)) = (Candidate::from_sdp_string(line), self.peers.get_mut(&id)) {
                    peer.rtc.add_remote_candidate(candidate);
                    self.touch(id);
                }
            }
            SfuCommand::Leave { hearing_id, participant_id } => {
                if let Some(id) = self.peer_of(hearing_id, participant_id) {
                    self.remove(id, false);
                }
            }
            SfuCommand::Snapshot(reply) => {
                let _ = reply.send(self.snapshot());
            }
        }
    }

    fn join(&mut self, hearing_id: i64, participant_id: i64, outbox: mpsc::Sender<ServerMessage>, sdp: &str) {
        if !self.admitted(hearing_id, participant_id) {
            tracing::info!(hearing_id, participant_id, "media refused: not admitted to the hearing's media");
            let _ = outbox.try_send(crate::room::error_message(
                cloudtrial_protocol::ErrorCode::Conflict,
                "当前庭审状态下无法开启音视频",
            ));
            return;
        }
        if let Some(old) = self.peer_of(hearing_id, participant_id) {
            self.remove(old, false);
        }
        let offer = match SdpOffer::from_sdp_string(&sdp::publishing_as_sendonly(sdp, &[])) {
            Ok(offer) => offer,
            Err(e) => return refuse(&outbox, &format!("无法解析 SDP：{e}")),
        };
        let feedback = sdp::offered_video_feedback(sdp);
        let (mut rtc, keys) = srtp::build(config(&self.worker.dtls_cert, feedback), Instant::now());
        if !self.udp.is_empty() {
            let slot = &self.udp[self.next_udp % self.udp.len()];
            self.next_udp += 1;
            if let Ok(candidate) = Candidate::host(slot.announce, "udp") {
                rtc.add_local_candidate(candidate);
            }
        }
        if let Some(addr) = self.tcp_announce
            && let Ok(candidate) = Candidate::builder().tcp().host(addr).tcptype(TcpType::Passive).build() {
                rtc.add_local_candidate(candidate);
            }
        let answer = match rtc.sdp_api().accept_offer(offer) {
            Ok(answer) => answer,
            Err(e) => return refuse(&outbox, &format!("无法建立音视频连接：{e}")),
        };
        let id = self.next_peer;
        self.next_peer += 1;
        let mut peer = Peer::new(id, hearing_id, participant_id, rtc, keys, outbox);
        peer.feedback = feedback;
        register_ufrag(&self.worker, &mut peer);
        peer.send(ServerMessage::MediaAnswer { sdp: sdp::tidy(&answer.to_sdp_string(), Some(sdp)) });
        // Everyone already publishing in this hearing is wanted by the newcomer.
        for other in self.peers.values().filter(|p| p.hearing_id == hearing_id) {
            for track in &other.inbound {
                peer.want(other.participant_id, track.kind);
            }
        }
        peer.negotiate();
        tracing::info!(hearing_id, participant_id, peer = id, "media peer joined");
        self.peers.insert(id, peer);
        self.touch(id);
    }

    fn offer(&mut self, hearing_id: i64, participant_id: i64, outbox: mpsc::Sender<ServerMessage>, sdp: &str) {
        let Some(id) = self.peer_of(hearing_id, participant_id) else {
            // The peer is gone (e.g. the server restarted): the client must start over.
            tracing::info!(hearing_id, participant_id, "media offer for no peer; resetting");
            let _ = outbox.try_send(ServerMessage::MediaReset);
            return;
        };
        let peer = self.peers.get_mut(&id).expect("found above");
        let forwarded: Vec<String> = peer
            .outbound
            .iter()
            .filter_map(|t| match t.state {
                OutState::Negotiating(mid) | OutState::Open(mid) => Some(mid.to_string()),
                OutState::ToOpen => None,
            })
            .collect();
        let Ok(offer) = SdpOffer::from_sdp_string(&sdp::publishing_as_sendonly(sdp, &forwarded)) else {
            return refuse(&peer.outbox, "无法解析 SDP");
        };
        peer.abandon_offer();
        let answer = peer.rtc.sdp_api().accept_offer(offer);
        // An ICE restart gives the peer a new username fragment: the network routes it
        // before the client, told by the answer, can send a check naming it.
        register_ufrag(&self.worker, peer);
        match answer {
            Ok(answer) => peer.send(ServerMessage::MediaAnswer { sdp: sdp::tidy(&answer.to_sdp_string(), Some(sdp)) }),
            Err(e) => refuse(&peer.outbox, &format!("无法更新音视频连接：{e}")),
        }
        peer.negotiate();
        self.touch(id);
    }

    fn answer(&mut self, hearing_id: i64, participant_id: i64, sdp: &str) {
        let Some(id) = self.peer_of(hearing_id, participant_id) else { return };
        let peer = self.peers.get_mut(&id).expect("found above");
        let (Some(pending), Ok(answer)) = (peer.pending.take(), SdpAnswer::from_sdp_string(sdp)) else { return };
        peer.pending_sdp = None;
        peer.pending_since = None;
        if let Err(e) = peer.rtc.sdp_api().accept_answer(pending, answer) {
            tracing::warn!(participant_id, "media answer refused: {e}");
            peer.abandon_offer();
        }
        let mut opened = Vec::new();
        let pts = [MediaKind::Audio, MediaKind::Video].map(|kind| {
            let pt = peer.payload_type(kind);
            let resend = pt.and_then(|pt| peer.rtc.codec_config().params().iter().find(|p| p.pt() == pt)?.resend());
            (kind, pt, resend)
        });
        for track in &mut peer.outbound {
            if let OutState::Negotiating(mid) = track.state {
                track.state = OutState::Open(mid);
                let Some(&(kind, Some(pt), resend)) = pts.iter().find(|(kind, ..)| *kind == track.kind) else { continue };
                if let Some(stream) = peer.rtc.direct_api().stream_tx_by_mid(mid, None) {
                    let repair = stream.rtx().zip(resend).map(|(ssrc, pt)| egress::Repair { ssrc: *ssrc, pt: *pt });
                    let video = kind == MediaKind::Video;
                    track.sent_as = Some(egress::Track { ssrc: *stream.ssrc(), pt: *pt, video, repair: repair.filter(|_| video) });
                }
                if track.kind == MediaKind::Video {
                    opened.push(track.source);
                }
            }
        }
        peer.negotiate();
        self.touch(id);
        for source in opened {
            self.request_keyframe(hearing_id, source, KeyframeFor::Start);
        }
    }

    fn policy(&mut self, policy: HearingPolicy) {
        let hearing_id = policy.hearing_id;
        let before = self.policies.insert(hearing_id, policy);
        let policy = &self.policies[&hearing_id];
        let gone: Vec<u64> = self
            .peers
            .values()
            .filter(|p| p.hearing_id == hearing_id && !(policy.open && policy.members.contains(&p.participant_id)))
            .map(|p| p.id)
            .collect();
        let released: Vec<i64> = match &before {
            Some(before) => before.blocked.difference(&policy.blocked).copied().collect(),
            None => Vec::new(),
        };
        for id in gone {
            tracing::info!(hearing_id, peer = id, "media stopped by the hearing's rules");
            self.remove(id, false);
        }
        // A summoned party sees and is seen again: everything they receive and send restarts on a keyframe.
        for summoned in released {
            for peer in self.peers.values_mut().filter(|p| p.hearing_id == hearing_id) {
                for track in peer.outbound.iter_mut().filter(|t| t.kind == MediaKind::Video) {
                    if peer.participant_id == summoned || track.source == summoned {
                        track.rewrite.pause();
                    }
                }
            }
            let sources: HashSet<i64> = self
                .peers
                .values()
                .filter(|p| p.hearing_id == hearing_id && p.participant_id != summoned)
                .map(|p| p.participant_id)
                .chain([summoned])
                .collect();
            for source in sources {
                self.request_keyframe(hearing_id, source, KeyframeFor::Start);
            }
        }
        if !self.policies[&hearing_id].open && self.peers.values().all(|p| p.hearing_id != hearing_id) {
            self.policies.remove(&hearing_id);
        }
    }

    fn remove(&mut self, id: u64, tell_client: bool) {
        let Some(mut peer) = self.peers.remove(&id) else { return };
        self.worker.ufrags.unregister(&peer.ufrag);
        peer.rtc.disconnect();
        self.routes.retain(|_, p| *p != id);
        self.dirty.retain(|p| *p != id);
        if tell_client {
            peer.send(ServerMessage::MediaReset);
        }
        if peer.quality.is_some() {
            let _ = self.quality.send(QualityUpdate {
                hearing_id: peer.hearing_id,
                participant_id: peer.participant_id,
                quality: None,
            });
        }
        tracing::info!(hearing_id = peer.hearing_id, participant_id = peer.participant_id, peer = id, reset = tell_client, "media peer removed");
    }

    // ------------------------------------------------------------ events and forwarding

    fn event(&mut self, id: u64, event: Event) {
        match event {
            // The client publishes on this m-line (apps' and browsers' addTrack make it sendrecv).
            Event::MediaAdded(added) if added.direction.is_receiving() => {
                let Some(peer) = self.peers.get_mut(&id) else { return };
                peer.inbound.retain(|t| t.mid != added.mid);
                peer.inbound.push(super::peer::InTrack {
                    mid: added.mid,
                    kind: added.kind,
                    last_keyframe_request: None,
                    last_keyframe: None,
                    arrival: Default::default(),
                    keyframe_wanted: false,
                    bytes: 0,
                    rate: 0,
                    // Video is kept once for every receiver's repairs.
                    payloads: (added.kind == MediaKind::Video)
                        .then(|| super::recent::Payloads::new(egress::CACHE_AGE, egress::CACHE_PACKETS)),
                });
                let (hearing_id, source) = (peer.hearing_id, peer.participant_id);
                let others: Vec<u64> =
                    self.peers.values().filter(|p| p.hearing_id == hearing_id && p.id != id).map(|p| p.id).collect();
                for other in others {
                    let peer = self.peers.get_mut(&other).expect("listed above");
                    peer.want(source, added.kind);
                    for track in peer.outbound.iter_mut().filter(|t| t.source == source && t.kind == MediaKind::Video) {
                        track.rewrite.pause();
                    }
                    peer.negotiate();
                    self.touch(other);
                }
            }
            Event::RtpPacket(packet) => {
                let Some(peer) = self.peers.get_mut(&id) else { return };
                let Some(known) = known(&mut peer.rtc, &peer.inbound, *packet.header.ssrc, None, 0) else { return };
                let payload = 0..packet.payload.len();
                let (seq, time, marker) = (*packet.seq_no, packet.header.timestamp, packet.header.marker);
                let read = ingress::Packet { ssrc: *packet.header.ssrc, mid: known.mid, seq, time, marker, payload };
                self.forward(id, &read, &packet.payload, packet.timestamp);
            }
            Event::KeyframeRequest(request) => {
                // A receiver lost its picture: ask the publisher of that track.
                let Some(peer) = self.peers.get(&id) else { return };
                let source = peer.outbound.iter().find(|t| t.state == OutState::Open(request.mid)).map(|t| t.source);
                tracing::debug!(receiver = peer.participant_id, ?source, kind = ?request.kind, "keyframe requested by a receiver");
                if let Some(source) = source {
                    let hearing_id = peer.hearing_id;
                    self.request_keyframe(hearing_id, source, KeyframeFor::Repair);
                }
            }
            Event::IceConnectionStateChange(state) => {
                let Some(peer) = self.peers.get_mut(&id) else { return };
                tracing::debug!(participant_id = peer.participant_id, ?state, "ICE state");
                match state {
                    IceConnectionState::Disconnected => {
                        peer.disconnected_since.get_or_insert(Instant::now());
                    }
                    _ => peer.disconnected_since = None,
                }
            }
            Event::PeerStats(stats) => {
                let Some(peer) = self.peers.get_mut(&id) else { return };
                if let Some(pair) = &stats.selected_candidate_pair {
                    peer.transport = Some(format!("{:?}", pair.protocol).to_lowercase());
                    // str0m sends hardly anything itself now: after a path change, this is where
                    // the media sent past it learns the new path.
                    peer.media_path = Some((pair.protocol, pair.local.addr, pair.remote.addr));
                }
                // What the participant sends is read past str0m, which sees none of its loss.
                let ingress_loss = peer.ingress.as_ref().map_or(0.0, |i| i.loss());
                let loss = ingress_loss.max(stats.ingress_loss_fraction.unwrap_or(0.0)).max(stats.egress_loss_fraction.unwrap_or(0.0));
                let rtt = stats
                    .rtt
                    .or_else(|| peer.egress.as_ref().and_then(|e| e.rtt()))
                    .or_else(|| stats.selected_candidate_pair.as_ref().and_then(|p| p.current_round_trip_time));
                peer.rtt = rtt;
                let rtt = rtt.map_or(0, |d| d.as_millis() as u32);
                let quality = NetworkQuality::from_measurements(loss, rtt);
                if peer.quality != Some(quality) {
                    peer.quality = Some(quality);
                    let _ = self.quality.send(QualityUpdate {
                        hearing_id: peer.hearing_id,
                        participant_id: peer.participant_id,
                        quality: Some(quality),
                    });
                }
            }
            _ => {}
        }
    }

    fn may_flow(&self, hearing_id: i64, from: i64, to: i64, kind: MediaKind) -> bool {
        let Some(policy) = self.policies.get(&hearing_id) else { return false };
        policy.open
            && !policy.blocked.contains(&from)
            && !policy.blocked.contains(&to)
            && (kind != MediaKind::Audio || !policy.muted.contains(&from))
    }

    fn forward(&mut self, from: u64, packet: &ingress::Packet, payload: &[u8], arrived: Instant) {
        let Some(publisher) = self.peers.get_mut(&from) else { return };
        let (ssrc, mid) = (packet.ssrc, packet.mid);
        let Some(track) = publisher.inbound.iter_mut().find(|t| t.mid == mid) else { return };
        let kind = track.kind;
        let keyframe = kind == MediaKind::Video && starts_keyframe(payload);
        if kind == MediaKind::Video {
            let step = track.arrival.add(packet.time, packet.seq, packet.marker, keyframe);
            if step.started {
                // The keyframe asked for is coming: whoever needs one from now on may ask at once.
                track.last_keyframe_request = None;
                publisher.keyframes_received += 1;
            }
            // Only a whole keyframe repairs a receiver's picture: one that lost a packet on the
            // way in, and is not repaired, leaves a wanted repair wanted.
            if step.whole {
                track.last_keyframe = Some(Instant::now());
                track.keyframe_wanted = false;
            }
        }
        track.bytes += payload.len() as u64;
        if let Some(payloads) = track.payloads.as_mut() {
            payloads.keep(ssrc, packet.seq, arrived, payload);
        }
        // A picture ends on the marker bit; an audio packet is a frame of its own.
        let frame_end = kind == MediaKind::Audio || packet.marker;
        if frame_end {
            publisher.frames_received += 1;
        }
        let (hearing_id, source) = (publisher.hearing_id, publisher.participant_id);
        if kind == MediaKind::Audio
            && let Some(speech) = &self.speech
            && self.policies.get(&hearing_id).is_some_and(|p| p.recognizing && !p.blocked.contains(&source) && !p.muted.contains(&source))
        {
            speech(hearing_id, source, payload);
        }
        let receivers: Vec<u64> = self
            .peers
            .values()
            .filter(|p| p.hearing_id == hearing_id && p.id != from)
            .map(|p| p.id)
            .collect();
        if keyframe {
            tracing::debug!(publisher = source, "keyframe forwarded");
        }
        let (clock_rate, now) = (if kind == MediaKind::Video { 90_000 } else { 48_000 }, Instant::now());
        let mut starved = false;
        let mut ready = Vec::new();
        for id in receivers {
            let flows = self.may_flow(hearing_id, source, self.peers[&id].participant_id, kind);
            let peer = self.peers.get_mut(&id).expect("listed above");
            if peer.egress.is_none() {
                peer.egress = new_egress(&mut peer.rtc, &peer.outbound, &peer.keys, now);
                if peer.egress.is_some() {
                    // Keyframes that came before the receiver could be sent anything are lost
                    // to it: each picture it receives starts with a new one.
                    ready.extend(peer.outbound.iter().filter(|t| t.kind == MediaKind::Video).map(|t| t.source));
                }
            }
            let Some(track) = peer.outbound.iter_mut().find(|t| t.source == source && t.kind == kind) else { continue };
            let (OutState::Open(_), Some(sent_as)) = (track.state, track.sent_as) else { continue };
            if !flows {
                track.rewrite.pause();
                continue;
            }
            // Nothing goes before the receiver's keys and path are known (its DTLS is done).
            if peer.egress.is_none() || peer.media_path.is_none() {
                continue;
            }
            if !track.rewrite.follows(ssrc) {
                // Video starts (again) only at a keyframe.
                if kind == MediaKind::Video && !keyframe {
                    starved = true;
                    continue;
                }
                track.rewrite.restart(ssrc, packet.seq, packet.time, clock_rate, now);
            }
            let Some((seq, time)) = track.rewrite.map(packet.seq, packet.time, now) else { continue };
            let (Some(egress), Some(path)) = (peer.egress.as_mut(), peer.media_path) else { continue };
            match egress.send(&sent_as, (ssrc, packet.seq), seq, time, packet.marker, payload, arrived, now, &mut self.outgoing) {
                Ok(()) => {
                    transmit(&self.udp, &self.tcp, path, &self.outgoing);
                    self.sent_directly += 1;
                }
                Err(e) => {
                    tracing::debug!(participant_id = peer.participant_id, "media not encrypted: {e}");
                    continue;
                }
            }
            if frame_end {
                peer.frames_sent += 1;
                if kind == MediaKind::Video {
                    *peer.video_from.entry(source).or_default() += 1;
                }
                self.frames_forwarded += 1;
            }
        }
        if starved {
            self.request_keyframe(hearing_id, source, KeyframeFor::Start);
        }
        for source in ready {
            self.request_keyframe(hearing_id, source, KeyframeFor::Start);
        }
    }

    /// Asks every publisher (by REMB) for no more video than its receivers' paths can take.
    fn allocate(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64().max(0.001);
        let mut video_rate: HashMap<(i64, i64), u64> = HashMap::new();
        for peer in self.peers.values_mut() {
            for track in &mut peer.inbound {
                track.rate = (track.bytes as f64 * 8.0 / seconds) as u64;
                track.bytes = 0;
                if track.kind == MediaKind::Video {
                    video_rate.insert((peer.hearing_id, peer.participant_id), track.rate);
                }
            }
        }
        let hearings: HashSet<i64> = self.peers.values().map(|p| p.hearing_id).collect();
        for hearing_id in hearings {
            let receivers: Vec<bitrate::Receiver> = self
                .peers
                .values()
                .filter(|p| p.hearing_id == hearing_id)
                .map(|p| {
                    let flowing = p.outbound.iter().filter(|t| {
                        matches!(t.state, OutState::Open(_)) && self.may_flow(hearing_id, t.source, p.participant_id, t.kind)
                    });
                    let (audio, video): (Vec<_>, Vec<_>) = flowing.partition(|t| t.kind == MediaKind::Audio);
                    bitrate::Receiver {
                        estimate: p.downlink(),
                        audio_streams: audio.len(),
                        video: video
                            .iter()
                            .filter_map(|t| video_rate.get(&(hearing_id, t.source)).map(|rate| (t.source, *rate)))
                            .collect(),
                    }
                })
                .collect();
            let publishers = video_rate.keys().filter(|(h, _)| *h == hearing_id).map(|(_, p)| *p);
            let targets = bitrate::video_targets(&receivers, publishers.collect::<Vec<_>>());
            for peer in self.peers.values_mut().filter(|p| p.hearing_id == hearing_id && p.feedback.remb) {
                let Some(target) = targets.get(&peer.participant_id) else { continue };
                for track in peer.inbound.iter().filter(|t| t.kind == MediaKind::Video) {
                    if let Some(stream) = peer.rtc.direct_api().stream_rx_by_mid(track.mid, None) {
                        stream.request_remb(Bitrate::bps(*target));
                    }
                }
                self.dirty.push(peer.id);
            }
        }
    }

    fn request_keyframe(&mut self, hearing_id: i64, source: i64, reason: KeyframeFor) {
        let Some(id) = self.peer_of(hearing_id, source) else { return };
        let peer = self.peers.get_mut(&id).expect("found above");
        let now = Instant::now();
        // PLI where the publisher offered it, FIR otherwise.
        let kind = if peer.feedback.pli || !peer.feedback.fir { KeyframeRequestKind::Pli } else { KeyframeRequestKind::Fir };
        for track in peer.inbound.iter_mut().filter(|t| t.kind == MediaKind::Video) {
            if reason == KeyframeFor::Repair && track.last_keyframe.is_some_and(|at| now.duration_since(at) < KEYFRAME_REPAIR_GAP) {
                track.keyframe_wanted = true;
                continue;
            }
            if track.last_keyframe_request.is_some_and(|at| now.duration_since(at) < KEYFRAME_REQUEST_INTERVAL) {
                continue;
            }
            let mut api = peer.rtc.direct_api();
            let Some(stream) = api.stream_rx_by_mid(track.mid, None) else { continue };
            stream.request_keyframe(kind);
            track.last_keyframe_request = Some(now);
            track.keyframe_wanted = false;
            peer.keyframe_requests += 1;
            tracing::debug!(publisher = peer.participant_id, ?reason, "keyframe requested from the publisher");
        }
        self.touch(id);
    }

    /// Keyframes wanted for a repair, once the gap after the last keyframe has passed.
    fn request_wanted_keyframes(&mut self, now: Instant) {
        let due: Vec<(i64, i64)> = self
            .peers
            .values()
            .filter(|p| {
                p.inbound.iter().any(|t| {
                    t.keyframe_wanted && t.last_keyframe.is_none_or(|at| now.duration_since(at) >= KEYFRAME_REPAIR_GAP)
                })
            })
            .map(|p| (p.hearing_id, p.participant_id))
            .collect();
        for (hearing_id, source) in due {
            self.request_keyframe(hearing_id, source, KeyframeFor::Repair);
        }
    }

    fn snapshot(&self) -> SfuSnapshot {
        let mut peers: Vec<PeerSnapshot> = self
            .peers
            .values()
            .map(|p| PeerSnapshot {
                peer_id: p.id,
                transport: p.transport.clone(),
                video_from: p.video_from.clone(),
                hearing_id: p.hearing_id,
                participant_id: p.participant_id,
                connected: p.rtc.is_connected(),
                worker: self.worker.index,
                publishing: p.inbound.len(),
                receiving: p.outbound.iter().filter(|t| matches!(t.state, OutState::Open(_))).count(),
                frames_received: p.frames_received,
                frames_sent: p.frames_sent,
                keyframe_requests: p.keyframe_requests,
                keyframes_received: p.keyframes_received,
                downlink: p.downlink(),
                video_in: p.inbound.iter().filter(|t| t.kind == MediaKind::Video).map(|t| t.rate).sum(),
            })
            .collect();
        peers.sort_by_key(|p| (p.hearing_id, p.participant_id));
        SfuSnapshot { peers, frames_forwarded: self.frames_forwarded }
    }
}

/// The sender of a participant's media, once its keys are known; transport-wide sequence
/// numbers go on every packet if the participant takes them on any track it receives.
fn new_egress(rtc: &mut str0m::Rtc, outbound: &[OutTrack], keys: &srtp::KeySlot, now: Instant) -> Option<Egress> {
    let transport_seq = outbound.iter().find_map(|track| {
        let (OutState::Open(mid) | OutState::Negotiating(mid)) = track.state else { return None };
        rtc.media(mid)?.remote_extmap().id_of(Extension::TransportSequenceNumber)
    });
    Egress::new(keys, transport_seq, INITIAL_DOWNLINK, now)
}

/// The RTCP due to a participant: feedback on what it publishes, sender reports of what it receives.
fn send_rtcp(
    peer: &mut Peer,
    now: Instant,
    out: &mut Vec<u8>,
    udp: &[UdpSlot],
    tcp: &HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
) {
    if let Some(ingress) = peer.ingress.as_mut()
        && let Some(path) = ingress.feedback(now, peer.rtt, out)
    {
        transmit(udp, tcp, path, out);
    }
    if let (Some(egress), Some(path)) = (peer.egress.as_mut(), peer.media_path)
        && egress.report(now, out)
    {
        transmit(udp, tcp, path, out);
    }
}

/// A datagram from the worker's own socket; never, for a worker without one.
async fn recv_own(own: Option<&(Arc<UdpSocket>, SocketAddr)>, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr)> {
    match own {
        Some((socket, _)) => socket.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

/// Sends a datagram on a path: our address, the remote one, by UDP or ICE-TCP.
fn transmit(
    udp: &[UdpSlot],
    tcp: &HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
    (proto, source, destination): (Protocol, SocketAddr, SocketAddr),
    contents: &[u8],
) {
    match proto {
        Protocol::Udp => {
            if let Some(slot) = udp.iter().find(|s| s.announce == source) {
                let _ = slot.socket.try_send_to(contents, destination);
            }
        }
        _ => {
            if let Some(writer) = tcp.get(&destination) {
                let _ = writer.try_send(contents.to_vec());
            }
        }
    }
}

/// What an SSRC a participant sends on is: what str0m knows of it from the SDP, or else
/// (RFC 8843) the track of the MID its packet carries, a repair if its payload type is
/// one of the repair (RTX) types.
fn known(rtc: &mut str0m::Rtc, inbound: &[InTrack], ssrc: u32, mid: Option<str0m::media::Mid>, pt: u8) -> Option<Known> {
    let kind = |mid| inbound.iter().find(|t| t.mid == mid).map(|t| t.kind);
    let mut api = rtc.direct_api();
    if let Some(stream) = api.stream_rx(&ssrc.into()) {
        let mid = stream.mid();
        return Some(Known { mid, kind: kind(mid)?, repair: false, repairs: None });
    }
    let repaired = inbound.iter().find_map(|track| {
        let stream = api.stream_rx_by_mid(track.mid, None)?;
        let repairs = Some(*stream.ssrc());
        (stream.rtx() == Some(ssrc.into())).then_some(Known { mid: track.mid, kind: track.kind, repair: true, repairs })
    });
    if repaired.is_some() {
        return repaired;
    }
    let mid = mid?;
    let repair = rtc.codec_config().params().iter().any(|p| p.resend() == Some(pt.into()));
    Some(Known { mid, kind: kind(mid)?, repair, repairs: None })
}

/// RFC 7983's and RFC 5761's demultiplexing: RTP and RTCP start in 128..=191 (version 2),
/// and RTCP's packet types put the second byte in 192..=223, where RTP's never is.
fn is_rtp(packet: &[u8]) -> bool {
    matches!(packet, [128..=191, second, ..] if !(192..=223).contains(second))
}

/// Makes the network route the peer's packets to this worker (again, after an ICE restart).
fn register_ufrag(worker: &Worker, peer: &mut Peer) {
    let ufrag = peer.rtc.direct_api().local_ice_credentials().ufrag;
    if ufrag != peer.ufrag {
        worker.ufrags.unregister(&peer.ufrag);
        worker.ufrags.register(&ufrag, worker.index);
        peer.ufrag = ufrag;
    }
}

fn refuse(outbox: &mpsc::Sender<ServerMessage>, message: &str) {
    let _ = outbox.try_send(crate::room::error_message(cloudtrial_protocol::ErrorCode::InvalidRequest, message));
}

#[cfg(test)]
mod tests {
    //! What the SFU says in SDP to a browser (Chromium's offer) and to the
    //! core (webrtc-rs's offer), checked line by line.

    use str0m::Rtc;
    use str0m::rtp::RtpWrite;

    use super::*;

    const CHROMIUM_OFFER: &str = include_str!("testdata/chromium-offer.sdp");
    const CORE_OFFER: &str = include_str!("testdata/core-offer.sdp");
    const HEARING: i64 = 1;

    async fn sfu() -> Sfu {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let announce = socket.local_addr().unwrap();
        let (quality, _) = mpsc::unbounded_channel();
        let worker = Worker {
            index: 0,
            reads_socket: false,
            ufrags: Ufrags::default(),
            dtls_cert: str0m::crypto::from_feature_flags().dtls_provider.generate_certificate().unwrap(),
        };
        let udp = Arc::new(vec![UdpSlot { socket, announce }]);
        let mut sfu = Sfu::new(worker, udp, Some("127.0.0.1:9".parse().unwrap()), quality, None);
        sfu.command(SfuCommand::Policy(HearingPolicy {
            hearing_id: HEARING,
            open: true,
            members: [1, 2].into(),
            ..Default::default()
        }));
        sfu
    }

    /// Joins `participant` with `offer`; returns its answer and the room socket's receiver.
    fn join(sfu: &mut Sfu, participant: i64, offer: &str) -> (String, mpsc::Receiver<ServerMessage>) {
        let (outbox, mut inbox) = mpsc::channel(16);
        sfu.command(SfuCommand::Join { hearing_id: HEARING, participant_id: participant, outbox, sdp: offer.to_owned() });
        sfu.settle();
        match inbox.try_recv() {
            Ok(ServerMessage::MediaAnswer { sdp }) => (sdp, inbox),
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    /// The m-sections of an SDP: (the m= line's kind, its attribute lines).
    fn sections(sdp: &str) -> Vec<(String, Vec<String>)> {
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        for line in sdp.lines() {
            if let Some(m) = line.strip_prefix("m=") {
                sections.push((m.split(' ').next().unwrap().to_owned(), Vec::new()));
            } else if let Some((_, attrs)) = sections.last_mut() {
                attrs.push(line.to_owned());
            }
        }
        sections
    }

    fn direction(attrs: &[String]) -> &str {
        attrs.iter().find_map(|a| ["a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"].into_iter().find(|d| a == d)).unwrap_or("none")
    }

    fn mid(attrs: &[String]) -> &str {
        attrs.iter().find_map(|a| a.strip_prefix("a=mid:")).unwrap_or("?")
    }

    /// The rtcp-fb values of a section (without payload types).
    fn feedback(attrs: &[String]) -> std::collections::BTreeSet<String> {
        attrs.iter().filter_map(|a| a.strip_prefix("a=rtcp-fb:")).filter_map(|v| v.split_once(' ')).map(|(_, v)| v.to_owned()).collect()
    }

    fn assert_publishing_answered_recvonly(offer: &str, answer: &str) {
        println!("{answer}");
        let offered = sections(offer);
        let answered = sections(answer);
        assert_eq!(answered.len(), offered.len(), "one m-line answered for each offered");
        for ((kind, offer_attrs), (_, attrs)) in offered.iter().zip(&answered) {
            assert_eq!(direction(offer_attrs), "a=sendrecv");
            assert_eq!(direction(attrs), "a=recvonly", "the {kind} m-line the client publishes on is one the SFU only receives on");
            assert!(
                !attrs.iter().any(|a| a.starts_with("a=ssrc") || a.starts_with("a=msid")),
                "no SSRC or msid on an m-line the SFU does not send on (it would be a phantom track with the client's own ids): {attrs:#?}"
            );
            let not_offered: Vec<_> = feedback(attrs).difference(&feedback(offer_attrs)).cloned().collect();
            assert!(not_offered.is_empty(), "rtcp-fb {not_offered:?} answered on {kind} but not offered");
        }
    }

    /// RFC 8839: `candidate:foundation component transport priority address port typ type`,
    /// then raddr/rport and tcptype (RFC 6544) only; gathering complete, so end-of-candidates.
    fn assert_ice_signalling_consistent(sdp: &str) {
        let candidates: Vec<&str> = sdp.lines().filter(|l| l.starts_with("a=candidate:")).collect();
        assert!(!candidates.is_empty(), "the SFU's candidates are in the SDP");
        for candidate in &candidates {
            let fields: Vec<&str> = candidate.split(' ').collect();
            assert_eq!(fields[6], "typ", "{candidate}");
            let mut rest = fields[8..].chunks(2);
            for pair in rest.by_ref() {
                assert!(
                    matches!(pair[0], "raddr" | "rport" | "tcptype") && pair.len() == 2,
                    "only standard candidate attributes: {candidate}"
                );
            }
        }
        let with_candidates = sections(sdp).into_iter().filter(|(_, attrs)| attrs.iter().any(|a| a.starts_with("a=candidate:")));
        for (kind, attrs) in with_candidates {
            let end = attrs.iter().position(|a| a == "a=end-of-candidates");
            let last_candidate = attrs.iter().rposition(|a| a.starts_with("a=candidate:"));
            assert!(end > last_candidate, "all of the SFU's candidates are given at once, so the {kind} m-line ends them: {attrs:#?}");
        }
    }

    #[tokio::test]
    async fn a_browser_publishing_audio_and_video_is_answered_recvonly_with_only_what_it_offered() {
        let mut sfu = sfu().await;
        let (answer, _) = join(&mut sfu, 1, CHROMIUM_OFFER);
        assert_publishing_answered_recvonly(CHROMIUM_OFFER, &answer);
        assert_ice_signalling_consistent(&answer);
    }

    #[tokio::test]
    async fn the_core_publishing_audio_and_video_is_answered_recvonly_with_only_what_it_offered() {
        let mut sfu = sfu().await;
        let (answer, _) = join(&mut sfu, 1, CORE_OFFER);
        assert_publishing_answered_recvonly(CORE_OFFER, &answer);
        assert_ice_signalling_consistent(&answer);
        assert!(!answer.contains("ccm fir"), "the core offers no FIR");
    }

    #[tokio::test]
    async fn the_sfu_offers_another_participants_tracks_sendonly_with_that_participants_ids() {
        let mut sfu = sfu().await;
        let (_, mut first) = join(&mut sfu, 1, CORE_OFFER);
        let _second = join(&mut sfu, 2, CHROMIUM_OFFER);
        // str0m reports the second participant's m-lines once its connection is up; here, at once.
        let id = sfu.peer_of(HEARING, 2).unwrap();
        for (kind, mid) in [(MediaKind::Audio, "0"), (MediaKind::Video, "1")] {
            let added = str0m::media::MediaAdded {
                mid: mid.into(),
                kind,
                direction: str0m::media::Direction::RecvOnly,
                simulcast: None,
            };
            sfu.events.push_back((id, Event::MediaAdded(added)));
        }
        sfu.settle();
        let offer = loop {
            match first.try_recv() {
                Ok(ServerMessage::MediaOffer { sdp }) => break sdp,
                Ok(_) => continue,
                Err(e) => panic!("expected an offer: {e}"),
            }
        };
        println!("{offer}");
        let sections = sections(&offer);
        assert!(sections.len() >= 3, "the first participant's two m-lines and at least one of the second's");
        for (kind, attrs) in &sections[..2] {
            assert_eq!(direction(attrs), "a=recvonly", "{kind}: still only received by the SFU");
            assert!(!attrs.iter().any(|a| a.starts_with("a=ssrc") || a.starts_with("a=msid")), "{attrs:#?}");
        }
        for (kind, attrs) in &sections[2..] {
            assert_eq!(direction(attrs), "a=sendonly", "{kind} of the second participant");
            assert!(attrs.iter().any(|a| a.starts_with("a=msid:p2 ")), "carries the second participant's stream id: {attrs:#?}");
            assert!(attrs.iter().any(|a| a.starts_with("a=ssrc:")), "{attrs:#?}");
            assert_ne!(mid(attrs), "?");
        }
        assert!(!offer.contains("ccm fir"), "the first participant (the core) offered no FIR, so none is offered to it");
        assert_ice_signalling_consistent(&offer);
    }

    #[test]
    fn rtp_is_told_from_rtcp_stun_and_dtls() {
        assert!(is_rtp(&[0x80, 108, 0, 1]), "H.264");
        assert!(is_rtp(&[0x80, 108 | 0x80, 0, 1]), "H.264 ending a picture (marker bit)");
        assert!(!is_rtp(&[0x80, 200, 0, 6]), "a sender report");
        assert!(!is_rtp(&[0x8f, 205, 0, 4]), "transport-wide feedback");
        assert!(!is_rtp(&[0x00, 0x01, 0, 0]), "a STUN binding request");
        assert!(!is_rtp(&[22, 0xfe, 0xfd]), "a DTLS handshake");
        assert!(!is_rtp(&[0x80]));
    }

    /// A str0m client on a socket of its own, driven by the test: it publishes
    /// audio and video and counts the video it receives.
    struct Client {
        rtc: Rtc,
        socket: std::net::UdpSocket,
        local: SocketAddr,
        inbox: mpsc::Receiver<ServerMessage>,
        participant: i64,
        video: (str0m::media::Mid, str0m::media::Pt),
        audio: (str0m::media::Mid, str0m::media::Pt),
        seq: u64,
        audio_seq: u64,
        video_received: usize,
        /// The payloads of the audio it receives, in order of arrival.
        audio_received: Vec<Vec<u8>>,
        /// The SSRC the video it receives arrives on.
        video_ssrc: Option<str0m::rtp::Ssrc>,
        keyframe_requests: usize,
        /// The SFU's transport-wide feedback packets it has read (with raw packets enabled).
        feedback: usize,
        /// RTP datagrams still to be lost on the way to the SFU.
        lose: usize,
        /// Video datagrams still to be lost on the way from the SFU.
        lose_incoming_video: usize,
        /// The sender reports it read: (SSRC, packets sent).
        sender_reports: Vec<(str0m::rtp::Ssrc, u32)>,
        /// Whether its SDP names its SSRCs.
        announce: bool,
        /// The reception report blocks the SFU sent about its streams (with raw packets enabled).
        reports: Vec<str0m::rtp::rtcp::ReceptionReport>,
    }

    impl Client {
        fn join(sfu: &mut Sfu, participant: i64) -> Client {
            Self::join_with(sfu, participant, |config| config)
        }

        fn join_with(sfu: &mut Sfu, participant: i64, configure: impl FnOnce(RtcConfig) -> RtcConfig) -> Client {
            Self::join_as(sfu, participant, configure, true)
        }

        /// `announce`: whether its offers and answers name the SSRCs it sends on. RFC 8843
        /// lets a client leave them out: the MID header extension tells its streams apart.
        fn join_as(sfu: &mut Sfu, participant: i64, configure: impl FnOnce(RtcConfig) -> RtcConfig, announce: bool) -> Client {
            let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            socket.set_nonblocking(true).unwrap();
            let local = socket.local_addr().unwrap();
            // With raw packets: the RTCP it reads is looked at.
            let base = RtcConfig::new().clear_codecs().enable_opus(true, false).set_rtp_mode(true).enable_raw_packets(true);
            let mut config = configure(base);
            // With repairs (RTX), as browsers and the apps send video.
            config.codec_config().add_h264(108.into(), Some(109.into()), true, 0x42e01f);
            let mut rtc = config.build(Instant::now());
            rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
            let mut changes = rtc.sdp_api();
            let audio = changes.add_media(MediaKind::Audio, str0m::media::Direction::SendOnly, None, None, None);
            let video = changes.add_media(MediaKind::Video, str0m::media::Direction::SendOnly, None, None, None);
            let (offer, pending) = changes.apply().unwrap();
            let (answer, inbox) = join(sfu, participant, &unannounced(offer.to_sdp_string(), announce));
            rtc.sdp_api().accept_answer(pending, SdpAnswer::from_sdp_string(&answer).unwrap()).unwrap();
            let pt_of = |rtc: &Rtc, codec| rtc.codec_config().find(|p| p.spec().codec == codec).unwrap().pt();
            let (pt, audio_pt) = (pt_of(&rtc, str0m::format::Codec::H264), pt_of(&rtc, str0m::format::Codec::Opus));
            Client {
                rtc,
                socket,
                local,
                inbox,
                participant,
                video: (video, pt),
                audio: (audio, audio_pt),
                seq: 0,
                audio_seq: 0,
                video_received: 0,
                audio_received: Vec::new(),
                video_ssrc: None,
                keyframe_requests: 0,
                feedback: 0,
                lose: 0,
                lose_incoming_video: 0,
                sender_reports: Vec::new(),
                announce,
                reports: Vec::new(),
            }
        }

        /// One H.264 packet per payload, the last one ending the picture.
        fn send_picture(&mut self, payloads: Vec<Vec<u8>>) {
            let count = payloads.len();
            for (i, payload) in payloads.into_iter().enumerate() {
                self.write_video(self.seq, (self.seq / 10) as u32 * 6_000, payload, i + 1 == count);
                self.seq += 1;
            }
        }

        /// A keyframe of three packets whose middle one is lost on the way: its sequence number is skipped.
        fn send_keyframe_losing_its_middle(&mut self) {
            let time = (self.seq / 10 + 1) as u32 * 6_000;
            self.write_video(self.seq, time, KEYFRAME.to_vec(), false);
            self.write_video(self.seq + 2, time, vec![0x41; 200], true);
            self.seq += 10 - self.seq % 10;
        }

        fn write_video(&mut self, seq: u64, time: u32, payload: Vec<u8>, marker: bool) {
            let (mid, pt) = self.video;
            let mut api = self.rtc.direct_api();
            let stream = api.stream_tx_by_mid(mid, None).expect("the video stream");
            stream.write_rtp(RtpWrite::new(pt, seq.into(), time, Instant::now(), payload).marker(marker).nackable(true));
        }

        /// One Opus frame (20 ms).
        fn send_audio(&mut self, payload: Vec<u8>) {
            let (mid, pt) = self.audio;
            let mut api = self.rtc.direct_api();
            let stream = api.stream_tx_by_mid(mid, None).expect("the audio stream");
            let time = self.audio_seq as u32 * 960;
            stream.write_rtp(RtpWrite::new(pt, self.audio_seq.into(), time, Instant::now(), payload));
            self.audio_seq += 1;
        }

        /// Everything the client has to do now: its timers, its output, what reached its socket.
        fn step(&mut self, sfu: &mut Sfu) {
            self.drain();
            let mut buf = vec![0u8; MAX_PACKET];
            while let Ok((n, source)) = self.socket.recv_from(&mut buf) {
                if self.lose_incoming_video > 0 && is_rtp(&buf[..n]) && buf[1] & 0x7f == *self.video.1 {
                    self.lose_incoming_video -= 1;
                    continue;
                }
                let receive = Receive::new(Protocol::Udp, source, self.local, &buf[..n]).unwrap();
                self.rtc.handle_input(Input::Receive(Instant::now(), receive)).unwrap();
                self.drain();
            }
            while let Ok(message) = self.inbox.try_recv() {
                if let ServerMessage::MediaOffer { sdp } = message {
                    let answer = self.rtc.sdp_api().accept_offer(SdpOffer::from_sdp_string(&sdp).unwrap()).unwrap();
                    let sdp = unannounced(answer.to_sdp_string(), self.announce);
                    sfu.command(SfuCommand::Answer { hearing_id: HEARING, participant_id: self.participant, sdp });
                    sfu.settle();
                }
            }
        }

        /// str0m's output after each input, as its contract asks.
        fn drain(&mut self) {
            loop {
                match self.rtc.poll_output().unwrap() {
                    Output::Transmit(t) if self.lose > 0 && is_rtp(&t.contents) => self.lose -= 1,
                    Output::Transmit(t) => {
                        self.socket.send_to(&t.contents, t.destination).unwrap();
                    }
                    Output::Event(Event::RtpPacket(packet)) => {
                        let mid = self.rtc.direct_api().stream_rx(&packet.header.ssrc).unwrap().mid();
                        if self.rtc.media(mid).is_some_and(|m| m.kind() == MediaKind::Video) {
                            self.video_received += 1;
                            self.video_ssrc = Some(packet.header.ssrc);
                        } else {
                            self.audio_received.push(packet.payload.to_vec());
                        }
                    }
                    Output::Event(Event::KeyframeRequest(_)) => self.keyframe_requests += 1,
                    Output::Event(Event::RawPacket(raw)) => match *raw {
                        str0m::rtp::RawPacket::RtcpRx(str0m::rtp::rtcp::Rtcp::Twcc(_)) => self.feedback += 1,
                        str0m::rtp::RawPacket::RtcpRx(str0m::rtp::rtcp::Rtcp::ReceiverReport(rr)) => {
                            self.reports.extend(rr.reports.iter().copied());
                        }
                        str0m::rtp::RawPacket::RtcpRx(str0m::rtp::rtcp::Rtcp::SenderReport(sr)) => {
                            let info = sr.sender_info;
                            self.sender_reports.push((info.ssrc, info.sender_packet_count));
                        }
                        _ => {}
                    },
                    Output::Event(_) => {}
                    Output::Timeout(at) if at <= Instant::now() => self.rtc.handle_input(Input::Timeout(Instant::now())).unwrap(),
                    Output::Timeout(_) => break,
                }
            }
        }
    }

    /// The SDP without its `a=ssrc` and `a=ssrc-group` lines, unless they are to be announced.
    fn unannounced(sdp: String, announce: bool) -> String {
        if announce {
            return sdp;
        }
        sdp.split_inclusive("\r\n").filter(|line| !line.starts_with("a=ssrc")).collect()
    }

    /// Everything that reached the SFU's socket, and its timers with `timers`; how many
    /// datagrams of at least `size` bytes were among them.
    fn step(sfu: &mut Sfu, timers: bool, size: usize) -> usize {
        let (socket, local) = (sfu.udp[0].socket.clone(), sfu.udp[0].announce);
        let mut buf = vec![0u8; MAX_PACKET];
        let mut large = 0;
        while let Ok((n, source)) = socket.try_recv_from(&mut buf) {
            large += usize::from(n >= size);
            sfu.receive(Instant::now(), Protocol::Udp, source, local, &buf[..n]);
            sfu.settle();
        }
        let now = Instant::now();
        if timers && sfu.next_wake(now) <= now {
            sfu.tick(now);
            sfu.settle();
        }
        large
    }

    /// A publisher and a receiver, connected, the receiver's stream of the publisher's video started.
    async fn watching() -> (Sfu, Client, Client) {
        watching_as(true).await
    }

    /// The same, the publisher's SDP naming its SSRCs or not (see [`Client::join_as`]).
    async fn watching_as(announce: bool) -> (Sfu, Client, Client) {
        let mut sfu = sfu().await;
        let mut publisher = Client::join_as(&mut sfu, 1, |config| config, announce);
        let mut receiver = Client::join(&mut sfu, 2);
        let deadline = Instant::now() + Duration::from_secs(10);
        while receiver.video_received == 0 {
            assert!(Instant::now() < deadline, "the receiver never got the publisher's keyframe");
            if publisher.rtc.is_connected() {
                publisher.send_picture(vec![KEYFRAME.to_vec()]);
            }
            for _ in 0..10 {
                publisher.step(&mut sfu);
                receiver.step(&mut sfu);
                step(&mut sfu, true, 0);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        (sfu, publisher, receiver)
    }

    /// An IDR slice, as far as the SFU looks.
    const KEYFRAME: [u8; 200] = [0x65; 200];

    #[tokio::test]
    async fn a_receiver_that_keeps_losing_its_picture_gets_a_keyframe_at_most_every_repair_gap() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let ssrc = receiver.video_ssrc.expect("video received");
        let asked_before = publisher.keyframe_requests;
        // The receiver asks again and again; the publisher answers each request with a keyframe.
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(1_200) {
            receiver.rtc.direct_api().stream_rx(&ssrc).expect("the video stream").request_keyframe(KeyframeRequestKind::Pli);
            let answered = publisher.keyframe_requests;
            for _ in 0..10 {
                receiver.step(&mut sfu);
                step(&mut sfu, true, 0);
                publisher.step(&mut sfu);
                if publisher.keyframe_requests > answered {
                    publisher.send_picture(vec![KEYFRAME.to_vec()]);
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }
        let asked = publisher.keyframe_requests - asked_before;
        let allowed = (start.elapsed().as_secs_f64() / KEYFRAME_REPAIR_GAP.as_secs_f64()).floor() as usize + 1;
        assert!(asked >= 2, "repairs are still asked for: {asked}");
        assert!(asked <= allowed, "{asked} keyframe requests reached the publisher in {:?}; at most {allowed}", start.elapsed());
    }

    #[tokio::test]
    async fn a_keyframe_that_lost_a_packet_on_the_way_in_leaves_a_receivers_repair_wanted() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let ssrc = receiver.video_ssrc.expect("video received");
        let asked_before = publisher.keyframe_requests;
        // The receiver loses its picture just after the keyframe it started on: too soon to
        // ask the publisher again, so the SFU keeps the repair wanted.
        receiver.rtc.direct_api().stream_rx(&ssrc).expect("the video stream").request_keyframe(KeyframeRequestKind::Pli);
        let source = publisher.participant;
        let wanted = |sfu: &Sfu| sfu.peers.values().filter(|p| p.participant_id == source).flat_map(|p| &p.inbound).any(|t| t.keyframe_wanted);
        let deadline = Instant::now() + Duration::from_secs(2);
        while !wanted(&sfu) {
            assert!(Instant::now() < deadline, "the receiver's request was not held back as a wanted repair");
            receiver.step(&mut sfu);
            step(&mut sfu, true, 0);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // The publisher's next keyframe loses its middle packet on the way in, for good.
        publisher.send_keyframe_losing_its_middle();
        // Nobody asks again; the publisher sends nothing more. Once the repair gap has
        // passed since the last whole keyframe, the SFU asks the publisher itself.
        let deadline = Instant::now() + KEYFRAME_REPAIR_GAP * 3;
        while publisher.keyframe_requests == asked_before {
            assert!(Instant::now() < deadline, "the broken keyframe was taken as the repair: the publisher was never asked");
            publisher.step(&mut sfu);
            step(&mut sfu, true, 0);
            receiver.step(&mut sfu);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn a_burst_of_video_is_forwarded_as_it_arrives_not_one_packet_per_timer() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        // A large picture at once, as a camera's keyframe or a burst after a stall comes. The
        // SFU's timers do not run and the receiver says nothing meanwhile: what the SFU sends,
        // it sends as the packets arrive.
        let before = receiver.video_received;
        publisher.send_picture((0..60).map(|_| vec![0x41; 1000]).collect());
        publisher.step(&mut sfu);
        let mut arrived = 0;
        while arrived < 60 {
            assert!(Instant::now() < deadline, "the picture never reached the SFU");
            arrived += step(&mut sfu, false, 1000);
            tokio::task::yield_now().await;
        }
        receiver.step(&mut sfu);
        assert_eq!(receiver.video_received - before, 60, "every packet of the picture reached the receiver");
    }

    #[tokio::test]
    async fn a_video_packet_lost_on_the_way_in_is_asked_for_again_and_its_repair_forwarded() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let read_before = sfu.read_directly;
        send_picture_losing_its_middle_on_the_way_in(&mut sfu, &mut publisher, &mut receiver).await;
        assert!(sfu.read_directly - read_before >= 3, "the publisher's packets, the repair too, were read past str0m");
    }

    /// A picture of three packets whose second is lost on the way to the SFU; returns once
    /// all three (the second repaired) reached the receiver.
    async fn send_picture_losing_its_middle_on_the_way_in(sfu: &mut Sfu, publisher: &mut Client, receiver: &mut Client) {
        let before = receiver.video_received;
        let time = (publisher.seq / 10 + 1) as u32 * 6_000;
        for (n, lost) in [(0, false), (1, true), (2, false)] {
            publisher.lose = usize::from(lost);
            publisher.write_video(publisher.seq + n, time, vec![0x41; 300], n == 2);
            publisher.drain();
            assert_eq!(publisher.lose, 0, "packet {n} left the publisher");
        }
        publisher.seq += 3;
        let deadline = Instant::now() + Duration::from_secs(3);
        while receiver.video_received - before < 3 {
            assert!(
                Instant::now() < deadline,
                "{} of the picture's 3 packets reached the receiver: the lost one was not repaired",
                receiver.video_received - before
            );
            publisher.step(sfu);
            step(sfu, true, 0);
            receiver.step(sfu);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The publisher sends `frames` of audio, one every 10 ms; what the receiver heard, once it
    /// has heard `expected` frames or a second has passed.
    async fn speak(
        sfu: &mut Sfu,
        publisher: &mut Client,
        receiver: &mut Client,
        frames: &[Vec<u8>],
        expected: usize,
    ) -> Vec<Vec<u8>> {
        let before = receiver.audio_received.len();
        for frame in frames {
            publisher.send_audio(frame.clone());
            publisher.step(sfu);
            step(sfu, true, 0);
            receiver.step(sfu);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        while receiver.audio_received.len() - before < expected && Instant::now() < deadline {
            step(sfu, true, 0);
            receiver.step(sfu);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        receiver.audio_received[before..].to_vec()
    }

    #[tokio::test]
    async fn audio_sent_past_str0m_reaches_the_receiver_whole_and_in_order() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let frames: Vec<Vec<u8>> = (0..150u8).map(|i| vec![i; 40 + usize::from(i)]).collect();
        let sent_before = sfu.sent_directly;
        let heard = speak(&mut sfu, &mut publisher, &mut receiver, &frames, frames.len()).await;
        assert_eq!(heard, frames, "every frame arrives intact, in order");
        assert_eq!(sfu.sent_directly - sent_before, frames.len() as u64, "every frame was sent past str0m");
    }

    #[tokio::test]
    async fn a_speaker_muted_and_heard_again_is_heard_whole() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let frames: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; 60]).collect();
        speak(&mut sfu, &mut publisher, &mut receiver, &frames[..1], 1).await;
        let policy = |muted: &[i64]| {
            SfuCommand::Policy(HearingPolicy {
                hearing_id: HEARING,
                open: true,
                members: [1, 2].into(),
                muted: muted.iter().copied().collect(),
                ..Default::default()
            })
        };
        sfu.command(policy(&[1]));
        let read = sfu.read_directly;
        let mut heard = speak(&mut sfu, &mut publisher, &mut receiver, &frames[..3], 0).await;
        // All three reached the SFU while muted.
        let deadline = Instant::now() + Duration::from_secs(1);
        let before = receiver.audio_received.len();
        while sfu.read_directly - read < 3 {
            assert!(Instant::now() < deadline, "the frames spoken while muted never reached the SFU");
            publisher.step(&mut sfu);
            step(&mut sfu, true, 0);
            receiver.step(&mut sfu);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        heard.extend(receiver.audio_received.drain(before..));
        assert!(heard.is_empty(), "nothing is heard while muted");
        sfu.command(policy(&[]));
        let heard = speak(&mut sfu, &mut publisher, &mut receiver, &frames[..20], 20).await;
        assert_eq!(heard, frames[..20], "heard again, whole");
    }

    #[tokio::test]
    async fn a_video_packet_lost_on_the_way_out_is_resent_from_the_sfus_own_cache() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let before = receiver.video_received;
        let resent_before = sfu.resent;
        let time = (publisher.seq / 10 + 1) as u32 * 6_000;
        // The second of three packets is lost between the SFU and the receiver.
        for n in 0..3 {
            publisher.write_video(publisher.seq + n, time, vec![0x41; 300], n == 2);
            publisher.drain();
            let deadline = Instant::now() + Duration::from_secs(1);
            while step(&mut sfu, false, 0) == 0 {
                assert!(Instant::now() < deadline, "packet {n} never reached the SFU");
                tokio::task::yield_now().await;
            }
            receiver.lose_incoming_video = usize::from(n == 1);
            receiver.step(&mut sfu);
            assert_eq!(receiver.lose_incoming_video, 0, "packet {n} reached the receiver's socket");
        }
        publisher.seq += 3;
        let deadline = Instant::now() + Duration::from_secs(3);
        while receiver.video_received - before < 3 {
            assert!(
                Instant::now() < deadline,
                "{} of the picture's 3 packets reached the receiver: the lost one was not resent",
                receiver.video_received - before
            );
            step(&mut sfu, true, 0);
            receiver.step(&mut sfu);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert_eq!(sfu.resent - resent_before, 1, "the lost packet, and only it, was resent");
    }

    #[tokio::test]
    async fn a_receiver_gets_sender_reports_that_follow_each_stream_it_receives() {
        let (mut sfu, mut publisher, mut receiver) = watching().await;
        let frames: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 60]).collect();
        speak(&mut sfu, &mut publisher, &mut receiver, &frames, frames.len()).await;
        let video = receiver.video_ssrc.expect("video received");
        let audio = sfu.peers.values().find(|p| p.participant_id == 2).unwrap().outbound.iter().find_map(|t| {
            (t.kind == MediaKind::Audio).then_some(t.sent_as?.ssrc)
        });
        let audio = str0m::rtp::Ssrc::from(audio.expect("the receiver's audio stream is open"));
        let deadline = Instant::now() + Duration::from_secs(3);
        let reported = |receiver: &Client, ssrc| receiver.sender_reports.iter().rev().find(|r| r.0 == ssrc).copied();
        while reported(&receiver, video).is_none() || reported(&receiver, audio).is_none() {
            assert!(Instant::now() < deadline, "no sender report of each stream: {:?}", receiver.sender_reports);
            step(&mut sfu, true, 0);
            receiver.step(&mut sfu);
            publisher.step(&mut sfu);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (_, audio_packets) = reported(&receiver, audio).unwrap();
        assert_eq!(audio_packets as usize, receiver.audio_received.len(), "the audio report counts every frame sent");
        let (_, video_packets) = reported(&receiver, video).unwrap();
        assert_eq!(video_packets as usize, receiver.video_received, "the video report counts every packet sent");
    }

    /// A publisher alone in the hearing, connected, that reads the RTCP it gets.
    async fn publishing_alone() -> (Sfu, Client) {
        let mut sfu = sfu().await;
        let mut publisher = Client::join_with(&mut sfu, 1, |config| config.enable_raw_packets(true));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !publisher.rtc.is_connected() {
            assert!(Instant::now() < deadline, "the publisher never connected");
            publisher.step(&mut sfu);
            step(&mut sfu, true, 0);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        (sfu, publisher)
    }

    /// A publisher's estimator lives on the SFU's transport-wide feedback, which comes at str0m's
    /// pace (every 100 ms while packets are unreported). Whatever reads publishers' packets must
    /// keep it coming.
    #[tokio::test]
    async fn a_publisher_hears_transport_wide_feedback_on_what_it_sends_as_often_as_str0m_sends_it() {
        let (mut sfu, mut publisher) = publishing_alone().await;
        // One audio frame every 20 ms for a second and a half, as a speaker sends them.
        let (start, before) = (Instant::now(), publisher.feedback);
        while start.elapsed() < Duration::from_millis(1_500) {
            publisher.send_audio(vec![0x11; 80]);
            for _ in 0..4 {
                publisher.step(&mut sfu);
                step(&mut sfu, true, 0);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        let feedback = publisher.feedback - before;
        assert!(feedback >= 10, "{feedback} feedback packets in {:?}", start.elapsed());
        assert!(sfu.read_directly >= 50, "{} of the publisher's packets were read past str0m", sfu.read_directly);
    }

    /// A publisher's sender learns its round trip and loss from the SFU's reception reports.
    #[tokio::test]
    async fn a_publisher_hears_reception_reports_that_answer_its_sender_reports() {
        let (mut sfu, mut publisher) = publishing_alone().await;
        let video_ssrc = {
            let mut api = publisher.rtc.direct_api();
            *api.stream_tx_by_mid(publisher.video.0, None).expect("the video stream").ssrc()
        };
        // Video at 30 pictures a second until a report answers one of its sender reports.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !publisher.reports.iter().any(|r| *r.ssrc == video_ssrc && r.last_sr_time != 0) {
            assert!(Instant::now() < deadline, "no reception report answered a sender report: {:?}", publisher.reports);
            publisher.send_picture(vec![vec![0x41; 400]]);
            for _ in 0..6 {
                publisher.step(&mut sfu);
                step(&mut sfu, true, 0);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        let report = publisher.reports.iter().rev().find(|r| *r.ssrc == video_ssrc).expect("found above");
        assert_eq!((report.fraction_lost, report.packets_lost), (0, 0), "nothing was lost: {report:?}");
        assert!(u64::from(report.max_seq) + 1 >= publisher.seq / 2, "the highest sequence number is recent: {report:?}");
    }

    #[tokio::test]
    async fn a_publisher_whose_sdp_names_no_ssrcs_is_forwarded_by_the_mid_in_its_packets() {
        let (mut sfu, mut publisher, mut receiver) = watching_as(false).await;
        let frames: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 50]).collect();
        let heard = speak(&mut sfu, &mut publisher, &mut receiver, &frames, frames.len()).await;
        assert_eq!(heard, frames, "its audio is heard too");
        // And its repairs, on an SSRC no SDP named either, are told by their payload type.
        send_picture_losing_its_middle_on_the_way_in(&mut sfu, &mut publisher, &mut receiver).await;
    }
}
