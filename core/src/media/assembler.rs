//! Reassembles H.264 access units from RTP packets on the marker bit (no added
//! latency). After a lost packet it waits for the next keyframe rather than
//! feed the decoder a broken picture, and says so, so a keyframe can be asked for.

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(matches!(a.push(14, true, &nal(0x65)), Some(Assembled::Frame(_))));
        assert!(matches!(a.push(u16::MAX, true, &nal(0x41)), None), "far behind: ignored");
    }
}
