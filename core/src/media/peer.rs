//! The webrtc peer connection to the server's SFU: one H.264 and one Opus
//! track out, the others' tracks in.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtc::interceptor::{Attribute, Interceptor, NackResponderBuilder, Packet, Slot, StreamInfo, TaggedPacket};
use rtc::peer_connection::configuration::interceptor_registry::{
    configure_rtcp_reports, configure_simulcast_extension_headers, configure_twcc_receiver_only,
};
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_H264, MIME_TYPE_OPUS, MIME_TYPE_RTX};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RTCRtpRtxParameters, RtpCodecKind,
};
use rtc::sansio::Protocol;
use tokio::sync::mpsc;
use webrtc::media_stream::MediaStreamTrack;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceServer, RTCPeerConnectionIceEvent, RTCPeerConnectionState, Registry, SettingEngineBuilder,
};
use webrtc::rtp_transceiver::RtpSender;

use super::repair::{RepairInterceptor, Repairs};
use crate::error::{Error, Result};

const H264_FMTP: &str = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";

fn h264() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_H264.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: H264_FMTP.to_owned(),
        rtcp_feedback: vec![],
    }
}

const H264_PT: u8 = 102;
const RTX_PT: u8 = 103;

/// RFC 4588 retransmission of the H.264 stream: a lost packet is sent again on
/// a stream of its own, instead of the picture waiting for the next keyframe.
fn rtx() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_RTX.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: format!("apt={H264_PT}"),
        rtcp_feedback: vec![],
    }
}

fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

/// Network settings of the client's media.
#[derive(Debug, Clone)]
pub struct MediaNetwork {
    /// Local UDP addresses to gather candidates on ("0.0.0.0:0": every interface).
    /// Empty when UDP cannot be used.
    pub udp: Vec<String>,
    /// Local addresses for ICE-TCP (reaching the server over TCP when UDP is blocked).
    pub tcp: Vec<String>,
    /// STUN/TURN servers (`stun:host:port`, `turn:host:port?transport=udp`).
    pub ice_servers: Vec<IceServer>,
}

impl Default for MediaNetwork {
    fn default() -> Self {
        Self { udp: vec!["0.0.0.0:0".into()], tcp: vec!["0.0.0.0:0".into()], ice_servers: Vec::new() }
    }
}

#[derive(Debug, Clone)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

/// What the peer connection reports, in order.
pub enum PeerEvent {
    Candidate(String),
    State(RTCPeerConnectionState),
    Track(Arc<dyn TrackRemote>),
}

struct Handler {
    events: mpsc::UnboundedSender<PeerEvent>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let _ = self.events.send(PeerEvent::Candidate(init.candidate));
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.events.send(PeerEvent::State(state));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.events.send(PeerEvent::Track(track));
    }
}

/// Lets the SFU's keyframe requests (PLI, FIR) and bit rate limits (REMB)
/// reach the local video track, so the encoder can follow them. By default the
/// interceptor chain swallows them.
#[derive(Default)]
struct EncoderFeedback {
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for EncoderFeedback {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = webrtc::error::Error;
    type Time = Instant;

    fn handle_read(&mut self, mut message: TaggedPacket) -> std::result::Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &message.message.packet {
            let requests: Vec<_> = packets
                .iter()
                .filter(|p| feedback_of(p.as_ref()).is_some())
                .cloned()
                .collect();
            if requests.is_empty() {
                return Ok(());
            }
            message.message.packet = Packet::Rtcp(requests);
            message.message.add(Attribute::DeliverToApplication);
        }
        self.read.push_back(message);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, message: TaggedPacket) -> std::result::Result<(), Self::Error> {
        self.write.push_back(message);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }
}

impl Interceptor for EncoderFeedback {
    fn bind_local_stream(&mut self, _: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _: &StreamInfo) {}
}

/// What the SFU asks of the local video: a keyframe, or a bit rate (bit/s) to stay under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VideoFeedback {
    Keyframe,
    MaxBitrate(u32),
}

/// The requests in a batch of RTCP packets delivered to the local video track.
pub fn video_feedback(packets: &[Box<dyn rtc::rtcp::Packet>]) -> impl Iterator<Item = VideoFeedback> + '_ {
    packets.iter().filter_map(|p| feedback_of(p.as_ref()))
}

fn feedback_of(packet: &dyn rtc::rtcp::Packet) -> Option<VideoFeedback> {
    let packet = packet.as_any();
    if let Some(remb) = packet.downcast_ref::<ReceiverEstimatedMaximumBitrate>() {
        Some(VideoFeedback::MaxBitrate(remb.bitrate.clamp(0.0, u32::MAX as f32) as u32))
    } else if packet.is::<PictureLossIndication>() || packet.is::<FullIntraRequest>() {
        Some(VideoFeedback::Keyframe)
    } else {
        None
    }
}

fn webrtc_error(e: impl std::fmt::Display) -> Error {
    Error::Media(e.to_string())
}

pub struct Peer {
    pub pc: Arc<dyn PeerConnection>,
    pub video: Arc<TrackLocalStaticSample>,
    pub audio: Arc<TrackLocalStaticSample>,
    pub video_sender: Arc<dyn RtpSender>,
    pub audio_sender: Arc<dyn RtpSender>,
    pub video_ssrc: u32,
    pub audio_ssrc: u32,
    pub repairs: Arc<Repairs>,
}

fn random_ssrc() -> u32 {
    std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), Instant::now()) as u32 | 1
}

const ICE_CHECK_INTERVAL: Duration = Duration::from_millis(50);
const ICE_CHECKS_PER_PAIR: u16 = 28;

/// Builds a peer connection publishing `stream_id` ("p{participant id}").
pub async fn build(network: &MediaNetwork, stream_id: &str, events: mpsc::UnboundedSender<PeerEvent>) -> Result<Peer> {
    let mut engine = MediaEngine::default();
    // Codecs first: feedback is added only to codecs already registered.
    engine
        .register_codec(RTCRtpCodecParameters { rtp_codec: h264(), payload_type: H264_PT }, RtpCodecKind::Video)
        .map_err(webrtc_error)?;
    engine
        .register_codec(RTCRtpCodecParameters { rtp_codec: rtx(), payload_type: RTX_PT }, RtpCodecKind::Video)
        .map_err(webrtc_error)?;
    engine
        .register_codec(RTCRtpCodecParameters { rtp_codec: opus(), payload_type: 111 }, RtpCodecKind::Audio)
        .map_err(webrtc_error)?;
    // The crate's default interceptors, but lost packets are asked for by our
    // own generator, which sees repairs (see `repair`).
    configure_simulcast_extension_headers(&mut engine).map_err(webrtc_error)?;
    for parameter in ["", "pli"] {
        engine.register_feedback(RTCPFeedback { typ: "nack".into(), parameter: parameter.into() }, RtpCodecKind::Video);
    }
    let repairs = Arc::new(Repairs::default());
    let registry = configure_rtcp_reports(configure_twcc_receiver_only(Registry::new(), &mut engine).map_err(webrtc_error)?)
        .with(Slot::NackResponder, NackResponderBuilder::new().build())
        .with(Slot::NackGenerator, RepairInterceptor::new(repairs.clone()))
        .with(Slot::from(14_000), EncoderFeedback::default());
    // The SFU says (REMB) how much video its receivers' paths can take.
    engine.register_feedback(RTCPFeedback { typ: "goog-remb".into(), parameter: String::new() }, RtpCodecKind::Video);
    let settings = SettingEngineBuilder::new()
        // Checks every 50 ms (RFC 8445's pacing) instead of the crate's 200 ms, which
        // cost one whole interval between the first answered check and the nomination:
        // a join connected ~200 ms after the SFU's answer. A pair still gets 1.4 s.
        .with_ice_connection_attempts(Some(ICE_CHECK_INTERVAL), Some(ICE_CHECKS_PER_PAIR))
        .with_discard_local_candidates_during_ice_restart(true)
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
        .build();
    let ice_servers = network
        .ice_servers
        .iter()
        .map(|s| RTCIceServer { urls: s.urls.clone(), username: s.username.clone(), credential: s.credential.clone() })
        .collect();
    let configuration = RTCConfigurationBuilder::new().with_ice_servers(ice_servers).build();
    let pc = PeerConnectionBuilder::new()
        .with_configuration(configuration)
        .with_media_engine(engine)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings)
        .with_handler(Arc::new(Handler { events }))
        .with_udp_addrs(network.udp.clone())
        .with_tcp_addrs(network.tcp.clone())
        .build()
        .await
        .map_err(webrtc_error)?;
    let pc: Arc<dyn PeerConnection> = Arc::new(pc);

    let (video_ssrc, audio_ssrc) = (random_ssrc(), random_ssrc().wrapping_add(2));
    let video_rtx = RTCRtpRtxParameters { ssrc: video_ssrc.wrapping_add(4) };
    let track = |kind, id: &str, codec: RTCRtpCodec, ssrc: u32, rtx: Option<RTCRtpRtxParameters>| {
        MediaStreamTrack::new(
            stream_id.to_owned(),
            format!("{stream_id}-{id}"),
            id.to_owned(),
            kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters { ssrc: Some(ssrc), rtx, ..Default::default() },
                codec,
                ..Default::default()
            }],
        )
    };
    let video = Arc::new(
        TrackLocalStaticSample::new(Instant::now(), track(RtpCodecKind::Video, "video", h264(), video_ssrc, Some(video_rtx)))
            .map_err(webrtc_error)?,
    );
    let audio = Arc::new(
        TrackLocalStaticSample::new(Instant::now(), track(RtpCodecKind::Audio, "audio", opus(), audio_ssrc, None))
            .map_err(webrtc_error)?,
    );
    let video_sender = pc.add_track(video.clone() as Arc<dyn TrackLocal>).await.map_err(webrtc_error)?;
    let audio_sender = pc.add_track(audio.clone() as Arc<dyn TrackLocal>).await.map_err(webrtc_error)?;
    Ok(Peer { pc, video, audio, video_sender, audio_sender, video_ssrc, audio_ssrc, repairs })
}

/// The payload type negotiated for a sender.
pub async fn payload_type(sender: &Arc<dyn RtpSender>) -> Option<u8> {
    let parameters = sender.get_parameters().await.ok()?;
    parameters.rtp_parameters.codecs.first().map(|c| c.payload_type)
}
