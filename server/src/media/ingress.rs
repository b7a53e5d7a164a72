//! A publisher's RTP, read past str0m: the SFU authenticates and decrypts it
//! itself, repairs the streams (RTX), and sends the publisher the feedback
//! str0m would have: receiver reports, repair requests (NACK) and
//! transport-wide congestion feedback. str0m keeps the publisher's ICE, DTLS
//! and RTCP, and knows its streams from the SDP (which SSRC is which m-line,
//! and which SSRC repairs which), so keyframe requests and bit rate limits
//! still go through it.

use std::net::SocketAddr;
use std::ops::Range;
use std::time::{Duration, Instant};

use str0m::media::{MediaKind, Mid};
use str0m::net::Protocol;

use super::feedback::{self, TransportFeedback};
use super::reception::Reception;
use super::srtp::{self, KeySlot, SrtcpReceiver, SrtcpSender, SrtpReceiver};

/// How often unreported arrivals are fed back to the publisher's estimator (str0m's pace).
const TRANSPORT_FEEDBACK_INTERVAL: Duration = Duration::from_millis(100);
/// How often the publisher gets a reception report of each stream.
const REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// How often missing packets are looked at for requests due again (the shortest retry interval).
const REPAIR_PASS_INTERVAL: Duration = Duration::from_millis(20);
/// The round trip assumed until one is measured.
const DEFAULT_RTT: Duration = Duration::from_millis(100);
/// SSRCs followed per publisher: a handful are used (audio, video, its repairs).
const MAX_STREAMS: usize = 16;
/// RTCP packet types (RFC 3550): a sender report.
const RTCP_SENDER_REPORT: u8 = 200;

/// A path: protocol, our address, theirs.
pub type Path = (Protocol, SocketAddr, SocketAddr);

/// What an SSRC is: from the SDP as str0m knows it, or else from the MID in its packets.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub mid: Mid,
    pub kind: MediaKind,
    /// A repair (RTX) stream.
    pub repair: bool,
    /// The SSRC it repairs, when the SDP says.
    pub repairs: Option<u32>,
}

struct Stream {
    ssrc: u32,
    mid: Mid,
    kind: MediaKind,
    repairs: Option<u32>,
    reception: Reception,
    /// The highest extended sequence number received.
    highest: Option<u64>,
}

/// A packet of the publisher's media, decrypted, in order of arrival.
#[derive(Debug, Clone)]
pub struct Packet {
    /// The stream it belongs to (for a repaired packet, the stream repaired).
    pub ssrc: u32,
    pub mid: Mid,
    /// The extended sequence number.
    pub seq: u64,
    pub time: u32,
    pub marker: bool,
    /// Where its payload is in the buffer it was read into.
    pub payload: Range<usize>,
}

/// One publisher's media read past str0m.
pub struct Ingress {
    srtp: SrtpReceiver,
    rtcp_in: SrtcpReceiver,
    rtcp_out: SrtcpSender,
    /// The sender SSRC of the SFU's own feedback.
    ssrc: u32,
    transport_seq_ext: Option<u8>,
    mid_ext: Option<u8>,
    transport: TransportFeedback,
    /// A few per publisher: a list is quicker than a map.
    streams: Vec<Stream>,
    /// Where the publisher's packets last came from: the feedback goes back there.
    path: Option<Path>,
    next_transport_feedback: Instant,
    next_report: Instant,
    /// When missing packets are next looked at: at once after a gap, else every pass interval.
    next_repair_pass: Instant,
    compound: Vec<u8>,
    rtcp_plain: Vec<u8>,
}

impl Ingress {
    /// Once the publisher's DTLS handshake is done.
    /// Once the publisher's DTLS handshake is done; with the ids of the header extensions
    /// that carry the transport-wide sequence number and the MID.
    pub fn new(keys: &KeySlot, transport_seq_ext: Option<u8>, mid_ext: Option<u8>, now: Instant) -> Option<Self> {
        Some(Self {
            srtp: keys.receiver()?,
            rtcp_in: keys.rtcp_receiver()?,
            rtcp_out: keys.rtcp_sender()?,
            ssrc: feedback::own_ssrc()?,
            transport_seq_ext,
            mid_ext,
            transport: TransportFeedback::new(),
            streams: Vec::new(),
            path: None,
            next_transport_feedback: now,
            next_report: now + REPORT_INTERVAL,
            next_repair_pass: now,
            compound: Vec::new(),
            rtcp_plain: Vec::new(),
        })
    }

    /// Reads one SRTP packet into `plain`. Returns the media packet to forward, if it is
    /// one: not a replay, a duplicate, a packet already repaired, or padding.
    pub fn read(
        &mut self,
        data: &[u8],
        at: Instant,
        path: Path,
        plain: &mut Vec<u8>,
        lookup: impl FnOnce(u32, Option<Mid>, u8) -> Option<Known>,
    ) -> Option<Packet> {
        if let Err(e) = self.srtp.open(data, plain) {
            tracing::trace!("publisher's packet refused: {e}");
            return None;
        }
        self.path = Some(path);
        let header_len = srtp::rtp_header_len(plain)?;
        if let Some(seq) = self.transport_seq_ext.and_then(|id| extension(plain, header_len, id)).and_then(|v| v.get(..2)) {
            self.transport.record(u16::from_be_bytes([seq[0], seq[1]]), at);
        }
        let ssrc = u32::from_be_bytes(plain[8..12].try_into().expect("a whole header"));
        let mid_ext = self.mid_ext;
        let mid = || {
            let value = mid_ext.and_then(|id| extension(plain, header_len, id))?;
            std::str::from_utf8(value).ok().filter(|mid| !mid.is_empty()).map(Mid::from)
        };
        let Some(at_stream) = self.stream(ssrc, || lookup(ssrc, mid(), plain[1] & 0x7f)) else {
            tracing::trace!(ssrc, "publisher's packet on a stream the SDP did not announce");
            return None;
        };
        let padding = if plain[0] & 0x20 != 0 { usize::from(*plain.last()?) } else { 0 };
        let end = plain.len().checked_sub(padding).filter(|end| *end >= header_len)?;
        let (marker, time) = (plain[1] & 0x80 != 0, u32::from_be_bytes(plain[4..8].try_into().expect("a whole header")));
        let stream = &mut self.streams[at_stream];
        let mid = stream.mid;
        let (ssrc, seq, payload) = match stream.repairs {
            None => {
                let seq = stream.reception.receive(u16::from_be_bytes([plain[2], plain[3]]), time, at)?;
                if stream.highest.is_some_and(|highest| seq > highest + 1) {
                    self.next_repair_pass = at;
                }
                stream.highest = stream.highest.max(Some(seq));
                (ssrc, seq, header_len..end)
            }
            Some(main) => {
                // RFC 4588: the repaired packet's sequence number, then its payload.
                let original = plain.get(header_len..header_len + 2).filter(|_| end >= header_len + 2)?;
                let original = u16::from_be_bytes([original[0], original[1]]);
                let seq = self.streams.iter_mut().find(|s| s.ssrc == main)?.reception.recovered(original, at)?;
                (main, seq, header_len + 2..end)
            }
        };
        (!payload.is_empty()).then_some(Packet { ssrc, mid, seq, time, marker, payload })
    }

    /// Where in the list the stream of `ssrc` is, added the first time it is seen.
    fn stream(&mut self, ssrc: u32, lookup: impl FnOnce() -> Option<Known>) -> Option<usize> {
        if let Some(i) = self.streams.iter().position(|s| s.ssrc == ssrc) {
            return Some(i);
        }
        let mut known = if self.streams.len() < MAX_STREAMS { lookup()? } else { return None };
        if known.repair && known.repairs.is_none() {
            // A repair stream the SDP did not name repairs the stream of its MID, once that is known.
            known.repairs = Some(self.streams.iter().find(|s| s.mid == known.mid && s.repairs.is_none())?.ssrc);
        }
        let clock_rate = if known.kind == MediaKind::Video { 90_000 } else { 48_000 };
        let mut reception = Reception::new(clock_rate);
        reception.set_repair(known.kind == MediaKind::Video && known.repairs.is_none());
        self.streams.push(Stream { ssrc, mid: known.mid, kind: known.kind, repairs: known.repairs, reception, highest: None });
        Some(self.streams.len() - 1)
    }

    /// Reads the publisher's SRTCP for its sender reports, which the reception reports answer.
    pub fn read_rtcp(&mut self, data: &[u8], at: Instant) {
        if self.rtcp_in.open(data, &mut self.rtcp_plain).is_err() {
            return;
        }
        for packet in feedback::compound(&self.rtcp_plain) {
            if packet[1] == RTCP_SENDER_REPORT && packet.len() >= 16 {
                let ssrc = u32::from_be_bytes(packet[4..8].try_into().expect("checked"));
                let ntp = u64::from_be_bytes(packet[8..16].try_into().expect("checked"));
                if let Some(stream) = self.streams.iter_mut().find(|s| s.ssrc == ssrc) {
                    stream.reception.sender_report(ntp, at);
                }
            }
        }
    }

    /// The feedback due now, sealed into `out`, and where to send it.
    pub fn feedback(&mut self, now: Instant, rtt: Option<Duration>, out: &mut Vec<u8>) -> Option<Path> {
        let path = self.path?;
        self.compound.clear();
        if now >= self.next_report {
            self.next_report = now + REPORT_INTERVAL;
            let blocks: Vec<feedback::ReportBlock> = self
                .streams
                .iter_mut()
                .filter(|s| s.repairs.is_none() && s.reception.has_received())
                .map(|s| s.reception.report(s.ssrc, now))
                .collect();
            if !blocks.is_empty() {
                feedback::receiver_report(&mut self.compound, self.ssrc, &blocks);
            }
        }
        if now >= self.next_repair_pass {
            self.next_repair_pass = now + REPAIR_PASS_INTERVAL;
            let rtt = rtt.unwrap_or(DEFAULT_RTT);
            for stream in self.streams.iter_mut().filter(|s| s.kind == MediaKind::Video && s.repairs.is_none()) {
                let lost = stream.reception.nacks_due(now, rtt);
                feedback::nack(&mut self.compound, self.ssrc, stream.ssrc, &lost);
            }
        }
        if now >= self.next_transport_feedback {
            let media_ssrc = self.streams.first().map_or(0, |s| s.ssrc);
            self.transport.write(&mut self.compound, self.ssrc, media_ssrc);
            if !self.transport.has_unreported() {
                self.next_transport_feedback = now + TRANSPORT_FEEDBACK_INTERVAL;
            }
        }
        if self.compound.is_empty() {
            return None;
        }
        match self.rtcp_out.seal(&self.compound, out) {
            Ok(()) => Some(path),
            Err(e) => {
                tracing::debug!("feedback not encrypted: {e}");
                None
            }
        }
    }

    /// Where the publisher's last authentic packet came from.
    pub fn path(&self) -> Option<Path> {
        self.path
    }

    /// The share of the publisher's packets lost in the last report interval, worst stream.
    pub fn loss(&self) -> f32 {
        self.streams.iter().filter(|s| s.repairs.is_none()).map(|s| s.reception.loss()).fold(0.0, f32::max)
    }
}

/// The value of header extension `id` (RFC 8285, one- or two-byte form).
fn extension(packet: &[u8], header_len: usize, id: u8) -> Option<&[u8]> {
    if packet[0] & 0x10 == 0 {
        return None;
    }
    let start = 12 + 4 * usize::from(packet[0] & 0x0f);
    let profile = u16::from_be_bytes([*packet.get(start)?, *packet.get(start + 1)?]);
    let mut at = start + 4;
    let two_byte = match profile {
        0xbede => false,
        p if p & 0xfff0 == 0x1000 => true,
        _ => return None,
    };
    while at < header_len {
        let (this, len, value_at) = if two_byte {
            (packet[at], usize::from(*packet.get(at + 1)?), at + 2)
        } else {
            let byte = packet[at];
            if byte >> 4 == 15 {
                return None;
            }
            (byte >> 4, usize::from(byte & 0x0f) + 1, at + 1)
        };
        if this == 0 {
            at += 1;
            continue;
        }
        let value = packet.get(value_at..value_at + len).filter(|_| value_at + len <= header_len)?;
        if this == id {
            return Some(value);
        }
        at = value_at + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_extensions_are_found_in_either_form_and_a_broken_one_is_not_read_past() {
        // One-byte form: id 3 (two bytes), padding, id 5 (one byte).
        let mut packet = vec![0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 2, 0x31, 0xab, 0xcd, 0, 0x50, 0x77, 0, 0];
        let len = srtp::rtp_header_len(&packet).unwrap();
        assert_eq!(extension(&packet, len, 3), Some(&[0xab, 0xcd][..]));
        assert_eq!(extension(&packet, len, 5), Some(&[0x77][..]));
        assert_eq!(extension(&packet, len, 4), None);
        // Two-byte form: id 3, length 2.
        let two = vec![0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x00, 0, 1, 3, 2, 0x12, 0x34];
        let len = srtp::rtp_header_len(&two).unwrap();
        assert_eq!(extension(&two, len, 3), Some(&[0x12, 0x34][..]));
        // A length running past the header is not read.
        packet[20] = 0x5f;
        assert_eq!(extension(&packet, 24, 5), None);
    }
}
