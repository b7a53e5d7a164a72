//! Reassembles H.264 access units from RTP packets on the marker bit (no added
//! latency). After a lost packet it waits for the next keyframe rather than
//! feed the decoder a broken picture, and says so, so a keyframe can be asked for.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::rtp::codec::h264::H264Packet;
use rtc::rtp::packetizer::Depacketizer;

use super::codec::is_keyframe;

#[derive(Debug, PartialEq, Eq)]
pub enum Assembled {
    /// A complete access unit the decoder can take.
    Frame(Bytes),
    /// A picture was lost or is unusable until the next keyframe: request one.
    NeedKeyframe,
}

pub struct H264Assembler {
    depacketizer: H264Packet,
    access_unit: BytesMut,
    expected_seq: Option<u16>,
    broken: bool,
    waiting_for_keyframe: bool,
}

impl Default for H264Assembler {
    fn default() -> Self {
        Self::new()
    }
}

impl H264Assembler {
    pub fn new() -> Self {
        Self {
            depacketizer: H264Packet::default(),
            access_unit: BytesMut::new(),
            expected_seq: None,
            broken: false,
            waiting_for_keyframe: true,
        }
    }

    pub fn push(&mut self, seq: u16, marker: bool, payload: &Bytes) -> Option<Assembled> {
        if let Some(expected) = self.expected_seq {
            let ahead = seq.wrapping_sub(expected);
            if ahead > u16::MAX / 2 {
                return None; // a duplicate or a late retransmission: already given up on
            }
            if ahead != 0 {
                self.access_unit.clear();
                self.depacketizer = H264Packet::default();
                self.broken = true;
            }
        }
        self.expected_seq = Some(seq.wrapping_add(1));
        match self.depacketizer.depacketize(payload) {
            Ok(bytes) => self.access_unit.extend_from_slice(&bytes),
            Err(_) => self.broken = true,
        }
        if !marker {
            return None;
        }
        let access_unit = std::mem::take(&mut self.access_unit).freeze();
        if std::mem::take(&mut self.broken) {
            self.waiting_for_keyframe = true;
            return Some(Assembled::NeedKeyframe);
        }
        if self.waiting_for_keyframe {
            if !is_keyframe(&access_unit) {
                return Some(Assembled::NeedKeyframe);
            }
            self.waiting_for_keyframe = false;
        }
        Some(Assembled::Frame(access_unit))
    }

    /// Whether only a keyframe can be decoded next.
    pub fn waiting_for_keyframe(&self) -> bool {
        self.waiting_for_keyframe
    }
}

/// How far ahead of a missing packet others are held.
const REORDER_SLOTS: usize = 128;

/// One RTP packet, as the assembler takes it.
pub struct RtpPiece {
    pub seq: u16,
    pub marker: bool,
    pub payload: Bytes,
}

/// Puts packets back in sequence order, and holds those after a missing one
/// while its repair may still come. Networks reorder a little; without this
/// every swap would look like a loss and cost a keyframe. How long a missing
/// packet is waited for (`wait`) is learned per stream, see `repair`.
#[derive(Default)]
pub struct ReorderBuffer {
    next: Option<u16>,
    slots: VecDeque<Option<RtpPiece>>,
    waiting_since: Option<Instant>,
}

impl ReorderBuffer {
    /// Takes a packet; returns those now ready, in order (with gaps where packets were lost).
    pub fn push(&mut self, piece: RtpPiece, now: Instant, wait: Duration) -> Vec<RtpPiece> {
        let next = *self.next.get_or_insert(piece.seq);
        let offset = usize::from(piece.seq.wrapping_sub(next));
        if offset > usize::from(u16::MAX / 2) {
            return Vec::new(); // behind what was already released: a duplicate or too late
        }
        if offset >= REORDER_SLOTS {
            // Far ahead: whatever is held is released and the buffer starts again here.
            let mut ready: Vec<RtpPiece> = self.slots.drain(..).flatten().collect();
            self.next = Some(piece.seq);
            self.waiting_since = None;
            ready.extend(self.push(piece, now, wait));
            return ready;
        }
        if self.slots.len() <= offset {
            self.slots.resize_with(offset + 1, || None);
        }
        self.slots[offset] = Some(piece);
        self.release(now, wait)
    }

    /// Returns the packets now ready: those in order, and those behind a
    /// missing packet that has been waited for long enough.
    pub fn release(&mut self, now: Instant, wait: Duration) -> Vec<RtpPiece> {
        let mut ready = Vec::new();
        loop {
            while let Some(Some(_)) = self.slots.front() {
                ready.push(self.slots.pop_front().flatten().expect("checked"));
                self.next = self.next.map(|n| n.wrapping_add(1));
                self.waiting_since = None;
            }
            if self.slots.is_empty() {
                break;
            }
            // A hole at the front: wait for it, then give it up.
            let since = *self.waiting_since.get_or_insert(now);
            if now.duration_since(since) < wait {
                break;
            }
            self.slots.pop_front();
            self.next = self.next.map(|n| n.wrapping_add(1));
        }
        ready
    }

    /// When the missing packet the others wait for will be given up.
    pub fn deadline(&self, wait: Duration) -> Option<Instant> {
        self.waiting_since.map(|since| since + wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(seq: u16) -> RtpPiece {
        RtpPiece { seq, marker: true, payload: Bytes::new() }
    }

    fn seqs(pieces: Vec<RtpPiece>) -> Vec<u16> {
        pieces.into_iter().map(|p| p.seq).collect()
    }

    const WAIT: Duration = Duration::from_millis(200);

    #[test]
    fn swapped_packets_come_out_in_order() {
        let mut buffer = ReorderBuffer::default();
        let t = Instant::now();
        assert_eq!(seqs(buffer.push(piece(10), t, WAIT)), [10]);
        assert_eq!(seqs(buffer.push(piece(12), t, WAIT)), Vec::<u16>::new());
        assert_eq!(seqs(buffer.push(piece(11), t, WAIT)), [11, 12]);
        assert_eq!(seqs(buffer.push(piece(11), t, WAIT)), Vec::<u16>::new(), "duplicate");
        assert_eq!(buffer.deadline(WAIT), None, "nothing missing");
    }

    #[test]
    fn a_lost_packet_is_given_up_after_the_wait() {
        let mut buffer = ReorderBuffer::default();
        let t = Instant::now();
        buffer.push(piece(u16::MAX), t, WAIT);
        assert_eq!(seqs(buffer.push(piece(1), t, WAIT)), Vec::<u16>::new(), "0 is missing");
        assert_eq!(seqs(buffer.push(piece(2), t + WAIT / 2, WAIT)), Vec::<u16>::new(), "still waiting");
        assert_eq!(seqs(buffer.push(piece(3), t + WAIT + Duration::from_millis(10), WAIT)), [1, 2, 3], "across the wrap");
        assert_eq!(seqs(buffer.push(piece(0), t + WAIT + Duration::from_millis(20), WAIT)), Vec::<u16>::new(), "too late");
        assert_eq!(seqs(buffer.push(piece(4), t + WAIT + Duration::from_millis(21), WAIT)), [4]);
    }

    #[test]
    fn a_lost_packet_is_given_up_at_its_deadline_without_waiting_for_the_next_packet() {
        let mut buffer = ReorderBuffer::default();
        let t = Instant::now();
        buffer.push(piece(1), t, WAIT);
        assert_eq!(seqs(buffer.push(piece(3), t, WAIT)), Vec::<u16>::new(), "2 is missing");
        assert_eq!(buffer.deadline(WAIT), Some(t + WAIT));
        assert_eq!(seqs(buffer.release(t + WAIT - Duration::from_millis(1), WAIT)), Vec::<u16>::new());
        assert_eq!(seqs(buffer.release(t + WAIT, WAIT)), [3]);
        assert_eq!(buffer.deadline(WAIT), None);
    }

    #[test]
    fn a_retransmission_within_the_wait_fills_the_hole() {
        let mut buffer = ReorderBuffer::default();
        let t = Instant::now();
        buffer.push(piece(5), t, WAIT);
        assert_eq!(seqs(buffer.push(piece(7), t, WAIT)), Vec::<u16>::new(), "6 is missing");
        assert_eq!(seqs(buffer.push(piece(8), t + WAIT / 2, WAIT)), Vec::<u16>::new(), "a NACK is on its way");
        assert_eq!(seqs(buffer.push(piece(6), t + WAIT * 9 / 10, WAIT)), [6, 7, 8], "repaired (RTX), nothing lost");
    }

    #[test]
    fn a_longer_wait_keeps_holding_what_a_shorter_one_gives_up() {
        let mut buffer = ReorderBuffer::default();
        let t = Instant::now();
        buffer.push(piece(1), t, WAIT);
        buffer.push(piece(3), t, WAIT);
        assert_eq!(seqs(buffer.release(t + WAIT, WAIT * 2)), Vec::<u16>::new(), "the stream's wait grew meanwhile");
        assert_eq!(seqs(buffer.push(piece(2), t + WAIT * 3 / 2, WAIT * 2)), [2, 3], "a second repair came in time");
    }

    // Single NAL unit packets: the payload is the NAL itself.
    fn nal(kind: u8) -> Bytes {
        Bytes::from(vec![kind, 1, 2, 3])
    }

    #[test]
    fn frames_come_out_on_the_marker_and_start_at_a_keyframe() {
        let mut a = H264Assembler::new();
        assert_eq!(a.push(1, true, &nal(0x41)), Some(Assembled::NeedKeyframe), "a delta frame first is useless");
        assert_eq!(a.push(2, false, &nal(0x67)), None);
        assert!(matches!(a.push(3, true, &nal(0x65)), Some(Assembled::Frame(_))));
        assert!(matches!(a.push(4, true, &nal(0x41)), Some(Assembled::Frame(_))));
    }

    #[test]
    fn a_lost_packet_waits_for_the_next_keyframe() {
        let mut a = H264Assembler::new();
        assert!(matches!(a.push(10, true, &nal(0x65)), Some(Assembled::Frame(_))));
        assert_eq!(a.push(12, true, &nal(0x41)), Some(Assembled::NeedKeyframe), "11 was lost");
        assert_eq!(a.push(11, true, &nal(0x41)), None, "late packets are ignored");
        assert_eq!(a.push(13, true, &nal(0x41)), Some(Assembled::NeedKeyframe));
        assert!(a.waiting_for_keyframe());
        assert!(matches!(a.push(14, true, &nal(0x65)), Some(Assembled::Frame(_))));
        assert!(!a.waiting_for_keyframe());
        assert!(a.push(u16::MAX, true, &nal(0x41)).is_none(), "far behind: ignored");
    }
}
