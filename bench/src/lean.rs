//! The lean client: one str0m peer connection per UDP socket, in RTP mode.
//!
//! str0m rather than the `webrtc` crate: it is sans-I/O, so a peer is one
//! task with one socket and no threads or timers of its own, and in RTP mode
//! it neither packetises nor depacketises — the recording is packetised once
//! at start, and receiving is counting packets and looking at the first byte
//! or two of video payloads for a keyframe. The server is what is measured,
//! so on two shared cores the clients should cost as little as possible.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use cloudtrial_protocol::rtp::starts_keyframe;
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, Ssrc};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use crate::recording::Recording;

/// What one participant has received, over all its peer connections.
#[derive(Default)]
pub struct Received {
    pub packets: AtomicU64,
    keyframe_at: OnceLock<Instant>,
    keyframe: tokio::sync::Notify,
}

impl Received {
    /// When the first keyframe from someone else arrived, waiting for it up to `limit`.
    pub async fn first_keyframe(&self, limit: Duration) -> Option<Instant> {
        tokio::time::timeout(limit, async {
            loop {
                if let Some(at) = self.keyframe_at.get() {
                    return *at;
                }
                self.keyframe.notified().await;
            }
        })
        .await
        .ok()
    }
}

enum Command {
    CreateOffer(oneshot::Sender<anyhow::Result<String>>),
    AcceptAnswer(String, oneshot::Sender<anyhow::Result<()>>),
    AcceptOffer(String, oneshot::Sender<anyhow::Result<String>>),
}

/// One peer connection, run by its own task; dropping the handle ends it.
pub struct Peer {
    commands: mpsc::UnboundedSender<Command>,
}

/// One DTLS certificate for every client (generating one per connection is
/// client work that would only slow the joins down).
fn certificate() -> &'static str0m::config::DtlsCert {
    static CERT: OnceLock<str0m::config::DtlsCert> = OnceLock::new();
    CERT.get_or_init(|| {
        str0m::crypto::from_feature_flags().dtls_provider.generate_certificate().expect("a DTLS certificate")
    })
}

impl Peer {
    /// A peer on a new UDP socket at `ip`; with `publish`, it sends that
    /// recording on the audio and video it offers.
    pub async fn start(ip: IpAddr, publish: Option<Arc<Recording>>, received: Arc<Received>) -> anyhow::Result<Self> {
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
        let local = socket.local_addr()?;
        let mut config = RtcConfig::new()
            .clear_codecs()
            .enable_opus(true, false)
            .set_rtp_mode(true)
            .set_stats_interval(None)
            .set_dtls_cert(certificate().clone());
        config.codec_config().add_h264(108.into(), None, true, 0x42e01f);
        let mut rtc = config.build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp")?);
        let (commands, rx) = mpsc::unbounded_channel();
        let task = PeerTask { rtc, local, publish, received, sending: None, pending: None, kinds: Vec::new() };
        tokio::spawn(task.run(socket, rx));
        Ok(Self { commands })
    }

    async fn ask<T>(&self, command: impl FnOnce(oneshot::Sender<anyhow::Result<T>>) -> Command) -> anyhow::Result<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(command(tx)).map_err(|_| anyhow!("the peer connection ended"))?;
        rx.await.map_err(|_| anyhow!("the peer connection ended"))?
    }

    /// An offer to send audio and video.
    pub async fn create_offer(&self) -> anyhow::Result<String> {
        self.ask(Command::CreateOffer).await
    }

    pub async fn accept_answer(&self, sdp: String) -> anyhow::Result<()> {
        self.ask(|tx| Command::AcceptAnswer(sdp, tx)).await
    }

    /// Accepts the server's offer (media to receive) and returns the answer.
    pub async fn accept_offer(&self, sdp: String) -> anyhow::Result<String> {
        self.ask(|tx| Command::AcceptOffer(sdp, tx)).await
    }
}

struct Sending {
    audio: Mid,
    video: Mid,
    audio_pt: str0m::media::Pt,
    video_pt: str0m::media::Pt,
    frame: usize,
    audio_packet: usize,
    video_seq: u64,
    audio_seq: u64,
    video_time: u32,
    audio_time: u32,
}

struct PeerTask {
    rtc: Rtc,
    local: SocketAddr,
    publish: Option<Arc<Recording>>,
    received: Arc<Received>,
    sending: Option<Sending>,
    pending: Option<SdpPendingOffer>,
    /// Whether each incoming stream is video, looked up once per SSRC.
    kinds: Vec<(Ssrc, bool)>,
}

impl PeerTask {
    async fn run(mut self, socket: UdpSocket, mut commands: mpsc::UnboundedReceiver<Command>) {
        let fps = self.publish.as_ref().map_or(15.0, |r| r.fps);
        let mut video_tick = tokio::time::interval(Duration::from_secs_f32(1.0 / fps));
        let mut audio_tick = tokio::time::interval(Duration::from_millis(20));
        video_tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        audio_tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut buf = vec![0u8; 2048];
        loop {
            let Some(timeout) = self.drain(&socket) else { return };
            let publishing = self.sending.is_some() && self.rtc.is_connected();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => return,
                },
                read = socket.recv_from(&mut buf) => {
                    let Ok((n, source)) = read else { continue };
                    if let Ok(receive) = Receive::new(Protocol::Udp, source, self.local, &buf[..n]) {
                        let _ = self.rtc.handle_input(Input::Receive(Instant::now(), receive));
                    }
                }
                _ = tokio::time::sleep_until(timeout.into()) => {
                    let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
                }
                _ = video_tick.tick(), if publishing => self.send_video(),
                _ = audio_tick.tick(), if publishing => self.send_audio(),
            }
        }
    }

    /// Sends what str0m has to send and handles its events; the next timeout,
    /// or `None` once the connection is over.
    fn drain(&mut self, socket: &UdpSocket) -> Option<Instant> {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => return Some(at),
                Ok(Output::Transmit(t)) => {
                    let _ = socket.try_send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(event)) => self.event(event),
                Err(_) => return None,
            }
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::RtpPacket(packet) => {
                self.received.packets.fetch_add(1, Ordering::Relaxed);
                if self.received.keyframe_at.get().is_none()
                    && self.is_video(packet.header.ssrc)
                    && starts_keyframe(&packet.payload)
                {
                    let _ = self.received.keyframe_at.set(packet.timestamp);
                    self.received.keyframe.notify_one();
                }
            }
            Event::KeyframeRequest(request) => {
                if let Some(sending) = &mut self.sending
                    && request.mid == sending.video
                {
                    sending.frame = 0;
                }
            }
            _ => {}
        }
    }

    fn is_video(&mut self, ssrc: Ssrc) -> bool {
        if let Some((_, video)) = self.kinds.iter().find(|(s, _)| *s == ssrc) {
            return *video;
        }
        let mid = self.rtc.direct_api().stream_rx(&ssrc).map(|s| s.mid());
        let video = mid.and_then(|mid| self.rtc.media(mid)).is_some_and(|m| m.kind() == MediaKind::Video);
        self.kinds.push((ssrc, video));
        video
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::CreateOffer(reply) => {
                let mut changes = self.rtc.sdp_api();
                let audio = changes.add_media(MediaKind::Audio, Direction::SendOnly, Some("lean".into()), Some("audio".into()), None);
                let video = changes.add_media(MediaKind::Video, Direction::SendOnly, Some("lean".into()), Some("video".into()), None);
                let result = changes.apply().map(|(offer, pending)| {
                    self.pending = Some(pending);
                    self.sending = self.publish.as_ref().map(|_| Sending {
                        audio,
                        video,
                        audio_pt: 0.into(),
                        video_pt: 0.into(),
                        frame: 0,
                        audio_packet: 0,
                        video_seq: 0,
                        audio_seq: 0,
                        video_time: 0,
                        audio_time: 0,
                    });
                    offer.to_sdp_string()
                });
                let _ = reply.send(result.context("nothing to offer"));
            }
            Command::AcceptAnswer(sdp, reply) => {
                let result = (|| {
                    let answer = SdpAnswer::from_sdp_string(&sdp)?;
                    let pending = self.pending.take().context("no offer pending")?;
                    self.rtc.sdp_api().accept_answer(pending, answer)?;
                    self.payload_types()
                })();
                let _ = reply.send(result);
            }
            Command::AcceptOffer(sdp, reply) => {
                let result = (|| {
                    let offer = SdpOffer::from_sdp_string(&sdp)?;
                    Ok(self.rtc.sdp_api().accept_offer(offer)?.to_sdp_string())
                })();
                let _ = reply.send(result);
            }
        }
    }

    /// The payload types the server accepted for what we send.
    fn payload_types(&mut self) -> anyhow::Result<()> {
        let Some(sending) = &mut self.sending else { return Ok(()) };
        let find = |codec: Codec| {
            self.rtc.codec_config().find(|p| p.spec().codec == codec).map(|p| p.pt()).context("codec not negotiated")
        };
        sending.audio_pt = find(Codec::Opus)?;
        sending.video_pt = find(Codec::H264)?;
        Ok(())
    }

    fn send_video(&mut self) {
        let (Some(sending), Some(recording)) = (&mut self.sending, &self.publish) else { return };
        let frame = &recording.video_rtp[sending.frame % recording.video_rtp.len()];
        sending.frame += 1;
        let now = Instant::now();
        let mut api = self.rtc.direct_api();
        let Some(stream) = api.stream_tx_by_mid(sending.video, None) else { return };
        for (i, payload) in frame.iter().enumerate() {
            let write = RtpWrite::new(sending.video_pt, sending.video_seq.into(), sending.video_time, now, payload.clone())
                .marker(i + 1 == frame.len());
            stream.write_rtp(write);
            sending.video_seq += 1;
        }
        sending.video_time = sending.video_time.wrapping_add((90_000.0 / recording.fps) as u32);
    }

    fn send_audio(&mut self) {
        let (Some(sending), Some(recording)) = (&mut self.sending, &self.publish) else { return };
        let payload = recording.audio_rtp[sending.audio_packet % recording.audio_rtp.len()].clone();
        sending.audio_packet += 1;
        let mut api = self.rtc.direct_api();
        let Some(stream) = api.stream_tx_by_mid(sending.audio, None) else { return };
        stream.write_rtp(RtpWrite::new(sending.audio_pt, sending.audio_seq.into(), sending.audio_time, Instant::now(), payload));
        sending.audio_seq += 1;
        sending.audio_time = sending.audio_time.wrapping_add(960);
    }
}
