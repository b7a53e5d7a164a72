//! A participant's media: the actor owning the peer connection (joins, answers
//! the server's offers, restarts ICE after a network change, starts over when
//! the connection is lost), the encoder, and delivery of what others send.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudtrial_protocol::ParticipantRole;
use cloudtrial_protocol::signalling::{ClientMessage, MEDIA_ENDED_MESSAGE, ServerMessage};
use rtc::media::Sample;
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::peer_connection::{RTCIceCandidateInit, RTCPeerConnectionState, RTCSessionDescription};

use super::codec::{AudioEncoder, VideoEncoder};
use super::frame::I420Frame;
use super::peer::{self, MediaNetwork, PeerEvent};
use crate::error::{Error, Result};
use crate::hearing::{ConnectionState, HearingSession, RoomLink, RoomState};

pub use cloudtrial_protocol::signalling::CameraFacing;

/// An answer that has not come by now means the exchange was lost: start over.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// Disconnected this long: restart ICE.
const ICE_RESTART_AFTER: Duration = Duration::from_secs(2);
/// Still not connected this long after a problem: start over with a new peer connection.
const REJOIN_AFTER: Duration = Duration::from_secs(15);

#[derive(Debug, Clone)]
pub struct VideoSettings {
    pub width: u32,
    pub height: u32,
    pub fps: f32,
    pub bitrate: u32,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self { width: 640, height: 480, fps: 15.0, bitrate: 500_000 }
    }
}

/// How much of the others' video to decode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VideoDecoding {
    /// Every frame, for display.
    #[default]
    All,
    /// Only until the first picture decodes, then frames are counted but not decoded (load testing).
    FirstFrameOnly,
}

#[derive(Debug, Clone, Default)]
pub struct MediaOptions {
    pub network: MediaNetwork,
    pub video: VideoSettings,
    pub decoding: VideoDecoding,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaConnection {
    Connecting,
    Connected,
    /// The connection dropped or the network changed; restoring it (重新连接中).
    Reconnecting,
    Stopped { reason: String },
}

impl MediaConnection {
    pub fn label(&self) -> &str {
        match self {
            Self::Connecting => "正在连接音视频",
            Self::Connected => "音视频已连接",
            Self::Reconnecting => "重新连接中",
            Self::Stopped { reason } => reason,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaStats {
    pub rtt_ms: Option<u32>,
    pub packets_lost: u64,
    pub send_kbps: u32,
    pub receive_kbps: u32,
    /// Packets sent again because the SFU reported them lost (NACK), on the RTX stream.
    pub packets_resent: u64,
    /// Losses this client reported to the SFU (NACK) so it would send them again.
    pub repairs_asked: u64,
    /// Lost packets the SFU sent again in time (RTX).
    pub packets_repaired: u64,
    /// Lost packets still missing when the picture stopped waiting for them.
    pub repairs_given_up: u64,
    /// Keyframes this client asked the SFU for (PLI), having lost a picture.
    pub keyframes_asked: u64,
    /// Keyframes the SFU asked of this client's video (PLI, FIR).
    pub keyframe_requests: u64,
    /// The most video the SFU's receivers can take now, once it has said (REMB).
    pub max_video_kbps: Option<u32>,
    /// The local address of the connection in use (it changes with the network).
    pub local_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MediaState {
    pub connection: MediaConnection,
    pub camera_on: bool,
    pub microphone_on: bool,
    pub camera_facing: CameraFacing,
    pub stats: MediaStats,
    /// Peer connections made so far (1 unless the connection had to start over).
    pub joins: u32,
}

/// Who sent a remote frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteParticipant {
    pub participant_id: i64,
    pub role: Option<ParticipantRole>,
    pub name: String,
}

impl RemoteParticipant {
    /// "原告 张三": what the tile shows at its bottom left.
    pub fn label(&self) -> String {
        match self.role {
            Some(role) => format!("{} {}", role.label(), self.name),
            None => self.name.clone(),
        }
    }
}

/// Receives decoded media from the others. Called from the core's threads.
pub trait RemoteMediaSink: Send + Sync + 'static {
    fn on_video_frame(&self, from: &RemoteParticipant, frame: &I420Frame);
    fn on_audio_frame(&self, from: &RemoteParticipant, samples: &[i16]);
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteStreamStats {
    /// Decoded video frames.
    pub video_frames: u64,
    /// Complete video frames received (decoded or not).
    pub video_frames_received: u64,
    pub audio_frames: u64,
    /// RTP packets received, video and audio.
    pub packets: u64,
    pub first_packet: Option<Instant>,
    pub first_video_frame: Option<Instant>,
}

enum Encoded {
    Video { data: Vec<u8>, duration: Duration },
    Audio { data: Vec<u8> },
}

/// The local tracks of the current peer connection, once they can be written.
#[derive(Clone)]
struct Outgoing {
    video: Arc<TrackLocalStaticSample>,
    audio: Arc<TrackLocalStaticSample>,
    video_ssrc: u32,
    audio_ssrc: u32,
    video_pt: u8,
    audio_pt: u8,
}

pub(crate) struct Shared {
    state: watch::Sender<MediaState>,
    room: RoomLink,
    room_state: watch::Receiver<RoomState>,
    sink: Mutex<Option<Arc<dyn RemoteMediaSink>>>,
    received: Mutex<HashMap<i64, RemoteStreamStats>>,
    force_keyframe: AtomicBool,
    keyframes_asked: AtomicU64,
    keyframe_requests: AtomicU64,
    /// The video bit rate the SFU's receivers can take (bit/s); 0 until it says.
    max_video_bitrate: AtomicU32,
    camera_on: AtomicBool,
    microphone_on: AtomicBool,
    encoded: mpsc::Sender<Encoded>,
    raw_video: std::sync::mpsc::SyncSender<I420Frame>,
    audio_encoder: Mutex<AudioEncoder>,
    decoding: VideoDecoding,
    /// Whether this session has left the SFU (see `signal`).
    left: Mutex<bool>,
}

impl Shared {
    /// Media signalling from this session. Refused once it has left: the SFU knows peers by
    /// participant, so anything a stopped session still sent would reach the next one's peer.
    fn signal(&self, message: ClientMessage) -> Result<()> {
        let left = self.left.lock().unwrap_or_else(|p| p.into_inner());
        if *left {
            return Err(Error::NotConnected);
        }
        self.room.send(message)
    }

    /// Leaves the SFU, once, after everything this session signalled and before anything a
    /// session started afterwards does.
    fn leave(&self) {
        let mut left = self.left.lock().unwrap_or_else(|p| p.into_inner());
        if !std::mem::replace(&mut *left, true) {
            let _ = self.room.send(ClientMessage::MediaLeave);
        }
    }

    fn remote(&self, participant_id: i64) -> RemoteParticipant {
        let state = self.room_state.borrow();
        match state.participant(participant_id) {
            Some(p) => RemoteParticipant { participant_id, role: Some(p.role), name: p.name.clone() },
            None => RemoteParticipant { participant_id, role: None, name: format!("参与人{participant_id}") },
        }
    }

    pub(crate) fn deliver_video(&self, participant_id: i64, frame: &I420Frame) {
        {
            let mut received = self.received.lock().unwrap_or_else(|p| p.into_inner());
            let stats = received.entry(participant_id).or_default();
            stats.video_frames += 1;
            stats.first_video_frame.get_or_insert_with(Instant::now);
        }
        let sink = self.sink.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            sink.on_video_frame(&self.remote(participant_id), frame);
        }
    }

    pub(crate) fn deliver_audio(&self, participant_id: i64, samples: &[i16]) {
        self.received.lock().unwrap_or_else(|p| p.into_inner()).entry(participant_id).or_default().audio_frames += 1;
        let sink = self.sink.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            sink.on_audio_frame(&self.remote(participant_id), samples);
        }
    }

    pub(crate) fn count_packet(&self, participant_id: i64) {
        let mut received = self.received.lock().unwrap_or_else(|p| p.into_inner());
        let stats = received.entry(participant_id).or_default();
        stats.packets += 1;
        stats.first_packet.get_or_insert_with(Instant::now);
    }

    pub(crate) fn count_keyframe_asked(&self) {
        self.keyframes_asked.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_video_frame(&self, participant_id: i64) {
        self.received.lock().unwrap_or_else(|p| p.into_inner()).entry(participant_id).or_default().video_frames_received += 1;
    }

    pub(crate) fn decoding(&self) -> VideoDecoding {
        self.decoding
    }

    fn set_connection(&self, connection: MediaConnection) {
        self.state.send_if_modified(|s| {
            let changed = s.connection != connection;
            s.connection = connection;
            changed
        });
    }

    fn send_device_state(&self) {
        let state = self.state.borrow().clone();
        self.room.set_device_state(ClientMessage::DeviceState {
            camera_on: state.camera_on,
            microphone_on: state.microphone_on,
            camera_facing: state.camera_facing,
        });
    }
}

enum Control {
    NetworkChanged,
    Stop,
}

/// A participant's live media in the hearing. Dropping it stops the media.
pub struct MediaSession {
    shared: Arc<Shared>,
    control: mpsc::UnboundedSender<Control>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl MediaSession {
    /// Starts media over the hearing room's signalling. Must be called within a tokio runtime.
    pub fn start(hearing: &HearingSession, participant_id: i64, options: MediaOptions) -> Result<Self> {
        let room = hearing.link();
        let (encoded, encoded_rx) = mpsc::channel(64);
        let (raw_video, raw_video_rx) = std::sync::mpsc::sync_channel::<I420Frame>(2);
        let state = MediaState {
            connection: MediaConnection::Connecting,
            camera_on: true,
            microphone_on: true,
            camera_facing: CameraFacing::Front,
            stats: MediaStats::default(),
            joins: 0,
        };
        let shared = Arc::new(Shared {
            state: watch::Sender::new(state),
            room_state: room.subscribe_state(),
            room,
            sink: Mutex::new(None),
            received: Mutex::new(HashMap::new()),
            force_keyframe: AtomicBool::new(true),
            keyframes_asked: AtomicU64::new(0),
            keyframe_requests: AtomicU64::new(0),
            max_video_bitrate: AtomicU32::new(0),
            camera_on: AtomicBool::new(true),
            microphone_on: AtomicBool::new(true),
            encoded,
            raw_video,
            audio_encoder: Mutex::new(AudioEncoder::new().map_err(|e| Error::Media(e.to_string()))?),
            decoding: options.decoding,
            left: Mutex::new(false),
        });
        spawn_encoder(shared.clone(), raw_video_rx, options.video.clone())?;
        let (outgoing_tx, outgoing_rx) = watch::channel(None);
        let (control, control_rx) = mpsc::unbounded_channel();
        let tasks = vec![
            tokio::spawn(write_samples(encoded_rx, outgoing_rx)),
            tokio::spawn(run(shared.clone(), participant_id, options, control_rx, outgoing_tx)),
        ];
        shared.send_device_state();
        Ok(Self { shared, control, tasks })
    }

    pub fn state(&self) -> MediaState {
        self.shared.state.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<MediaState> {
        self.shared.state.subscribe()
    }

    /// Where decoded frames from the others go.
    pub fn set_sink(&self, sink: Arc<dyn RemoteMediaSink>) {
        *self.shared.sink.lock().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }

    /// Frames and audio received so far, per sending participant.
    pub fn received(&self) -> HashMap<i64, RemoteStreamStats> {
        self.shared.received.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A handle for feeding frames from the shell's capture threads.
    pub fn sender(&self) -> MediaSender {
        MediaSender { shared: self.shared.clone() }
    }

    pub fn send_video_frame(&self, frame: I420Frame) -> Result<()> {
        self.sender().send_video_frame(frame)
    }

    pub fn send_audio_frame(&self, samples: &[i16]) -> Result<()> {
        self.sender().send_audio_frame(samples)
    }

    pub fn set_camera_enabled(&self, on: bool) {
        self.shared.camera_on.store(on, Ordering::Relaxed);
        if on {
            self.shared.force_keyframe.store(true, Ordering::Relaxed);
        }
        self.shared.state.send_modify(|s| s.camera_on = on);
        self.shared.send_device_state();
    }

    pub fn set_microphone_enabled(&self, on: bool) {
        self.shared.microphone_on.store(on, Ordering::Relaxed);
        self.shared.state.send_modify(|s| s.microphone_on = on);
        self.shared.send_device_state();
    }

    /// The shell switched between the front and back camera.
    pub fn set_camera_facing(&self, facing: CameraFacing) {
        self.shared.force_keyframe.store(true, Ordering::Relaxed);
        self.shared.state.send_modify(|s| s.camera_facing = facing);
        self.shared.send_device_state();
    }

    /// The device's network changed (Wi-Fi → 4G): restart ICE at once, keeping the same identity.
    pub fn network_changed(&self) {
        let _ = self.control.send(Control::NetworkChanged);
    }

    pub fn stop(&self) {
        self.shared.leave();
        let _ = self.control.send(Control::Stop);
    }
}

impl Drop for MediaSession {
    fn drop(&mut self) {
        self.shared.leave();
        let _ = self.control.send(Control::Stop);
        for task in &self.tasks[..1] {
            task.abort();
        }
    }
}

/// Feeds the camera and microphone; cheap to clone onto capture threads.
#[derive(Clone)]
pub struct MediaSender {
    shared: Arc<Shared>,
}

impl MediaSender {
    /// One camera frame. Dropped while the camera is off or the encoder is busy.
    pub fn send_video_frame(&self, frame: I420Frame) -> Result<()> {
        frame.validate().map_err(Error::InvalidInput)?;
        if self.shared.camera_on.load(Ordering::Relaxed) {
            let _ = self.shared.raw_video.try_send(frame);
        }
        Ok(())
    }

    /// 20 ms of 48 kHz mono microphone audio (960 samples).
    pub fn send_audio_frame(&self, samples: &[i16]) -> Result<()> {
        if !self.shared.microphone_on.load(Ordering::Relaxed) {
            return Ok(());
        }
        let data = self
            .shared
            .audio_encoder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .encode(samples)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let _ = self.shared.encoded.try_send(Encoded::Audio { data });
        Ok(())
    }

    /// An H.264 access unit (Annex-B) encoded elsewhere, e.g. by a phone's
    /// hardware encoder. Check `keyframe_requested` before each one.
    pub fn send_encoded_video(&self, access_unit: Vec<u8>, duration: Duration) {
        if self.shared.camera_on.load(Ordering::Relaxed) {
            let _ = self.shared.encoded.try_send(Encoded::Video { data: access_unit, duration });
        }
    }

    /// One Opus packet (20 ms) encoded elsewhere.
    pub fn send_encoded_audio(&self, packet: Vec<u8>) {
        if self.shared.microphone_on.load(Ordering::Relaxed) {
            let _ = self.shared.encoded.try_send(Encoded::Audio { data: packet });
        }
    }

    /// Whether a receiver needs a keyframe now; cleared by asking. Only for
    /// callers of `send_encoded_video` (the built-in encoder handles it itself).
    pub fn keyframe_requested(&self) -> bool {
        self.shared.force_keyframe.swap(false, Ordering::Relaxed)
    }
}

fn spawn_encoder(
    shared: Arc<Shared>,
    frames: std::sync::mpsc::Receiver<I420Frame>,
    settings: VideoSettings,
) -> Result<()> {
    let mut encoder = VideoEncoder::new(settings.width, settings.height, settings.fps, settings.bitrate)
        .map_err(|e| Error::Media(e.to_string()))?;
    std::thread::Builder::new()
        .name("video-encoder".into())
        .spawn(move || {
            let mut last: Option<Instant> = None;
            while let Ok(frame) = frames.recv() {
                let keyframe = shared.force_keyframe.swap(false, Ordering::Relaxed);
                let target = video_bitrate(&settings, shared.max_video_bitrate.load(Ordering::Relaxed));
                if target != encoder.bitrate()
                    && let Err(e) = encoder.set_bitrate(target)
                {
                    tracing::warn!("the video bit rate could not be changed: {e}");
                }
                let now = Instant::now();
                let duration = last.map_or(Duration::from_secs_f32(1.0 / settings.fps), |at| now - at);
                last = Some(now);
                match encoder.encode(&frame, keyframe) {
                    Ok(data) if !data.is_empty() => {
                        let duration = duration.clamp(Duration::from_millis(5), Duration::from_millis(500));
                        if shared.encoded.try_send(Encoded::Video { data, duration }).is_err() {
                            // The network is behind; the next frame must be a keyframe.
                            shared.force_keyframe.store(true, Ordering::Relaxed);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("video encoding failed: {e}"),
                }
            }
        })
        .map_err(|e| Error::Media(e.to_string()))?;
    Ok(())
}

/// What the encoder aims for: the configured bit rate, or less when the SFU says its
/// receivers cannot take it, never below what keeps a picture recognisable.
fn video_bitrate(settings: &VideoSettings, max: u32) -> u32 {
    const FLOOR: u32 = 80_000;
    if max == 0 { settings.bitrate } else { settings.bitrate.min(max.max(FLOOR)) }
}

async fn write_samples(mut encoded: mpsc::Receiver<Encoded>, outgoing: watch::Receiver<Option<Outgoing>>) {
    while let Some(item) = encoded.recv().await {
        let Some(out) = outgoing.borrow().clone() else { continue };
        let result = match item {
            Encoded::Video { data, duration } => {
                let sample = Sample { data: data.into(), duration, ..Sample::new(Instant::now()) };
                out.video.write_sample(out.video_ssrc, out.video_pt, &sample, &[]).await
            }
            Encoded::Audio { data } => {
                let sample = Sample { data: data.into(), duration: Duration::from_millis(20), ..Sample::new(Instant::now()) };
                out.audio.write_sample(out.audio_ssrc, out.audio_pt, &sample, &[]).await
            }
        };
        if let Err(e) = result {
            tracing::debug!("sample not sent: {e}");
        }
    }
}

/// Why one peer connection's life ended.
enum End {
    Rejoin,
    Stop(String),
}

async fn run(
    shared: Arc<Shared>,
    participant_id: i64,
    options: MediaOptions,
    mut control: mpsc::UnboundedReceiver<Control>,
    outgoing: watch::Sender<Option<Outgoing>>,
) {
    let mut attempt = 0u32;
    loop {
        shared.state.send_modify(|s| s.joins += 1);
        let end = connect(&shared, participant_id, &options, &mut control, &outgoing).await;
        outgoing.send_replace(None);
        match end {
            End::Stop(reason) => {
                shared.set_connection(MediaConnection::Stopped { reason });
                shared.leave();
                return;
            }
            End::Rejoin => {
                attempt += 1;
                shared.set_connection(MediaConnection::Reconnecting);
                let wait = Duration::from_millis(500 * u64::from(attempt.min(6)));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    Some(Control::Stop) = control.recv() => {
                        shared.set_connection(MediaConnection::Stopped { reason: "已停止".into() });
                        return;
                    }
                }
            }
        }
    }
}

/// The server's candidates that must be given to webrtc one by one: it dials
/// passive TCP candidates only when told through `add_ice_candidate`.
async fn add_candidates_from(pc: &Arc<dyn webrtc::peer_connection::PeerConnection>, sdp: &str) {
    for line in sdp.lines().filter(|l| l.starts_with("a=candidate:")) {
        let init = RTCIceCandidateInit { candidate: line[2..].trim().to_owned(), ..Default::default() };
        let _ = pc.add_ice_candidate(init).await;
    }
}

async fn connect(
    shared: &Arc<Shared>,
    participant_id: i64,
    options: &MediaOptions,
    control: &mut mpsc::UnboundedReceiver<Control>,
    outgoing: &watch::Sender<Option<Outgoing>>,
) -> End {
    // Wait for the room and its view: media signalling rides on it, and a hearing that is
    // over has no media to join.
    let mut room_state = shared.room.subscribe_state();
    let waited = room_state.wait_for(|s| {
        (s.connection == ConnectionState::Connected && s.room.is_some()) || ended_for_good(s).is_some()
    });
    tokio::select! {
        result = waited => if result.is_err() { return End::Stop("已离开庭审".into()) },
        Some(Control::Stop) = control.recv() => return End::Stop("已停止".into()),
    }
    if let Some(reason) = ended_for_good(&room_state.borrow_and_update()) {
        return End::Stop(reason);
    }
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let peer = match peer::build(&options.network, &format!("p{participant_id}"), events_tx).await {
        Ok(peer) => peer,
        Err(e) => {
            tracing::warn!("could not create the peer connection: {e}");
            return End::Rejoin;
        }
    };
    let pc = peer.pc.clone();
    let mut media = shared.room.subscribe_media();
    let offer = async {
        let offer = pc.create_offer(None).await?;
        pc.set_local_description(offer).await?;
        Ok::<_, webrtc::error::Error>(pc.local_description().await.map(|d| d.sdp).unwrap_or_default())
    };
    let sdp = match offer.await {
        Ok(sdp) => sdp,
        Err(e) => {
            tracing::warn!("could not make an offer: {e}");
            let _ = pc.close().await;
            return End::Rejoin;
        }
    };
    if let Err(e) = shared.signal(ClientMessage::MediaJoin { sdp }) {
        tracing::info!("media join not sent: {e}");
        let _ = pc.close().await;
        return End::Rejoin;
    }
    // Keyframe requests and bit rate limits from the SFU reach the encoder.
    let requests = {
        let (video, shared) = (peer.video.clone(), shared.clone());
        tokio::spawn(async move {
            while let Some(event) = video.poll().await {
                let TrackLocalEvent::OnRtcpPacket(packets) = event else { continue };
                for feedback in peer::video_feedback(&packets) {
                    match feedback {
                        peer::VideoFeedback::Keyframe => {
                            shared.keyframe_requests.fetch_add(1, Ordering::Relaxed);
                            shared.force_keyframe.store(true, Ordering::Relaxed);
                        }
                        peer::VideoFeedback::MaxBitrate(bps) => shared.max_video_bitrate.store(bps, Ordering::Relaxed),
                    }
                }
            }
        })
    };

    let mut awaiting_answer = Some(Instant::now());
    // The server answers a join before it says anything else about that peer, so a reset
    // that comes first is about an earlier one (a stopped session's, closed from its side).
    let mut joined = false;
    let mut trouble_since: Option<Instant> = None;
    let mut restarted_ice = false;
    let mut ticker = tokio::time::interval(Duration::from_millis(500));
    let mut history = StatsHistory::default();
    let mut last_stats = Instant::now();
    let mut readers = Vec::new();
    let end = loop {
        tokio::select! {
            message = media.recv() => {
                let message = match message {
                    Ok(message) => message,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break End::Rejoin,
                    Err(_) => break End::Stop("已离开庭审".into()),
                };
                match message {
                    ServerMessage::MediaAnswer { sdp } if awaiting_answer.is_some() => {
                        let Ok(answer) = RTCSessionDescription::answer(sdp.clone()) else { break End::Rejoin };
                        if let Err(e) = pc.set_remote_description(answer).await {
                            tracing::warn!("the server's answer was refused: {e}");
                            break End::Rejoin;
                        }
                        add_candidates_from(&pc, &sdp).await;
                        awaiting_answer = None;
                        joined = true;
                    }
                    // An offer crossing ours is dropped; the server offers again after answering.
                    ServerMessage::MediaOffer { sdp } if awaiting_answer.is_none() => {
                        let answered = async {
                            pc.set_remote_description(RTCSessionDescription::offer(sdp.clone())?).await?;
                            add_candidates_from(&pc, &sdp).await;
                            let answer = pc.create_answer(None).await?;
                            pc.set_local_description(answer).await?;
                            Ok::<_, webrtc::error::Error>(pc.local_description().await.map(|d| d.sdp).unwrap_or_default())
                        };
                        match answered.await {
                            Ok(sdp) => {
                                let _ = shared.signal(ClientMessage::MediaAnswer { sdp });
                            }
                            Err(e) => {
                                tracing::warn!("could not answer the server's offer: {e}");
                                break End::Rejoin;
                            }
                        }
                    }
                    ServerMessage::MediaReset if joined => {
                        tracing::info!("the server dropped the media connection; starting over");
                        break End::Rejoin;
                    }
                    ServerMessage::Error { error } if awaiting_answer.is_some() => {
                        tracing::warn!(?error, "media refused");
                        break End::Rejoin;
                    }
                    _ => {}
                }
            }
            event = events.recv() => match event {
                Some(PeerEvent::Candidate(candidate)) => {
                    let _ = shared.signal(ClientMessage::MediaCandidate { candidate });
                }
                Some(PeerEvent::State(state)) => match state {
                    RTCPeerConnectionState::Connected => {
                        trouble_since = None;
                        restarted_ice = false;
                        let (video_pt, audio_pt) =
                            (peer::payload_type(&peer.video_sender).await, peer::payload_type(&peer.audio_sender).await);
                        if let (Some(video_pt), Some(audio_pt)) = (video_pt, audio_pt) {
                            outgoing.send_replace(Some(Outgoing {
                                video: peer.video.clone(),
                                audio: peer.audio.clone(),
                                video_ssrc: peer.video_ssrc,
                                audio_ssrc: peer.audio_ssrc,
                                video_pt,
                                audio_pt,
                            }));
                        }
                        shared.force_keyframe.store(true, Ordering::Relaxed);
                        shared.set_connection(MediaConnection::Connected);
                    }
                    RTCPeerConnectionState::Disconnected => {
                        trouble_since.get_or_insert(Instant::now());
                        shared.set_connection(MediaConnection::Reconnecting);
                    }
                    RTCPeerConnectionState::Failed => break End::Rejoin,
                    _ => {}
                },
                Some(PeerEvent::Track(track)) => readers.push(tokio::spawn(super::remote::read(track, shared.clone(), peer.repairs.clone()))),
                None => break End::Rejoin,
            },
            command = control.recv() => match command {
                Some(Control::NetworkChanged) if awaiting_answer.is_none() => {
                    shared.set_connection(MediaConnection::Reconnecting);
                    trouble_since.get_or_insert(Instant::now());
                    match restart_ice(&pc).await {
                        Ok(sdp) => {
                            if shared.signal(ClientMessage::MediaOffer { sdp }).is_ok() {
                                awaiting_answer = Some(Instant::now());
                                restarted_ice = true;
                            }
                        }
                        Err(e) => {
                            tracing::warn!("ICE restart failed: {e}");
                            break End::Rejoin;
                        }
                    }
                }
                Some(Control::NetworkChanged) => {}
                Some(Control::Stop) | None => break End::Stop("已停止".into()),
            },
            changed = room_state.changed() => {
                if changed.is_err() {
                    break End::Stop("已离开庭审".into());
                }
                if let Some(reason) = ended_for_good(&room_state.borrow_and_update()) {
                    break End::Stop(reason);
                }
            }
            _ = ticker.tick() => {
                if awaiting_answer.is_some_and(|at| at.elapsed() > ANSWER_TIMEOUT) {
                    tracing::info!("no media answer from the server; starting over");
                    break End::Rejoin;
                }
                if let Some(since) = trouble_since {
                    if since.elapsed() > REJOIN_AFTER {
                        break End::Rejoin;
                    }
                    if !restarted_ice
                        && awaiting_answer.is_none()
                        && since.elapsed() > ICE_RESTART_AFTER
                        && let Ok(sdp) = restart_ice(&pc).await
                        && shared.signal(ClientMessage::MediaOffer { sdp }).is_ok()
                    {
                        awaiting_answer = Some(Instant::now());
                        restarted_ice = true;
                    }
                }
                if last_stats.elapsed() >= Duration::from_secs(1) {
                    last_stats = Instant::now();
                    update_stats(shared, &peer, &mut history).await;
                }
            }
        }
    };
    requests.abort();
    for reader in readers {
        reader.abort();
    }
    let _ = pc.close().await;
    end
}

/// Why media is over for good, if it is: the hearing is (闭庭, cancelled), or the room
/// will not come back for this participant (cancelled, removed, taken over by another device).
fn ended_for_good(state: &RoomState) -> Option<String> {
    match &state.connection {
        ConnectionState::Ended { reason } => Some(reason.clone()),
        ConnectionState::Replaced => Some(state.connection.label().to_owned()),
        _ if state.room.as_ref().is_some_and(|room| room.status.is_over()) => Some(MEDIA_ENDED_MESSAGE.into()),
        _ => None,
    }
}

async fn restart_ice(pc: &Arc<dyn webrtc::peer_connection::PeerConnection>) -> std::result::Result<String, webrtc::error::Error> {
    pc.restart_ice().await?;
    let offer = pc.create_offer(None).await?;
    pc.set_local_description(offer).await?;
    Ok(pc.local_description().await.map(|d| d.sdp).unwrap_or_default())
}

/// Byte counters per candidate pair at the last poll, to see which pair carries traffic now.
#[derive(Default)]
struct StatsHistory {
    at: Option<Instant>,
    /// (sent, received) per pair.
    pair_bytes: HashMap<String, (u64, u64)>,
}

async fn update_stats(shared: &Arc<Shared>, peer: &peer::Peer, history: &mut StatsHistory) {
    let now = Instant::now();
    let report = peer.pc.get_stats(now, webrtc::peer_connection::StatsSelector::None).await;
    let mut stats = MediaStats {
        packets_repaired: peer.repairs.packets_repaired.load(Ordering::Relaxed),
        repairs_given_up: peer.repairs.repairs_given_up.load(Ordering::Relaxed),
        keyframes_asked: shared.keyframes_asked.load(Ordering::Relaxed),
        keyframe_requests: shared.keyframe_requests.load(Ordering::Relaxed),
        ..MediaStats::default()
    };
    let (mut sent, mut received, mut busiest) = (0u64, 0u64, (0u64, None));
    let mut pair_bytes = HashMap::new();
    for pair in report.candidate_pairs() {
        let id = pair.stats.id.clone();
        let (sent_before, received_before) = history.pair_bytes.get(&id).copied().unwrap_or((0, 0));
        let (sent_now, received_now) =
            (pair.bytes_sent.saturating_sub(sent_before), pair.bytes_received.saturating_sub(received_before));
        if sent_now + received_now > busiest.0 {
            busiest = (sent_now + received_now, Some(pair));
        }
        sent += sent_now;
        received += received_now;
        pair_bytes.insert(id, (pair.bytes_sent, pair.bytes_received));
    }
    if let Some(pair) = busiest.1 {
        stats.rtt_ms = Some((pair.current_round_trip_time * 1000.0) as u32);
        // rtc 0.21 keys candidate entries with a prefix the pair's reference lacks.
        let prefixed = format!("RTCLocalIceCandidate_{}", pair.local_candidate_id);
        let entry = report.get(&pair.local_candidate_id).or_else(|| report.get(&prefixed));
        if let Some(rtc::statistics::report::RTCStatsReportEntry::LocalCandidate(local)) = entry {
            stats.local_address = Some(format!("{}:{}", local.address.as_deref().unwrap_or("?"), local.port));
        }
    }
    for inbound in report.inbound_rtp_streams() {
        stats.packets_lost += inbound.received_rtp_stream_stats.packets_lost.max(0) as u64;
        stats.repairs_asked += u64::from(inbound.nack_count);
    }
    for outbound in report.outbound_rtp_streams() {
        stats.packets_resent += outbound.retransmitted_packets_sent;
    }
    let secs = history.at.map_or(2.0, |at| now.duration_since(at).as_secs_f64()).max(0.001);
    stats.send_kbps = (sent as f64 * 8.0 / secs / 1000.0) as u32;
    stats.receive_kbps = (received as f64 * 8.0 / secs / 1000.0) as u32;
    stats.max_video_kbps = Some(shared.max_video_bitrate.load(Ordering::Relaxed) / 1000).filter(|kbps| *kbps > 0);
    history.at = Some(now);
    history.pair_bytes = pair_bytes;
    shared.state.send_modify(|s| s.stats = stats);
}
