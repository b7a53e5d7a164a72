//! Media to one receiver, written past str0m: the SFU protects each forwarded
//! packet itself and numbers it for transport-wide congestion control, keeps
//! video for resending, and does what str0m did for the streams it sent:
//! answers the receiver's repair requests (NACK, with RTX where the receiver
//! takes it), sends sender reports (which line audio up with video), and
//! estimates the path from the receiver's transport-wide feedback. str0m
//! still reads the receiver's RTCP too, for keyframe requests.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use str0m::rtp::rtcp::{ReceptionReport, Rtcp};

use super::estimate::{Acked, Estimator};
use super::feedback;
use super::recent::Recent;
use str0m::crypto::CryptoError;

use super::srtp::{Header, KeySlot, SrtcpReceiver, SrtcpSender, SrtpSender, nearest_index};

/// How long forwarded video is kept for resending, and at most how many packets of it.
pub const CACHE_AGE: Duration = Duration::from_secs(1);
pub const CACHE_PACKETS: usize = 1024;
/// Resends beyond this share of what a stream sent in the last second are dropped: a
/// receiver that asks for everything gets at most one and a half times its stream.
const RESEND_SHARE: u64 = 2;
/// A packet is resent at most once per round trip; until one is measured, per this.
const DEFAULT_RESEND_GAP: Duration = Duration::from_millis(20);
/// How often the receiver gets a sender report of each stream.
const REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// Packets sent that the receiver's transport-wide feedback may still report on (its
/// feedback comes every 100 ms or so).
const SENT_KEPT: usize = 1024;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// A repair stream (RFC 4588) the receiver takes for a video stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repair {
    pub ssrc: u32,
    pub pt: u8,
}

/// A stream as the receiver knows it, from the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Track {
    pub ssrc: u32,
    pub pt: u8,
    pub video: bool,
    pub repair: Option<Repair>,
}

/// A video packet sent to the receiver: its payload is kept once, with the publisher's.
struct SentVideo {
    /// The publisher's stream and extended sequence number.
    source: (u32, u64),
    time: u32,
    marker: bool,
    resent: Option<Instant>,
}

/// A packet the receiver asked for again: which of the publisher's packets to resend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resend {
    /// The receiver's stream and the packet's extended sequence number on it.
    pub ssrc: u32,
    pub index: u64,
    /// The publisher's stream and extended sequence number.
    pub source: (u32, u64),
}

/// A packet sent with a transport-wide sequence number, kept until the receiver's feedback
/// has reported on it. A `seq` of `u64::MAX` marks a place not used yet.
#[derive(Clone, Copy)]
struct Sent {
    seq: u64,
    at: Instant,
    size: u32,
}

struct Stream {
    ssrc: u32,
    pt: u8,
    clock_rate: u32,
    repair: Option<Repair>,
    /// The repair stream's next extended sequence number.
    repair_index: u64,
    /// Video sent, for at most [`CACHE_AGE`], in order of sequence number; none for audio.
    video: Option<Recent<SentVideo>>,
    /// The highest extended sequence number sent.
    highest: Option<u64>,
    /// For the sender reports: packets and payload bytes sent, and the newest
    /// packet's timestamp with when it arrived from the publisher.
    packets: u32,
    octets: u32,
    latest: Option<(u32, Instant)>,
    /// Bytes sent and resent in this second, and sent in the last.
    second: Instant,
    sent_bytes: u64,
    resent_bytes: u64,
    sent_last_second: u64,
}

impl Stream {
    fn may_resend(&mut self, bytes: usize, now: Instant) -> bool {
        self.roll(now);
        let allowance = self.sent_bytes.max(self.sent_last_second) / RESEND_SHARE;
        let fits = self.resent_bytes + bytes as u64 <= allowance;
        if fits {
            self.resent_bytes += bytes as u64;
        }
        fits
    }

    fn roll(&mut self, now: Instant) {
        if now.duration_since(self.second) >= Duration::from_secs(1) {
            self.sent_last_second = self.sent_bytes;
            self.sent_bytes = 0;
            self.resent_bytes = 0;
            self.second = now;
        }
    }
}

/// One receiver's media sent past str0m.
pub struct Egress {
    srtp: SrtpSender,
    rtcp_in: SrtcpReceiver,
    rtcp_out: SrtcpSender,
    /// The sender SSRC that leads the SFU's own RTCP to this receiver.
    ssrc: u32,
    transport_seq_ext: Option<u8>,
    transport_seq: u64,
    /// Packets sent, by transport-wide sequence number modulo its size.
    sent: Vec<Sent>,
    /// Where the receiver's feedback counts its arrival times from.
    feedback_epoch: Instant,
    estimator: Estimator,
    /// A few per receiver: a list is quicker than a map.
    streams: Vec<Stream>,
    /// Packets asked for again, not yet resent: (stream, extended sequence number).
    resends: VecDeque<(usize, u64)>,
    rtt: Option<Duration>,
    next_report: Instant,
    rtcp_plain: Vec<u8>,
    compound: Vec<u8>,
    acked: Vec<Acked>,
    /// A repair being written: the original sequence number, then the payload.
    rtx_payload: Vec<u8>,
}

impl Egress {
    /// Once the receiver's DTLS handshake is done; with the id of the header extension
    /// that carries the transport-wide sequence number, if the receiver takes it.
    pub fn new(keys: &KeySlot, transport_seq_ext: Option<u8>, initial_estimate: u64, now: Instant) -> Option<Self> {
        Some(Self {
            srtp: keys.sender()?,
            rtcp_in: keys.rtcp_receiver()?,
            rtcp_out: keys.rtcp_sender()?,
            ssrc: feedback::own_ssrc()?,
            transport_seq_ext,
            transport_seq: 0,
            sent: vec![Sent { seq: u64::MAX, at: now, size: 0 }; SENT_KEPT],
            feedback_epoch: now,
            estimator: Estimator::new(initial_estimate),
            streams: Vec::new(),
            resends: VecDeque::new(),
            rtt: None,
            next_report: now + REPORT_INTERVAL,
            rtcp_plain: Vec::new(),
            compound: Vec::new(),
            acked: Vec::new(),
            rtx_payload: Vec::new(),
        })
    }

    /// Protects one forwarded packet of `track` into `out`: `index` is its extended
    /// sequence number on the receiver's stream, `source` the publisher's stream and
    /// sequence number, `arrived` when the publisher's packet arrived.
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &mut self,
        track: &Track,
        source: (u32, u64),
        index: u64,
        time: u32,
        marker: bool,
        payload: &[u8],
        arrived: Instant,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        let at = self.stream(track, now);
        let transport_seq = self.next_transport_seq();
        let header = Header { pt: track.pt, marker, index, time, ssrc: track.ssrc, transport_seq };
        self.srtp.seal(&header, payload, out)?;
        self.sent(transport_seq, out.len(), now);
        let stream = &mut self.streams[at];
        stream.roll(now);
        stream.sent_bytes += out.len() as u64;
        stream.packets = stream.packets.wrapping_add(1);
        stream.octets = stream.octets.wrapping_add(payload.len() as u32);
        if stream.highest.is_none_or(|highest| index >= highest) {
            stream.highest = Some(index);
            stream.latest = Some((time, arrived));
        }
        if let Some(video) = stream.video.as_mut() {
            video.keep(index, now, SentVideo { source, time, marker, resent: None }, drop);
        }
        Ok(())
    }

    /// Where in the list the stream of `track` is, added the first time it is sent.
    fn stream(&mut self, track: &Track, now: Instant) -> usize {
        if let Some(at) = self.streams.iter().position(|s| s.ssrc == track.ssrc) {
            return at;
        }
        self.streams.push(Stream {
            ssrc: track.ssrc,
            pt: track.pt,
            clock_rate: if track.video { 90_000 } else { 48_000 },
            repair: track.repair,
            repair_index: u64::from(random_u16()),
            // Video is resent; late audio is useless.
            video: track.video.then(|| Recent::new(CACHE_AGE, CACHE_PACKETS)),
            highest: None,
            packets: 0,
            octets: 0,
            latest: None,
            second: now,
            sent_bytes: 0,
            resent_bytes: 0,
            sent_last_second: 0,
        });
        self.streams.len() - 1
    }

    fn next_transport_seq(&mut self) -> Option<(u8, u16)> {
        let id = self.transport_seq_ext?;
        Some((id, self.transport_seq as u16))
    }

    fn sent(&mut self, transport_seq: Option<(u8, u16)>, size: usize, now: Instant) {
        if transport_seq.is_some() {
            let seq = self.transport_seq;
            self.sent[seq as usize % SENT_KEPT] = Sent { seq, at: now, size: size as u32 };
            self.transport_seq += 1;
        }
    }

    /// Reads the receiver's SRTCP: its repair requests, transport-wide feedback and
    /// reception reports (for the round trip). True if it was authentic, not a replay,
    /// and the newest of its sender's: the receiver sent it from where it now is.
    pub fn read_rtcp(&mut self, data: &[u8], now: Instant) -> bool {
        let Ok(newest) = self.rtcp_in.open(data, &mut self.rtcp_plain) else { return false };
        let plain = std::mem::take(&mut self.rtcp_plain);
        let mut acked = std::mem::take(&mut self.acked);
        for packet in feedback::compound(&plain) {
            match Rtcp::try_from(packet) {
                Ok(Rtcp::Nack(nack)) => {
                    let Some(at) = self.streams.iter().position(|s| s.ssrc == *nack.ssrc && s.video.is_some()) else {
                        continue;
                    };
                    let Some(highest) = self.streams[at].highest else { continue };
                    for entry in nack.reports.iter() {
                        let lost = std::iter::once(entry.pid)
                            .chain((0..16).filter(|bit| entry.blp & (1 << bit) != 0).map(|bit| entry.pid.wrapping_add(bit + 1)));
                        for seq in lost {
                            let index = nearest_index(highest, seq);
                            if !self.resends.contains(&(at, index)) {
                                self.resends.push_back((at, index));
                            }
                        }
                    }
                }
                Ok(Rtcp::Twcc(twcc)) if self.transport_seq > 0 => {
                    // Arrival times count from the feedback's reference time; only their
                    // differences mean anything, so any instant serves as the epoch.
                    let newest = self.transport_seq - 1;
                    acked.clear();
                    for (seq, _, arrived) in twcc.into_iter(self.feedback_epoch, newest.into()) {
                        let seq = *seq;
                        let sent = self.sent[seq as usize % SENT_KEPT];
                        if sent.seq == seq {
                            acked.push(Acked { seq, sent: sent.at, size: sent.size as usize, arrived });
                        }
                    }
                    self.estimator.update(acked.drain(..), now);
                }
                Ok(Rtcp::ReceiverReport(rr)) => self.reception_reports(rr.reports.iter(), now),
                Ok(Rtcp::SenderReport(sr)) => self.reception_reports(sr.reports.iter(), now),
                _ => {}
            }
        }
        self.acked = acked;
        self.rtcp_plain = plain;
        newest
    }

    fn reception_reports<'a>(&mut self, reports: impl Iterator<Item = &'a ReceptionReport>, now: Instant) {
        for report in reports {
            if report.last_sr_time == 0 || !self.streams.iter().any(|s| s.ssrc == *report.ssrc) {
                continue;
            }
            // RFC 3550 §6.4.1: now, less when our report was sent, less how long the receiver held it.
            let units = ntp_middle(now).wrapping_sub(report.last_sr_time).wrapping_sub(report.last_sr_delay);
            if units < 1 << 31 {
                self.rtt = Some(Duration::from_micros((u64::from(units) * 1_000_000) >> 16));
            }
        }
    }

    /// The packets asked for again that are due: not resent within the last round trip,
    /// and not older than the cache keeps.
    pub fn due_resends(&mut self, now: Instant) -> Vec<Resend> {
        let gap = self.rtt.unwrap_or(DEFAULT_RESEND_GAP);
        let mut due = Vec::new();
        while let Some((at, index)) = self.resends.pop_front() {
            let stream = &self.streams[at];
            let Some(sent) = stream.video.as_ref().and_then(|v| v.get(index, now)) else { continue };
            if sent.resent.is_none_or(|at| now.saturating_duration_since(at) >= gap) {
                due.push(Resend { ssrc: stream.ssrc, index, source: sent.source });
            }
        }
        due
    }

    /// Protects the packet asked for again into `out`, with its payload kept by the
    /// publisher: on the repair stream where the receiver takes one (RFC 4588), else as
    /// it was sent. False if it may not be sent (the resend cap) or is gone.
    pub fn seal_resend(&mut self, resend: &Resend, payload: &[u8], now: Instant, out: &mut Vec<u8>) -> bool {
        let index = resend.index;
        let Some(stream) = self.streams.iter_mut().find(|s| s.ssrc == resend.ssrc) else { return false };
        if stream.video.as_ref().and_then(|v| v.get(index, now)).is_none() || !stream.may_resend(payload.len() + 2, now) {
            return false;
        }
        let Some(sent) = stream.video.as_mut().and_then(|v| v.get_mut(index, now)) else { return false };
        sent.resent = Some(now);
        let (time, marker) = (sent.time, sent.marker);
        let (mut header, repaired) = match stream.repair {
            Some(repair) => {
                self.rtx_payload.clear();
                self.rtx_payload.extend_from_slice(&(index as u16).to_be_bytes());
                self.rtx_payload.extend_from_slice(payload);
                let header = Header { pt: repair.pt, marker, index: stream.repair_index, time, ssrc: repair.ssrc, transport_seq: None };
                stream.repair_index += 1;
                (header, true)
            }
            None => (Header { pt: stream.pt, marker, index, time, ssrc: stream.ssrc, transport_seq: None }, false),
        };
        header.transport_seq = self.next_transport_seq();
        let sealed = if repaired { self.srtp.seal(&header, &self.rtx_payload, out) } else { self.srtp.seal(&header, payload, out) };
        if let Err(e) = sealed {
            tracing::debug!("resend not encrypted: {e}");
            return false;
        }
        self.sent(header.transport_seq, out.len(), now);
        true
    }

    /// The sender reports due now, protected into `out`. They follow a receiver report
    /// from the SFU's own SSRC, whose SRTCP index counts apart from str0m's.
    pub fn report(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        if now < self.next_report {
            return false;
        }
        self.next_report = now + REPORT_INTERVAL;
        self.compound.clear();
        feedback::receiver_report(&mut self.compound, self.ssrc, &[]);
        let ntp = ntp_time(now);
        let mut any = false;
        for stream in &self.streams {
            let Some((time, arrived)) = stream.latest else { continue };
            // The stream's timestamp now, on from its newest packet at its clock's rate.
            let elapsed = now.saturating_duration_since(arrived);
            let ticks = (elapsed.as_micros() * u128::from(stream.clock_rate) / 1_000_000) as u32;
            feedback::sender_report(&mut self.compound, stream.ssrc, ntp, time.wrapping_add(ticks), stream.packets, stream.octets);
            any = true;
        }
        if !any {
            return false;
        }
        match self.rtcp_out.seal(&self.compound, out) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("sender reports not encrypted: {e}");
                false
            }
        }
    }

    /// What the path to the receiver can carry, in bit/s.
    pub fn estimate(&self) -> u64 {
        self.estimator.estimate()
    }

    /// The round trip, from the receiver's answers to the sender reports.
    pub fn rtt(&self) -> Option<Duration> {
        self.rtt
    }
}

/// The NTP time (RFC 5905: seconds since 1900, and a 32-bit fraction) of an instant.
fn ntp_time(at: Instant) -> u64 {
    let (now, wall_now) = (Instant::now(), SystemTime::now());
    let wall = if at >= now { wall_now + (at - now) } else { wall_now - (now - at) };
    let since_unix = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
    let fraction = (u64::from(since_unix.subsec_nanos()) << 32) / 1_000_000_000;
    (since_unix.as_secs() + NTP_UNIX_OFFSET) << 32 | fraction
}

/// The middle 32 bits of an instant's NTP time, in which reception reports count.
fn ntp_middle(at: Instant) -> u32 {
    (ntp_time(at) >> 16) as u32
}

fn random_u16() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    u16::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::feedback::TransportFeedback;
    use crate::media::recent::Payloads;
    use crate::media::srtp::test_peer;

    /// The publisher's stream the packets come from.
    const SOURCE: u32 = 0x9999;

    /// What the SFU does with the receiver's requests: each one due is sealed with the
    /// payload the publisher's track kept. The packets resent.
    fn resend(egress: &mut Egress, kept: &Payloads, now: Instant) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let due = egress.due_resends(now);
        due.iter()
            .filter_map(|r| {
                let payload = kept.get(r.source.0, r.source.1, now)?;
                egress.seal_resend(r, payload, now, &mut out).then(|| out.clone())
            })
            .collect()
    }

    /// Sends a packet as the SFU forwards it: the publisher's track keeps its payload.
    #[allow(clippy::too_many_arguments)]
    fn forward(egress: &mut Egress, kept: &mut Payloads, track: &Track, index: u64, time: u32, marker: bool, payload: &[u8], at: Instant, out: &mut Vec<u8>) {
        // The publisher's numbers are its own: here, far from the receiver's.
        let source = index + 5000;
        if track.video {
            kept.keep(SOURCE, source, at, payload);
        }
        egress.send(track, (SOURCE, source), index, time, marker, payload, at, at, out).unwrap();
    }

    fn kept() -> Payloads {
        Payloads::new(CACHE_AGE, CACHE_PACKETS)
    }

    const VIDEO: Track = Track { ssrc: 0x0100, pt: 108, video: true, repair: Some(Repair { ssrc: 0x0101, pt: 109 }) };
    const AUDIO: Track = Track { ssrc: 0x0200, pt: 111, video: false, repair: None };
    const TRANSPORT_SEQ_ID: u8 = 3;

    /// What the receiver reads of a packet the SFU sent: (pt, seq, ssrc, transport-wide seq, payload).
    fn read(sfu_side: &mut rtc_srtp::context::Context, packet: &[u8]) -> (u8, u16, u32, Option<u16>, Vec<u8>) {
        let plain = sfu_side.decrypt_rtp(packet).expect("the receiver reads what the SFU sends").to_vec();
        let header_len = crate::media::srtp::rtp_header_len(&plain).unwrap();
        let transport_seq = (plain[0] & 0x10 != 0).then(|| {
            assert_eq!(plain[12..16], [0xbe, 0xde, 0, 1], "one word of one-byte extensions");
            assert_eq!(plain[16], TRANSPORT_SEQ_ID << 4 | 1);
            u16::from_be_bytes([plain[17], plain[18]])
        });
        let ssrc = u32::from_be_bytes(plain[8..12].try_into().unwrap());
        (plain[1] & 0x7f, u16::from_be_bytes([plain[2], plain[3]]), ssrc, transport_seq, plain[header_len..].to_vec())
    }

    /// The receiver's RTCP: a reception report with no blocks, then `packet`, protected.
    fn from_receiver(peer: &mut rtc_srtp::context::Context, packet: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut rtcp = Vec::new();
        feedback::receiver_report(&mut rtcp, 0x7777, &[]);
        packet(&mut rtcp);
        peer.encrypt_rtcp(&rtcp).unwrap().to_vec()
    }

    fn sent_video(now: Instant) -> (Egress, Payloads, rtc_srtp::context::Context, rtc_srtp::context::Context) {
        let (keys, peer, mut sfu_side) = test_peer();
        let mut egress = Egress::new(&keys, Some(TRANSPORT_SEQ_ID), 1_500_000, now).unwrap();
        let (mut kept, mut out) = (kept(), Vec::new());
        for index in 0xfffe..0x1_0006 {
            forward(&mut egress, &mut kept, &VIDEO, index, 9000, false, &[index as u8; 400], now, &mut out);
            let (pt, seq, ssrc, transport_seq, payload) = read(&mut sfu_side, &out);
            assert_eq!((pt, seq, ssrc), (108, index as u16, 0x0100));
            assert_eq!(transport_seq, Some((index - 0xfffe) as u16), "every packet carries the next transport-wide number");
            assert_eq!(payload, [index as u8; 400]);
        }
        (egress, kept, peer, sfu_side)
    }

    #[test]
    fn a_lost_video_packet_is_resent_on_its_repair_stream_once_a_round_trip() {
        let now = Instant::now();
        let (mut egress, kept, mut peer, mut sfu_side) = sent_video(now);
        // Lost: the last before the wrap, and two after it; one never sent.
        let nack = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[0xffff, 0x0001, 0x0003, 0x0100]));
        egress.read_rtcp(&nack, now);
        let repairs: Vec<_> = resend(&mut egress, &kept, now).iter().map(|packet| read(&mut sfu_side, packet)).collect();
        assert_eq!(repairs.len(), 3, "the three packets sent, not the one never sent");
        let first_repair_seq = repairs[0].1;
        for (n, ((pt, seq, ssrc, transport_seq, payload), original)) in repairs.iter().zip([0xffff_u64, 0x1_0001, 0x1_0003]).enumerate() {
            assert_eq!((*pt, *ssrc), (109, 0x0101), "on the repair stream");
            assert_eq!(*seq, first_repair_seq.wrapping_add(n as u16), "the repair stream counts on its own");
            assert_eq!(*transport_seq, Some(8 + n as u16), "repairs count in the transport-wide sequence too");
            assert_eq!(payload[..2], (original as u16).to_be_bytes(), "RFC 4588: the original sequence number first");
            assert_eq!(payload[2..], [original as u8; 400]);
        }
        // Asked again at once: already on its way. A round trip later: sent again.
        let again = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[0x0001]));
        egress.read_rtcp(&again, now + Duration::from_millis(5));
        assert!(resend(&mut egress, &kept, now + Duration::from_millis(5)).is_empty(), "not twice within a round trip");
        let again = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[0x0001]));
        egress.read_rtcp(&again, now + DEFAULT_RESEND_GAP * 2);
        assert_eq!(resend(&mut egress, &kept, now + DEFAULT_RESEND_GAP * 2).len(), 1, "asked again a round trip later: resent");
        // Older than the cache keeps: gone.
        let late = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[0x0002]));
        egress.read_rtcp(&late, now + CACHE_AGE * 2);
        assert!(egress.due_resends(now + CACHE_AGE * 2).is_empty(), "a repair that would come too late is not sent");
    }

    #[test]
    fn resends_stop_at_half_of_what_the_stream_sent() {
        let now = Instant::now();
        let (mut egress, kept, mut peer, _) = sent_video(now);
        let everything: Vec<u16> = (0xfffe_u16..=0xffff).chain(0..6).collect();
        let nack = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &everything));
        egress.read_rtcp(&nack, now);
        assert_eq!(resend(&mut egress, &kept, now).len(), 4, "four of the eight packets: half the bytes the stream sent");
    }

    #[test]
    fn audio_is_not_kept_for_resending_and_altered_rtcp_is_not_read() {
        let now = Instant::now();
        let (keys, mut peer, _) = test_peer();
        let mut egress = Egress::new(&keys, None, 1_500_000, now).unwrap();
        let (mut kept, mut out) = (kept(), Vec::new());
        for index in 0..4 {
            forward(&mut egress, &mut kept, &AUDIO, index, 960 * index as u32, false, &[1; 80], now, &mut out);
            assert_eq!(out[0] & 0x10, 0, "no transport-wide number where the receiver takes none");
        }
        let nack = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0200, &[1, 2]));
        egress.read_rtcp(&nack, now);
        assert!(resend(&mut egress, &kept, now).is_empty(), "late audio is useless");
        // Altered on the way: dropped unread.
        for index in 1..=4 {
            forward(&mut egress, &mut kept, &VIDEO, index, 0, index == 4, &[2; 300], now, &mut out);
        }
        let mut altered = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[1]));
        altered[10] ^= 1;
        assert!(!egress.read_rtcp(&altered, now), "an altered request is not read");
        assert!(egress.resends.is_empty());
        let nack = from_receiver(&mut peer, |rtcp| feedback::nack(rtcp, 0x7777, 0x0100, &[1]));
        assert!(egress.read_rtcp(&nack, now), "the same request unaltered is");
        assert_eq!(resend(&mut egress, &kept, now).len(), 1);
        // Replayed (from wherever): read by nobody, and no sign of where the receiver is.
        assert!(!egress.read_rtcp(&nack, now + Duration::from_millis(100)), "a replay is not news");
        assert!(egress.resends.is_empty());
    }

    #[test]
    fn sender_reports_tell_each_streams_time_now_and_what_was_sent() {
        let start = Instant::now();
        let (keys, _, mut sfu_side) = test_peer();
        let mut egress = Egress::new(&keys, Some(TRANSPORT_SEQ_ID), 1_500_000, start).unwrap();
        let mut out = Vec::new();
        for index in 0..10 {
            let arrived = start + Duration::from_millis(20 * index);
            egress.send(&AUDIO, (SOURCE, index), index, 960 * index as u32, false, &[1; 80], arrived, arrived, &mut out).unwrap();
            egress.send(&VIDEO, (SOURCE, index), index, 3000 * index as u32, index == 9, &[2; 500], arrived, arrived, &mut out).unwrap();
        }
        assert!(!egress.report(start + Duration::from_millis(500), &mut out), "not before the report interval");
        // 1 s after the start, 820 ms after the newest packets arrived.
        let at = start + REPORT_INTERVAL;
        assert!(egress.report(at, &mut out));
        let compound = sfu_side.decrypt_rtcp(&out).expect("the receiver reads the reports").to_vec();
        assert_eq!(compound[1], 201, "led by a reception report");
        assert_eq!(compound[4..8], egress.ssrc.to_be_bytes(), "from the SFU's own SSRC");
        let mut reports = Vec::new();
        for packet in feedback::compound(&compound[8..]) {
            let Ok(Rtcp::SenderReport(sr)) = Rtcp::try_from(packet) else { panic!("a sender report") };
            reports.push(sr.sender_info);
        }
        assert_eq!(reports.len(), 2);
        let audio = reports.iter().find(|r| *r.ssrc == 0x0200).unwrap();
        let video = reports.iter().find(|r| *r.ssrc == 0x0100).unwrap();
        assert_eq!((audio.sender_packet_count, audio.sender_octet_count), (10, 800));
        assert_eq!((video.sender_packet_count, video.sender_octet_count), (10, 5000));
        // The newest timestamps, on by 820 ms of each clock.
        assert_eq!(audio.rtp_time.numer(), 960 * 9 + 48 * 820);
        assert_eq!(video.rtp_time.numer(), 3000 * 9 + 90 * 820);
        let wall = |info: &str0m::rtp::rtcp::SenderInfo| info.ntp_time.duration_since(UNIX_EPOCH).unwrap();
        assert_eq!(wall(audio), wall(video), "one wall-clock time for both");
        let expected = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(expected.abs_diff(wall(audio)) < Duration::from_secs(2), "the time now");
    }

    #[test]
    fn the_receivers_answer_to_a_sender_report_gives_the_round_trip() {
        let start = Instant::now();
        let (keys, mut peer, _) = test_peer();
        let mut egress = Egress::new(&keys, None, 1_500_000, start).unwrap();
        let mut out = Vec::new();
        egress.send(&AUDIO, (SOURCE, 1), 1, 960, false, &[1; 80], start, start, &mut out).unwrap();
        let reported = start + REPORT_INTERVAL;
        assert!(egress.report(reported, &mut out));
        // The receiver held it for half a second and answered; it arrives 600 ms after it was sent.
        let block = feedback::ReportBlock { ssrc: 0x0200, last_sr: ntp_middle(reported), delay_since_last_sr: 1 << 15, ..Default::default() };
        let mut rtcp = Vec::new();
        feedback::receiver_report(&mut rtcp, 0x7777, &[block]);
        let answer = peer.encrypt_rtcp(&rtcp).unwrap();
        egress.read_rtcp(&answer, reported + Duration::from_millis(600));
        let rtt = egress.rtt().expect("a round trip");
        assert!(rtt.abs_diff(Duration::from_millis(100)) < Duration::from_millis(2), "{rtt:?}");
    }

    #[test]
    fn transport_wide_feedback_from_a_queue_that_grows_brings_the_estimate_down() {
        let start = Instant::now();
        let (keys, mut peer, _) = test_peer();
        let mut egress = Egress::new(&keys, Some(TRANSPORT_SEQ_ID), 1_500_000, start).unwrap();
        let mut receiver = TransportFeedback::new();
        let mut out = Vec::new();
        // 100 pictures a second of 1200 bytes each; each arrives 4 ms later than the last
        // after the first second: a queue growing on the way.
        for n in 0..300u64 {
            let sent = start + Duration::from_millis(10 * n);
            egress.send(&VIDEO, (SOURCE, n), n, 900 * n as u32, true, &[0; 1200], sent, sent, &mut out).unwrap();
            let queue = Duration::from_millis(4 * n.saturating_sub(100));
            receiver.record(n as u16, sent + Duration::from_millis(30) + queue);
            if n % 10 == 9 {
                let feedback = from_receiver(&mut peer, |rtcp| {
                    receiver.write(rtcp, 0x7777, 0x0100);
                });
                egress.read_rtcp(&feedback, sent + Duration::from_millis(60) + queue);
            }
            if n == 99 {
                assert!(egress.estimate() >= 1_500_000, "no queue, no decrease: {}", egress.estimate());
            }
        }
        assert!(egress.estimate() < 1_000_000, "the growing queue brought the estimate down: {}", egress.estimate());
    }
}
