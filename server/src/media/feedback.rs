//! The RTCP the SFU writes itself: to publishers (their media is read past
//! str0m) receiver reports, repair requests and transport-wide congestion
//! feedback; to receivers (their media is written past str0m) sender reports.
//! Keyframe requests and bit rate limits still go through str0m, which knows
//! the publishers' streams from the SDP.

use std::collections::BTreeMap;
use std::time::Instant;

/// One reception report block (RFC 3550 §6.4.1) about one of the publisher's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    pub ssrc: u32,
    /// Packets lost since the last report, as a fixed-point fraction of 256.
    pub fraction_lost: u8,
    /// Packets lost since reception began (24-bit signed on the wire; duplicates can make it negative).
    pub cumulative_lost: i32,
    /// The highest sequence number received, with the count of its rollovers above it.
    pub extended_highest: u32,
    /// Interarrival jitter, in the stream's clock units.
    pub jitter: u32,
    /// The middle 32 bits of the NTP time of the last sender report, or 0.
    pub last_sr: u32,
    /// Time since that sender report, in 1/65536 s, or 0.
    pub delay_since_last_sr: u32,
}

/// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
const SENDER_REPORT: u8 = 200;
const RECEIVER_REPORT: u8 = 201;
const TRANSPORT_FEEDBACK: u8 = 205;

/// Starts an RTCP packet (version 2, no padding); [`finish`] fills in its length.
fn start(out: &mut Vec<u8>, count_or_fmt: u8, packet_type: u8) -> usize {
    out.extend_from_slice(&[0x80 | count_or_fmt, packet_type, 0, 0]);
    out.len() - 4
}

/// Writes the length of the packet begun at `start`, in 32-bit words less one.
fn finish(out: &mut [u8], start: usize) {
    let words = ((out.len() - start) / 4 - 1) as u16;
    out[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// The packets of a (plain) compound RTCP packet, each by the length in its header; a
/// packet cut short ends it.
pub fn compound(mut rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if rest.len() < 8 {
            return None;
        }
        let len = 4 * (usize::from(u16::from_be_bytes([rest[2], rest[3]])) + 1);
        let packet = rest.get(..len)?;
        rest = &rest[len..];
        Some(packet)
    })
}

/// A sender SSRC for the RTCP the SFU writes itself to one peer: random, so that its
/// SRTCP index counts apart from str0m's (which uses one of the peer's streams').
pub fn own_ssrc() -> Option<u32> {
    let mut ssrc = [0u8; 4];
    getrandom::fill(&mut ssrc).ok()?;
    Some(u32::from_be_bytes(ssrc).max(1))
}

/// A receiver report (RFC 3550 §6.4.2) with the first 31 blocks.
pub fn receiver_report(out: &mut Vec<u8>, sender_ssrc: u32, blocks: &[ReportBlock]) {
    let blocks = &blocks[..blocks.len().min(31)];
    let start = start(out, blocks.len() as u8, RECEIVER_REPORT);
    put_u32(out, sender_ssrc);
    for block in blocks {
        let lost = block.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32 & 0xff_ffff;
        put_u32(out, block.ssrc);
        put_u32(out, (u32::from(block.fraction_lost) << 24) | lost);
        put_u32(out, block.extended_highest);
        put_u32(out, block.jitter);
        put_u32(out, block.last_sr);
        put_u32(out, block.delay_since_last_sr);
    }
    finish(out, start);
}

/// A sender report (RFC 3550 §6.4.1) with no reception report blocks: what `rtp_time`
/// on the stream `ssrc` is in wall-clock time (`ntp`), and what was sent so far.
pub fn sender_report(out: &mut Vec<u8>, ssrc: u32, ntp: u64, rtp_time: u32, packets: u32, octets: u32) {
    let start = start(out, 0, SENDER_REPORT);
    put_u32(out, ssrc);
    out.extend_from_slice(&ntp.to_be_bytes());
    put_u32(out, rtp_time);
    put_u32(out, packets);
    put_u32(out, octets);
    finish(out, start);
}

/// A generic NACK (RFC 4585 §6.2.1) for the lost sequence numbers, which run
/// upwards (modulo 2^16) from the first. Nothing is written for none.
pub fn nack(out: &mut Vec<u8>, sender_ssrc: u32, media_ssrc: u32, lost: &[u16]) {
    let Some(&first) = lost.first() else { return };
    let mut offsets: Vec<u16> = lost.iter().map(|seq| seq.wrapping_sub(first)).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let start = start(out, 1, TRANSPORT_FEEDBACK);
    put_u32(out, sender_ssrc);
    put_u32(out, media_ssrc);
    let mut rest = &offsets[..];
    while let Some((&pid, after)) = rest.split_first() {
        // The bitmask covers the 16 sequence numbers after the PID.
        let covered = after.iter().take_while(|&&offset| offset - pid <= 16).count();
        let blp = after[..covered].iter().fold(0_u16, |blp, &offset| blp | (1 << (offset - pid - 1)));
        out.extend_from_slice(&first.wrapping_add(pid).to_be_bytes());
        out.extend_from_slice(&blp.to_be_bytes());
        rest = &after[covered..];
    }
    finish(out, start);
}

/// Sequence numbers kept behind the newest for arrivals not yet reported; one
/// feedback packet's status count (16 bits) always covers them.
const TWCC_WINDOW: i64 = 4096;
/// The largest transport feedback packet written, in bytes.
const TWCC_MAX_BYTES: usize = 1200;
/// Receive deltas count in 250 µs; the reference time in 64 ms, which is 256 of them.
const TICK_MICROS: u128 = 250;
const TICKS_PER_REFERENCE: i64 = 256;

/// Packet status symbols (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).
const NOT_RECEIVED: u8 = 0;
const SMALL_DELTA: u8 = 1;
const LARGE_DELTA: u8 = 2;

/// The receive side of transport-wide congestion control
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01): the arrival of each
/// packet, by its transport-wide sequence number, reported back to the sender.
#[derive(Debug)]
pub struct TransportFeedback {
    /// The first arrival, from which reference times and deltas count.
    epoch: Option<Instant>,
    /// Arrivals not yet reported, by unwrapped sequence number.
    arrivals: BTreeMap<i64, Instant>,
    /// The highest unwrapped sequence number seen.
    newest: Option<i64>,
    /// Sequence numbers below this were reported or are forgotten.
    floor: i64,
    feedback_count: u8,
}

impl Default for TransportFeedback {
    fn default() -> Self {
        Self::new()
    }
}

impl TransportFeedback {
    pub fn new() -> Self {
        Self { epoch: None, arrivals: BTreeMap::new(), newest: None, floor: i64::MIN, feedback_count: 0 }
    }

    /// Records the arrival of the packet carrying transport-wide sequence number `seq`.
    pub fn record(&mut self, seq: u16, at: Instant) {
        self.epoch.get_or_insert(at);
        let seq = match self.newest {
            None => i64::from(seq),
            Some(newest) => newest + i64::from(seq.wrapping_sub(newest as u16) as i16),
        };
        let newest = self.newest.map_or(seq, |newest| newest.max(seq));
        self.newest = Some(newest);
        self.floor = self.floor.max(newest - TWCC_WINDOW);
        if seq < self.floor {
            return;
        }
        self.arrivals.entry(seq).or_insert(at);
        if self.arrivals.first_key_value().is_some_and(|(&first, _)| first < self.floor) {
            self.arrivals = self.arrivals.split_off(&self.floor);
        }
    }

    pub fn has_unreported(&self) -> bool {
        !self.arrivals.is_empty()
    }

    /// Writes one transport-cc feedback packet about the unreported arrivals,
    /// from the lowest on, as many as fit; false (and nothing written) if there are none.
    pub fn write(&mut self, out: &mut Vec<u8>, sender_ssrc: u32, media_ssrc: u32) -> bool {
        let (Some(epoch), Some((&base, &base_at))) = (self.epoch, self.arrivals.first_key_value()) else {
            return false;
        };
        let ticks = |at: Instant| (at.saturating_duration_since(epoch).as_micros() / TICK_MICROS) as i64;
        let reference = ticks(base_at) / TICKS_PER_REFERENCE;
        // Each delta is from the previous packet's time as reported, so that
        // rounding never accumulates.
        let mut reported = reference * TICKS_PER_REFERENCE;
        let mut chunks = Chunks::default();
        let mut deltas = Vec::new();
        let mut last = base;
        for (&seq, &at) in &self.arrivals {
            let Ok(delta) = i16::try_from(ticks(at) - reported) else { break };
            let saved = (chunks.written.len(), chunks.pending, deltas.len());
            for _ in last + 1..seq {
                chunks.add(NOT_RECEIVED);
            }
            if let Ok(small) = u8::try_from(delta) {
                chunks.add(SMALL_DELTA);
                deltas.push(small);
            } else {
                chunks.add(LARGE_DELTA);
                deltas.extend_from_slice(&delta.to_be_bytes());
            }
            if (20 + chunks.byte_len() + deltas.len()).next_multiple_of(4) > TWCC_MAX_BYTES {
                chunks.written.truncate(saved.0);
                chunks.pending = saved.1;
                deltas.truncate(saved.2);
                break;
            }
            reported += i64::from(delta);
            last = seq;
        }

        let start = start(out, 15, TRANSPORT_FEEDBACK);
        put_u32(out, sender_ssrc);
        put_u32(out, media_ssrc);
        out.extend_from_slice(&(base as u16).to_be_bytes());
        out.extend_from_slice(&((last - base + 1) as u16).to_be_bytes());
        // A 24-bit reference time: the shift drops what is above.
        put_u32(out, ((reference as u32) << 8) | u32::from(self.feedback_count));
        for chunk in chunks.finish() {
            out.extend_from_slice(&chunk.to_be_bytes());
        }
        out.extend_from_slice(&deltas);
        // Zero bytes to the next 32-bit boundary, counted in the length; the P bit stays clear (as libwebrtc).
        out.resize(start + (out.len() - start).next_multiple_of(4), 0);
        finish(out, start);

        self.feedback_count = self.feedback_count.wrapping_add(1);
        self.floor = last + 1;
        self.arrivals = self.arrivals.split_off(&self.floor);
        true
    }
}

/// Packet status chunks: statuses gather until the next one fits no chunk,
/// then become a run-length chunk if they are all the same, or else a
/// two-bit status vector chunk of 7.
#[derive(Debug, Default)]
struct Chunks {
    written: Vec<u16>,
    pending: Pending,
}

#[derive(Debug, Clone, Copy, Default)]
struct Pending {
    /// The first 7 statuses (beyond those they are all the same).
    statuses: [u8; 7],
    len: u16,
    all_same: bool,
}

impl Chunks {
    /// The longest run-length chunk (13 bits).
    const MAX_RUN: u16 = 0x1fff;

    fn add(&mut self, status: u8) {
        let pending = &mut self.pending;
        // Runs of large deltas go in vectors: str0m 0.25 misreads the deltas after a run-length chunk of them.
        let runs_on = pending.all_same && status == pending.statuses[0] && status != LARGE_DELTA;
        if pending.len >= 7 && !(runs_on && pending.len < Self::MAX_RUN) {
            self.written.push(pending.encode());
            *pending = Pending::default();
        }
        if pending.len < 7 {
            pending.statuses[usize::from(pending.len)] = status;
        }
        pending.all_same = pending.len == 0 || (pending.all_same && status == pending.statuses[0]);
        pending.len += 1;
    }

    fn byte_len(&self) -> usize {
        2 * (self.written.len() + usize::from(self.pending.len > 0))
    }

    fn finish(mut self) -> Vec<u16> {
        if self.pending.len > 0 {
            self.written.push(self.pending.encode());
        }
        self.written
    }
}

impl Pending {
    fn encode(&self) -> u16 {
        if self.all_same && self.statuses[0] != LARGE_DELTA {
            return (u16::from(self.statuses[0]) << 13) | self.len;
        }
        // A vector's unused symbols are "not received" (0); the status count ends the list.
        let symbols = self.statuses.iter().take(usize::from(self.len)).enumerate();
        symbols.fold(0xc000, |chunk, (i, &status)| chunk | (u16::from(status) << (12 - 2 * i)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use rtc_rtcp::packet::Packet;
    use rtc_rtcp::receiver_report::ReceiverReport;
    use rtc_rtcp::transport_feedbacks::transport_layer_cc::{PacketStatusChunk, SymbolTypeTcc, TransportLayerCc};
    use rtc_rtcp::transport_feedbacks::transport_layer_nack::TransportLayerNack;
    use str0m::rtp::rtcp::Rtcp;

    use super::*;

    /// Reads one packet with str0m and with webrtc-rs, once its header is checked.
    fn parse(packet: &[u8]) -> (Rtcp, Box<dyn Packet>) {
        assert_eq!(packet[0] >> 6, 2, "version 2");
        assert_eq!(packet[0] & 0x20, 0, "the padding bit is clear");
        let words = usize::from(u16::from_be_bytes([packet[2], packet[3]])) + 1;
        assert_eq!(packet.len(), 4 * words, "the length field counts the whole packet");
        let ours = Rtcp::try_from(packet).unwrap_or_else(|e| panic!("str0m refused {packet:02x?}: {e}"));
        let mut theirs = rtc_rtcp::packet::unmarshal(&mut &packet[..]).expect("webrtc-rs reads the packet");
        assert_eq!(theirs.len(), 1, "one packet");
        (ours, theirs.remove(0))
    }

    fn downcast<T: 'static>(packet: &dyn Packet) -> &T {
        packet.as_any().downcast_ref().unwrap_or_else(|| panic!("webrtc-rs read another packet: {packet:?}"))
    }

    #[test]
    fn receiver_reports_carry_each_block_with_the_cumulative_loss_clamped_to_24_bits() {
        let blocks: Vec<ReportBlock> = [12, -3, 9_000_000, -9_000_000]
            .into_iter()
            .enumerate()
            .map(|(i, cumulative_lost)| {
                let i = i as u32;
                ReportBlock {
                    ssrc: 0x1000 + i,
                    fraction_lost: 10 + i as u8,
                    cumulative_lost,
                    extended_highest: 0x0001_fff0 + i,
                    jitter: 300 + i,
                    last_sr: 0xabcd_0000 + i,
                    delay_since_last_sr: 65_536 + i,
                }
            })
            .collect();
        let on_the_wire = [12, 0xff_fffd, 0x7f_ffff, 0x80_0000];
        let mut out = Vec::new();
        receiver_report(&mut out, 0x5eed, &blocks);
        let (ours, theirs) = parse(&out);
        let Rtcp::ReceiverReport(ours) = ours else { panic!("str0m read {ours:?}") };
        let theirs = downcast::<ReceiverReport>(&*theirs);
        assert_eq!((*ours.sender_ssrc, theirs.ssrc), (0x5eed, 0x5eed));
        assert_eq!((ours.reports.len(), theirs.reports.len()), (4, 4));
        let read = ours.reports.iter().zip(&theirs.reports);
        for ((block, lost), (ours, theirs)) in blocks.iter().zip(on_the_wire).zip(read) {
            let expected = str0m::rtp::rtcp::ReceptionReport {
                ssrc: block.ssrc.into(),
                fraction_lost: block.fraction_lost,
                packets_lost: lost,
                max_seq: block.extended_highest,
                jitter: block.jitter,
                last_sr_time: block.last_sr,
                last_sr_delay: block.delay_since_last_sr,
            };
            assert_eq!(*ours, expected, "str0m");
            let expected = rtc_rtcp::reception_report::ReceptionReport {
                ssrc: block.ssrc,
                fraction_lost: block.fraction_lost,
                total_lost: lost,
                last_sequence_number: block.extended_highest,
                jitter: block.jitter,
                last_sender_report: block.last_sr,
                delay: block.delay_since_last_sr,
            };
            assert_eq!(*theirs, expected, "webrtc-rs");
        }

        let many: Vec<ReportBlock> = (0..40).map(|ssrc| ReportBlock { ssrc, ..Default::default() }).collect();
        out.clear();
        receiver_report(&mut out, 1, &many);
        let (ours, theirs) = parse(&out);
        let Rtcp::ReceiverReport(ours) = ours else { panic!("str0m read {ours:?}") };
        assert_eq!(ours.reports.len(), 31);
        let ssrcs: Vec<u32> = downcast::<ReceiverReport>(&*theirs).reports.iter().map(|r| r.ssrc).collect();
        assert_eq!(ssrcs, (0..31).collect::<Vec<_>>(), "the first 31 blocks");
    }

    #[test]
    fn sender_reports_are_read_back_by_both_parsers() {
        let mut out = Vec::new();
        let ntp = 0xeb2f_1234_8000_0000_u64;
        sender_report(&mut out, 0xfeed_0001, ntp, 0xffff_fff0, 1234, 0x1_0000);
        let (ours, theirs) = parse(&out);
        let Rtcp::SenderReport(ours) = ours else { panic!("str0m read {ours:?}") };
        let info = ours.sender_info;
        assert_eq!(*info.ssrc, 0xfeed_0001);
        assert_eq!((info.rtp_time.numer(), info.sender_packet_count, info.sender_octet_count), (0xffff_fff0, 1234, 0x1_0000));
        assert!(ours.reports.is_empty());
        let theirs = downcast::<rtc_rtcp::sender_report::SenderReport>(&*theirs);
        assert_eq!(
            (theirs.ssrc, theirs.ntp_time, theirs.rtp_time, theirs.packet_count, theirs.octet_count),
            (0xfeed_0001, ntp, 0xffff_fff0, 1234, 0x1_0000)
        );
        assert!(theirs.reports.is_empty());
    }

    #[test]
    fn nacks_name_every_lost_sequence_number_once_across_the_wrap() {
        let lost = [65530, 65531, 65535, 0, 3, 3, 20, 21, 65531, 40];
        let expected = vec![65530, 65531, 65535, 0, 3, 20, 21, 40];
        let mut out = Vec::new();
        nack(&mut out, 0x5eed, 0xcafe, &lost);
        let (ours, theirs) = parse(&out);
        let Rtcp::Nack(ours) = ours else { panic!("str0m read {ours:?}") };
        assert_eq!((*ours.sender_ssrc, *ours.ssrc), (0x5eed, 0xcafe));
        let read: Vec<u16> =
            ours.reports.iter().flat_map(|entry| entry.into_iter(65_530_u64.into())).map(|seq| *seq as u16).collect();
        assert_eq!(read, expected, "str0m");
        let theirs = downcast::<TransportLayerNack>(&*theirs);
        assert_eq!((theirs.sender_ssrc, theirs.media_ssrc), (0x5eed, 0xcafe));
        assert_eq!(theirs.nacks.len(), 3, "a pair covers its PID and the 16 after");
        let read: Vec<u16> = theirs.nacks.iter().flat_map(|pair| pair.packet_list()).collect();
        assert_eq!(read, expected, "webrtc-rs");

        out.clear();
        nack(&mut out, 0x5eed, 0xcafe, &[]);
        assert!(out.is_empty(), "nothing lost, nothing written");
    }

    type Report = Vec<(u16, Option<Instant>)>;

    /// Reads one transport-cc packet with both parsers, which must agree: each
    /// reported sequence number with its arrival time, if it arrived. Times
    /// count from the first arrival recorded.
    fn read_twcc(packet: &[u8], first_arrival: Instant) -> (Report, TransportLayerCc) {
        let (ours, theirs) = parse(packet);
        let Rtcp::Twcc(ours) = ours else { panic!("str0m read {ours:?}") };
        let theirs = downcast::<TransportLayerCc>(&*theirs).clone();
        assert_eq!(ours.feedback_count, theirs.fb_pkt_count);
        let extend_from = u64::from(ours.base_seq) + (1 << 16);
        let str0m_read: Report = ours
            .into_iter(first_arrival, extend_from.into())
            .map(|(seq, status, at)| {
                let status = format!("{status:?}");
                assert!(status != "Unknown" && (status == "NotReceived") == at.is_none(), "{status} at {at:?}");
                (*seq as u16, at)
            })
            .collect();

        let mut symbols = Vec::new();
        for chunk in &theirs.packet_chunks {
            match chunk {
                PacketStatusChunk::RunLengthChunk(run) => {
                    symbols.extend(std::iter::repeat_n(run.packet_status_symbol, run.run_length.into()))
                }
                PacketStatusChunk::StatusVectorChunk(vector) => symbols.extend(&vector.symbol_list),
            }
        }
        assert!(symbols.len() >= theirs.packet_status_count.into(), "the chunks hold every status");
        symbols.truncate(theirs.packet_status_count.into());
        let mut time = first_arrival + Duration::from_millis(64 * u64::from(theirs.reference_time));
        let mut deltas = theirs.recv_deltas.iter();
        let webrtc_rs_read: Report = (0..)
            .zip(symbols)
            .map(|(i, symbol)| {
                let seq = theirs.base_sequence_number.wrapping_add(i);
                if symbol == SymbolTypeTcc::PacketNotReceived {
                    return (seq, None);
                }
                let delta = deltas.next().expect("a delta for each packet received");
                assert_eq!(delta.type_tcc_packet, symbol);
                let magnitude = Duration::from_micros(delta.delta.unsigned_abs());
                time = if delta.delta < 0 { time - magnitude } else { time + magnitude };
                (seq, Some(time))
            })
            .collect();
        assert!(deltas.next().is_none(), "no delta left over");
        assert_eq!(str0m_read, webrtc_rs_read, "str0m and webrtc-rs read the same");
        (str0m_read, theirs)
    }

    /// Asserts that each reported arrival is one recorded, at its time rounded down to 250 µs.
    fn assert_arrivals(report: &Report, arrived: &HashMap<u16, Instant>) {
        for (seq, reported) in report {
            match (reported, arrived.get(seq)) {
                (None, None) => {}
                (Some(reported), Some(&at)) => {
                    let early = at.checked_duration_since(*reported);
                    assert!(early.is_some_and(|early| early < Duration::from_micros(250)), "{seq}: {reported:?}, {at:?}")
                }
                _ => panic!("{seq} was reported {reported:?} but arrived {:?}", arrived.get(seq)),
            }
        }
    }

    fn seqs(report: &Report) -> Vec<u16> {
        report.iter().map(|(seq, _)| *seq).collect()
    }

    fn write_twcc(feedback: &mut TransportFeedback) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(feedback.write(&mut out, 0x5eed, 0xcafe));
        out
    }

    #[test]
    fn transport_feedback_reports_losses_and_reordered_arrivals_as_recorded() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let mut arrived = HashMap::new();
        // 102 and 105..=108 are lost, 103 comes after 104 (a negative delta), 110
        // long after (a large one) and before 109.
        let arrivals = [(100, 0), (101, 1_337), (104, 3_100), (103, 3_500), (110, 90_000), (109, 90_400), (111, 91_000)];
        for (seq, micros) in arrivals {
            let at = epoch + Duration::from_micros(micros);
            feedback.record(seq, at);
            arrived.insert(seq, at);
        }
        assert!(feedback.has_unreported());
        let (report, cc) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_eq!(seqs(&report), (100..=111).collect::<Vec<_>>());
        assert_eq!(report.iter().filter(|(_, at)| at.is_some()).count(), 7);
        assert_arrivals(&report, &arrived);
        assert_eq!((cc.sender_ssrc, cc.media_ssrc, cc.fb_pkt_count, cc.reference_time), (0x5eed, 0xcafe, 0, 0));
        let large = cc.recv_deltas.iter().filter(|d| d.type_tcc_packet == SymbolTypeTcc::PacketReceivedLargeDelta);
        assert_eq!(large.count(), 3, "104 (negative), 110 (over 63.75 ms) and 109 (negative)");

        assert!(!feedback.has_unreported());
        let mut out = vec![1, 2, 3, 4];
        assert!(!feedback.write(&mut out, 0x5eed, 0xcafe), "nothing left to report");
        assert_eq!(out, [1, 2, 3, 4], "and nothing written");
    }

    #[test]
    fn transport_feedback_follows_sequence_numbers_across_the_wrap() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let mut arrived = HashMap::new();
        let at = |seq: u16, millis| epoch + Duration::from_millis(millis) + Duration::from_micros(u64::from(seq % 250));
        let first = at(65533, 0);
        for (seq, millis) in [(65533, 0), (65534, 2), (0, 4), (65535, 5), (2, 7)] {
            feedback.record(seq, at(seq, millis));
            arrived.insert(seq, at(seq, millis));
        }
        let (report, _) = read_twcc(&write_twcc(&mut feedback), first);
        assert_eq!(seqs(&report), [65533, 65534, 65535, 0, 1, 2]);
        assert_eq!(report[4].1, None, "1 was lost");
        assert_arrivals(&report, &arrived);

        for (seq, millis) in [(4, 100), (3, 101)] {
            feedback.record(seq, at(seq, millis));
            arrived.insert(seq, at(seq, millis));
        }
        let (report, cc) = read_twcc(&write_twcc(&mut feedback), first);
        assert_eq!(seqs(&report), [3, 4]);
        assert_eq!((cc.fb_pkt_count, cc.reference_time), (1, 1), "100 ms is one whole 64 ms");
        assert_arrivals(&report, &arrived);
    }

    #[test]
    fn a_long_run_of_received_packets_is_written_as_a_run_length_chunk() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let mut arrived = HashMap::new();
        for seq in 1000..1300 {
            let at = epoch + Duration::from_micros(u64::from(seq - 1000) * 1_100 + u64::from(seq % 7) * 30);
            feedback.record(seq, at);
            arrived.insert(seq, at);
        }
        let packet = write_twcc(&mut feedback);
        let (report, cc) = read_twcc(&packet, arrived[&1000]);
        assert_eq!(seqs(&report), (1000..1300).collect::<Vec<_>>());
        assert_arrivals(&report, &arrived);
        let runs: Vec<_> = cc
            .packet_chunks
            .iter()
            .filter_map(|chunk| match chunk {
                PacketStatusChunk::RunLengthChunk(run) => Some((run.packet_status_symbol, run.run_length)),
                PacketStatusChunk::StatusVectorChunk(_) => None,
            })
            .collect();
        assert_eq!(runs, [(SymbolTypeTcc::PacketReceivedSmallDelta, 300)]);
        assert_eq!(packet.len(), (20 + 2 + 300_usize).next_multiple_of(4), "one chunk and a byte a delta");
    }

    #[test]
    fn an_arrival_over_8_seconds_after_the_previous_starts_the_next_feedback_packet() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let mut arrived = HashMap::new();
        for (seq, micros) in [(1, 0), (2, 5_000), (3, 9_005_000), (4, 9_006_000)] {
            let at = epoch + Duration::from_micros(micros);
            feedback.record(seq, at);
            arrived.insert(seq, at);
        }
        let (report, _) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_eq!(seqs(&report), [1, 2]);
        assert_arrivals(&report, &arrived);
        assert!(feedback.has_unreported());
        let (report, cc) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_eq!(seqs(&report), [3, 4]);
        assert_eq!(cc.reference_time, 9_005 / 64);
        assert_arrivals(&report, &arrived);
    }

    #[test]
    fn more_arrivals_than_one_packet_holds_are_spread_over_several_writes() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let mut arrived = HashMap::new();
        // 70 ms apart: every delta is large. Every tenth packet is lost.
        for seq in (0..3000_u16).filter(|seq| seq % 10 != 9) {
            let at = epoch + Duration::from_micros(u64::from(seq) * 70_013);
            feedback.record(seq, at);
            arrived.insert(seq, at);
        }
        let mut compound = Vec::new();
        let mut reported = Vec::new();
        let mut packets = 0;
        while feedback.has_unreported() {
            let packet = write_twcc(&mut feedback);
            assert!(packet.len() <= 1200, "{} bytes", packet.len());
            let (report, cc) = read_twcc(&packet, epoch);
            assert_eq!(cc.fb_pkt_count, packets);
            assert_arrivals(&report, &arrived);
            assert!(report.last().unwrap().1.is_some(), "a packet ends with one received");
            reported.extend(seqs(&report));
            compound.extend(packet);
            packets += 1;
        }
        assert!(packets >= 4, "{packets} packets");
        let expected: Vec<u16> = (0..*arrived.keys().max().unwrap() + 1).collect();
        assert_eq!(reported, expected, "each sequence number reported once, in order");
        let theirs = rtc_rtcp::packet::unmarshal(&mut &compound[..]).expect("webrtc-rs reads the compound packet");
        assert_eq!(theirs.len(), usize::from(packets));
    }

    #[test]
    fn late_and_duplicate_arrivals_are_ignored() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        let at = |millis| epoch + Duration::from_millis(millis);
        feedback.record(10, at(0));
        feedback.record(11, at(1));
        feedback.record(11, at(30));
        feedback.record(13, at(3));
        let (report, _) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_arrivals(&report, &HashMap::from([(10, at(0)), (11, at(1)), (13, at(3))]));
        assert_eq!(seqs(&report), [10, 11, 12, 13]);

        // 12 was reported lost, 9 is before the first reported.
        feedback.record(12, at(40));
        feedback.record(9, at(41));
        assert!(!feedback.has_unreported());
        let mut out = Vec::new();
        assert!(!feedback.write(&mut out, 0x5eed, 0xcafe));
        assert!(out.is_empty());

        feedback.record(14, at(42));
        let (report, cc) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_eq!(report, [(14, Some(at(42)))]);
        assert_eq!(cc.fb_pkt_count, 1);
    }

    #[test]
    fn arrivals_far_behind_the_newest_are_forgotten_when_feedback_is_not_written() {
        let epoch = Instant::now();
        let mut feedback = TransportFeedback::new();
        // Past the wrap, twice.
        let newest = 150_000_u32;
        let mut arrived = HashMap::new();
        for seq in 0..=newest {
            let at = epoch + Duration::from_micros(u64::from(seq) * 500);
            feedback.record(seq as u16, at);
            arrived.insert(seq as u16, at);
        }
        assert_eq!(feedback.arrivals.len(), TWCC_WINDOW as usize + 1);
        let (report, _) = read_twcc(&write_twcc(&mut feedback), epoch);
        assert_eq!(report[0].0, (newest - TWCC_WINDOW as u32) as u16, "the oldest kept");
        assert_arrivals(&report, &arrived);
    }
}
