//! One participant's peer connection in the SFU, and what it sends and receives.

use std::net::SocketAddr;
use std::time::Instant;

use cloudtrial_protocol::signalling::{NetworkQuality, ServerMessage};
use str0m::Rtc;
use str0m::change::SdpPendingOffer;
use str0m::media::{MediaKind, Mid};
use str0m::net::Protocol;
use tokio::sync::mpsc;

/// A track the participant publishes.
pub struct InTrack {
    pub mid: Mid,
    pub kind: MediaKind,
    pub last_keyframe_request: Option<Instant>,
    /// When the publisher's last keyframe arrived whole.
    pub last_keyframe: Option<Instant>,
    /// The packets of its newest keyframe so far.
    pub arrival: super::keyframe::Arrival,
    /// A receiver whose picture broke asked for a keyframe too soon after the last one;
    /// the publisher is asked once the SFU's repair gap has passed.
    pub keyframe_wanted: bool,
    /// Payload bytes since the last allocation, and the bit rate they came to.
    pub bytes: u64,
    pub rate: u64,
    /// The last second of its video, for its receivers' repairs.
    pub payloads: Option<super::recent::Payloads>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutState {
    /// Wanted; not yet in an offer.
    ToOpen,
    /// In the offer awaiting the client's answer.
    Negotiating(Mid),
    Open(Mid),
}

/// Another participant's track this participant receives.
pub struct OutTrack {
    pub source: i64,
    pub kind: MediaKind,
    pub state: OutState,
    /// How the receiver knows this stream (SSRC, payload type, repairs), once open.
    pub sent_as: Option<super::egress::Track>,
    /// The receiver's sequence numbers and timestamps for this stream. Until it
    /// follows the publisher's stream (at first, and after a pause), video is
    /// held back until a keyframe starts, so the decoder starts clean.
    pub rewrite: super::rewrite::Rewrite,
}

pub struct Peer {
    pub id: u64,
    pub hearing_id: i64,
    pub participant_id: i64,
    pub rtc: Rtc,
    pub outbox: mpsc::Sender<ServerMessage>,
    pub inbound: Vec<InTrack>,
    pub outbound: Vec<OutTrack>,
    pub pending: Option<SdpPendingOffer>,
    /// The pending offer's text, to send again if the participant's socket is replaced.
    pub pending_sdp: Option<String>,
    pub pending_since: Option<Instant>,
    pub disconnected_since: Option<Instant>,
    pub next_timeout: Instant,
    pub quality: Option<NetworkQuality>,
    pub frames_received: u64,
    pub frames_sent: u64,
    pub keyframe_requests: u64,
    pub keyframes_received: u64,
    pub video_from: std::collections::BTreeMap<i64, u64>,
    pub transport: Option<String>,
    /// The local ICE username fragment, registered for this worker.
    pub ufrag: String,
    /// Which RTCP feedback the participant's offer takes for video (REMB, PLI or FIR).
    pub feedback: super::sdp::VideoFeedback,
    /// Where the participant's SRTP keys arrive.
    pub keys: super::srtp::KeySlot,
    /// The media it receives, written past str0m once its keys are known.
    pub egress: Option<super::egress::Egress>,
    /// The participant's own media, read past str0m once its keys are known.
    pub ingress: Option<super::ingress::Ingress>,
    /// The round trip to the participant, once measured.
    pub rtt: Option<std::time::Duration>,
    /// The path ICE chose (protocol, our address, theirs): where str0m last sent, or where
    /// the participant's newest authentic packet came from.
    pub media_path: Option<(Protocol, SocketAddr, SocketAddr)>,
}

impl Peer {
    pub fn new(
        id: u64,
        hearing_id: i64,
        participant_id: i64,
        rtc: Rtc,
        keys: super::srtp::KeySlot,
        outbox: mpsc::Sender<ServerMessage>,
    ) -> Self {
        Self {
            id,
            hearing_id,
            participant_id,
            rtc,
            outbox,
            inbound: Vec::new(),
            outbound: Vec::new(),
            pending: None,
            pending_sdp: None,
            pending_since: None,
            disconnected_since: None,
            next_timeout: Instant::now(),
            quality: None,
            frames_received: 0,
            frames_sent: 0,
            keyframe_requests: 0,
            keyframes_received: 0,
            video_from: Default::default(),
            transport: None,
            ufrag: String::new(),
            feedback: super::sdp::VideoFeedback { nack: false, pli: false, fir: false, remb: false },
            keys,
            egress: None,
            ingress: None,
            rtt: None,
            media_path: None,
        }
    }

    /// Wants `source`'s track of `kind`, unless it already has it.
    pub fn want(&mut self, source: i64, kind: MediaKind) {
        if !self.outbound.iter().any(|t| t.source == source && t.kind == kind) {
            self.outbound.push(OutTrack {
                source,
                kind,
                state: OutState::ToOpen,
                sent_as: None,
                rewrite: Default::default(),
            });
        }
    }

    /// What the path to this participant can carry (bit/s), from its congestion feedback.
    pub fn downlink(&self) -> Option<u64> {
        self.egress.as_ref().map(|e| e.estimate())
    }

    pub fn send(&self, message: ServerMessage) {
        if self.outbox.try_send(message).is_err() {
            tracing::warn!(participant_id = self.participant_id, "media signalling dropped: the socket is gone or full");
        }
    }

    /// The payload type this participant's connection uses for `kind` (H.264 or Opus).
    pub fn payload_type(&self, kind: MediaKind) -> Option<str0m::media::Pt> {
        let codec = if kind == MediaKind::Video { str0m::format::Codec::H264 } else { str0m::format::Codec::Opus };
        self.rtc.codec_config().find(|p| p.spec().codec == codec).map(|p| p.pt())
    }

    /// Puts every wanted track into one new offer, if none is pending.
    pub fn negotiate(&mut self) {
        if self.pending.is_some() || !self.outbound.iter().any(|t| t.state == OutState::ToOpen) {
            return;
        }
        let mut changes = self.rtc.sdp_api();
        for track in self.outbound.iter_mut().filter(|t| t.state == OutState::ToOpen) {
            let stream = format!("p{}", track.source);
            let name = format!("p{}-{}", track.source, if track.kind == MediaKind::Video { "video" } else { "audio" });
            let mid = changes.add_media(track.kind, str0m::media::Direction::SendOnly, Some(stream), Some(name), None);
            track.state = OutState::Negotiating(mid);
        }
        if let Some((offer, pending)) = changes.apply() {
            let sdp = super::sdp::tidy(&offer.to_sdp_string(), None);
            self.pending = Some(pending);
            self.pending_sdp = Some(sdp.clone());
            self.pending_since = Some(Instant::now());
            self.send(ServerMessage::MediaOffer { sdp });
        }
    }

    /// Our offer was overtaken (by the client's own offer): its tracks go back to wanted.
    pub fn abandon_offer(&mut self) {
        self.pending = None;
        self.pending_sdp = None;
        self.pending_since = None;
        for track in &mut self.outbound {
            if let OutState::Negotiating(_) = track.state {
                track.state = OutState::ToOpen;
            }
        }
    }
}
