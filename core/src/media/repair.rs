//! Asking the SFU for lost video packets (NACK, RFC 4585) until they are
//! repaired (RTX, RFC 4588) or no longer worth waiting for.
//!
//! The webrtc crate's own NACK generator cannot see repairs: they arrive on
//! the retransmission stream, under another SSRC, and are put back into the
//! video stream only after the interceptors. So it could safely ask only
//! once, and a NACK or a repair lost on the way cost a keyframe. This one
//! reads the original sequence number out of each repair. It asks again only
//! for what is still missing, one round trip after the last time it asked,
//! and it learns the round trip from how long repairs take to come.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rtc::interceptor::{AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::transport_feedbacks::transport_layer_nack::{TransportLayerNack, nack_pairs_from_sequence_numbers};
use rtc::sansio::Protocol;
use rtc::shared::TransportContext;

use super::assembler::REORDER_WAIT;

/// A gap is asked for this long after it is seen: a packet that is only
/// reordered arrives within it.
const FIRST_ASK_AFTER: Duration = Duration::from_millis(10);
/// What the round trip is taken to be until a repair has measured it.
const INITIAL_ROUND_TRIP: Duration = Duration::from_millis(100);
/// Added to the round trip before asking again: the SFU's and the network's jitter.
const ASK_AGAIN_MARGIN: Duration = Duration::from_millis(20);
/// A jump in sequence numbers larger than this is a new stream, not a loss.
const MAX_GAP: u16 = 256;
/// Gaps kept per stream; the oldest go first.
const MAX_GAPS: usize = 512;

#[derive(Debug)]
struct Gap {
    seq: u16,
    seen: Instant,
    asked: Option<Instant>,
    asks: u8,
}

impl Gap {
    /// When to ask for it next, if a repair asked for then could still come in time.
    fn ask_at(&self, round_trip: Duration) -> Option<Instant> {
        match self.asked {
            None => Some(self.seen + FIRST_ASK_AFTER),
            Some(asked) => {
                let at = asked + round_trip + ASK_AGAIN_MARGIN;
                (at + round_trip < self.seen + REORDER_WAIT).then_some(at)
            }
        }
    }
}

#[derive(Debug, Default)]
struct Stream {
    highest: Option<u16>,
    gaps: VecDeque<Gap>,
}

impl Stream {
    fn arrived(&mut self, seq: u16, now: Instant) {
        let Some(highest) = self.highest else {
            self.highest = Some(seq);
            return;
        };
        let ahead = seq.wrapping_sub(highest);
        if ahead == 0 {
            return;
        }
        if ahead > u16::MAX / 2 {
            // Behind the newest: a late packet fills its gap.
            self.gaps.retain(|g| g.seq != seq);
            return;
        }
        if ahead > MAX_GAP {
            self.gaps.clear();
        } else {
            for missing in 1..ahead {
                self.gaps.push_back(Gap { seq: highest.wrapping_add(missing), seen: now, asked: None, asks: 0 });
            }
            while self.gaps.len() > MAX_GAPS {
                self.gaps.pop_front();
            }
        }
        self.highest = Some(seq);
    }
}

/// The gaps in each watched video stream, and when to ask for them.
#[derive(Debug)]
pub struct RepairRequests {
    streams: HashMap<u32, Stream>,
    /// Retransmission SSRC → the SSRC it repairs.
    repairs: HashMap<u32, u32>,
    round_trip: Duration,
    counts: Arc<RepairCounts>,
}

impl RepairRequests {
    pub fn new(counts: Arc<RepairCounts>) -> Self {
        Self { streams: HashMap::new(), repairs: HashMap::new(), round_trip: INITIAL_ROUND_TRIP, counts }
    }

    /// Watches a stream for gaps; its repairs come on `rtx`.
    pub fn watch(&mut self, ssrc: u32, rtx: Option<u32>) {
        if self.repairs.contains_key(&ssrc) {
            return;
        }
        self.streams.entry(ssrc).or_default();
        if let Some(rtx) = rtx {
            self.repairs.insert(rtx, ssrc);
            self.streams.remove(&rtx);
        }
    }

    pub fn forget(&mut self, ssrc: u32) {
        self.streams.remove(&ssrc);
        self.repairs.retain(|rtx, primary| *rtx != ssrc && *primary != ssrc);
    }

    /// An RTP packet arrived: media fills or opens gaps; a repair fills its gap.
    pub fn arrived(&mut self, ssrc: u32, seq: u16, payload: &[u8], now: Instant) {
        if let Some(primary) = self.repairs.get(&ssrc) {
            // RFC 4588: the payload starts with the original sequence number. (Padding has none.)
            let (Some(stream), [high, low, ..]) = (self.streams.get_mut(primary), payload) else { return };
            let original = u16::from_be_bytes([*high, *low]);
            let Some(index) = stream.gaps.iter().position(|g| g.seq == original) else { return };
            let gap = stream.gaps.remove(index).expect("found above");
            self.counts.packets_repaired.fetch_add(1, Ordering::Relaxed);
            // Only a gap asked for once says which request the repair answers.
            if let (Some(asked), 1) = (gap.asked, gap.asks) {
                let sample = now.saturating_duration_since(asked).clamp(Duration::from_millis(1), REORDER_WAIT);
                self.round_trip = (self.round_trip * 3 + sample) / 4;
            }
        } else if let Some(stream) = self.streams.get_mut(&ssrc) {
            stream.arrived(seq, now);
        }
    }

    /// The round trip to the SFU, as repairs measure it.
    #[cfg(test)]
    fn round_trip(&self) -> Duration {
        self.round_trip
    }

    /// The sequence numbers to ask for now, by stream. Gaps the picture has
    /// stopped waiting for (see `REORDER_WAIT`) are dropped, and a gap is not
    /// asked for again when its repair could not come before that.
    pub fn due(&mut self, now: Instant) -> Vec<(u32, Vec<u16>)> {
        let mut due = Vec::new();
        let round_trip = self.round_trip;
        for (ssrc, stream) in &mut self.streams {
            let open = stream.gaps.len();
            stream.gaps.retain(|g| now.saturating_duration_since(g.seen) < REORDER_WAIT);
            self.counts.repairs_given_up.fetch_add((open - stream.gaps.len()) as u64, Ordering::Relaxed);
            let mut seqs = Vec::new();
            for gap in &mut stream.gaps {
                if gap.ask_at(round_trip).is_some_and(|at| at <= now) {
                    gap.asked = Some(now);
                    gap.asks = gap.asks.saturating_add(1);
                    seqs.push(gap.seq);
                }
            }
            if !seqs.is_empty() {
                due.push((*ssrc, seqs));
            }
        }
        due
    }

    /// When something is next due: asking for a gap, or giving it up.
    pub fn next_due(&self) -> Option<Instant> {
        self.streams
            .values()
            .flat_map(|s| &s.gaps)
            .map(|g| g.ask_at(self.round_trip).map_or(g.seen + REORDER_WAIT, |at| at.min(g.seen + REORDER_WAIT)))
            .min()
    }
}

/// How repairs have gone, for the app's statistics.
#[derive(Debug, Default)]
pub struct RepairCounts {
    /// Gaps filled by a repair.
    pub packets_repaired: AtomicU64,
    /// Gaps still open when the picture stopped waiting for them.
    pub repairs_given_up: AtomicU64,
}

/// The interceptor that sends the NACKs [`RepairRequests`] decides on.
pub struct RepairInterceptor {
    requests: RepairRequests,
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl RepairInterceptor {
    pub fn new(counts: Arc<RepairCounts>) -> Self {
        Self { requests: RepairRequests::new(counts), read: VecDeque::new(), write: VecDeque::new() }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for RepairInterceptor {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = webrtc::error::Error;
    type Time = Instant;

    fn handle_read(&mut self, message: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtp(packet) = &message.message.packet {
            self.requests.arrived(packet.header.ssrc, packet.header.sequence_number, &packet.payload, message.now);
        }
        self.read.push_back(message);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, message: TaggedPacket) -> Result<(), Self::Error> {
        self.write.push_back(message);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }

    fn handle_timeout(&mut self, now: Instant) -> Result<(), Self::Error> {
        for (media_ssrc, seqs) in self.requests.due(now) {
            let nack = TransportLayerNack { sender_ssrc: 0, media_ssrc, nacks: nack_pairs_from_sequence_numbers(&seqs) };
            let packet = AttributedPacket::new(Packet::Rtcp(vec![Box::new(nack)]));
            self.write.push_back(TaggedPacket { now, transport: TransportContext::default(), message: packet });
        }
        Ok(())
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.requests.next_due()
    }
}

impl Interceptor for RepairInterceptor {
    fn bind_remote_stream(&mut self, info: &StreamInfo) {
        if info.rtcp_feedback.iter().any(|f| f.typ == "nack" && f.parameter.is_empty()) {
            self.requests.watch(info.ssrc, info.ssrc_rtx);
        }
    }

    fn unbind_remote_stream(&mut self, info: &StreamInfo) {
        self.requests.forget(info.ssrc);
    }

    fn bind_local_stream(&mut self, _: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _: &StreamInfo) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIDEO: u32 = 1000;
    const RTX: u32 = 1004;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn watching() -> (RepairRequests, Instant) {
        let mut requests = RepairRequests::new(Arc::default());
        requests.watch(VIDEO, Some(RTX));
        // The retransmission stream is bound as a stream of its own as well.
        requests.watch(RTX, None);
        (requests, Instant::now())
    }

    fn media(requests: &mut RepairRequests, seq: u16, at: Instant) {
        requests.arrived(VIDEO, seq, b"h264", at);
    }

    fn repair(requests: &mut RepairRequests, rtx_seq: u16, original: u16, at: Instant) {
        let mut payload = original.to_be_bytes().to_vec();
        payload.extend_from_slice(b"h264");
        requests.arrived(RTX, rtx_seq, &payload, at);
    }

    fn asked(requests: &mut RepairRequests, at: Instant) -> Vec<u16> {
        let due = requests.due(at);
        assert!(due.iter().all(|(ssrc, _)| *ssrc == VIDEO), "only the video stream is asked for: {due:?}");
        due.into_iter().flat_map(|(_, seqs)| seqs).collect()
    }

    #[test]
    fn a_gap_is_asked_for_unless_the_packet_was_only_reordered() {
        let (mut requests, t) = watching();
        media(&mut requests, 1, t);
        media(&mut requests, 4, t);
        assert_eq!(requests.next_due(), Some(t + FIRST_ASK_AFTER));
        assert_eq!(asked(&mut requests, t + ms(5)), Vec::<u16>::new(), "reordering allowance");
        media(&mut requests, 2, t + ms(6));
        assert_eq!(asked(&mut requests, t + ms(10)), [3]);
        assert_eq!(asked(&mut requests, t + ms(11)), Vec::<u16>::new(), "asked once, not again at once");
    }

    #[test]
    fn a_repaired_packet_is_not_asked_for_again_and_its_repair_measures_the_round_trip() {
        let (mut requests, t) = watching();
        media(&mut requests, 1, t);
        media(&mut requests, 3, t);
        assert_eq!(asked(&mut requests, t + ms(10)), [2]);
        repair(&mut requests, 500, 2, t + ms(50));
        assert_eq!(requests.counts.packets_repaired.load(Ordering::Relaxed), 1);
        assert_eq!(requests.next_due(), None, "nothing missing");
        assert_eq!(asked(&mut requests, t + ms(150)), Vec::<u16>::new());
        // 100 ms at first, then a quarter of the way to the 40 ms the repair took.
        assert_eq!(requests.round_trip(), ms(100) * 3 / 4 + ms(40) / 4);
    }

    /// Ten losses, each repaired `round_trip` after it was asked for; returns the next free sequence number.
    fn learn_round_trip(requests: &mut RepairRequests, round_trip: Duration, now: &mut Instant) -> u16 {
        let mut seq = 1;
        for _ in 0..10 {
            media(requests, seq, *now);
            media(requests, seq + 2, *now);
            assert_eq!(asked(requests, *now + FIRST_ASK_AFTER), [seq + 1]);
            repair(requests, seq, seq + 1, *now + FIRST_ASK_AFTER + round_trip);
            seq += 3;
            *now += ms(200);
        }
        seq
    }

    #[test]
    fn on_a_short_round_trip_a_packet_still_missing_is_asked_for_again_until_the_picture_gives_it_up() {
        let (mut requests, mut t) = watching();
        let seq = learn_round_trip(&mut requests, ms(30), &mut t);
        let round_trip = requests.round_trip();
        assert!(round_trip < ms(35), "learned from repairs: {round_trip:?}");
        media(&mut requests, seq, t);
        media(&mut requests, seq + 2, t);
        assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
        let again = t + FIRST_ASK_AFTER + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(requests.next_due(), Some(again));
        assert_eq!(asked(&mut requests, again - ms(1)), Vec::<u16>::new());
        assert_eq!(asked(&mut requests, again), [seq + 1], "the NACK or its repair was lost");
        let third = again + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(asked(&mut requests, third), [seq + 1], "its repair still comes before the picture gives up");
        assert!(third + round_trip < t + REORDER_WAIT);
        assert_eq!(asked(&mut requests, third + round_trip + ASK_AGAIN_MARGIN), Vec::<u16>::new(), "too late now");
        assert_eq!(asked(&mut requests, t + REORDER_WAIT + ms(200)), Vec::<u16>::new(), "given up");
        assert_eq!(requests.next_due(), None);
        let counts = &requests.counts;
        assert_eq!(counts.packets_repaired.load(Ordering::Relaxed), 10);
        assert_eq!(counts.repairs_given_up.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn on_a_long_round_trip_a_packet_is_asked_for_once() {
        let (mut requests, mut t) = watching();
        let seq = learn_round_trip(&mut requests, ms(120), &mut t);
        media(&mut requests, seq, t);
        media(&mut requests, seq + 2, t);
        assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
        assert_eq!(requests.next_due(), Some(t + REORDER_WAIT), "only giving up is due");
        for later in (20..300).step_by(10) {
            assert_eq!(asked(&mut requests, t + ms(later)), Vec::<u16>::new(), "a second repair would come too late");
            assert!(requests.next_due().is_none_or(|due| due > t + ms(later)), "nothing due that is not done");
        }
    }

    #[test]
    fn sequence_numbers_wrap_and_a_jump_is_a_new_stream_not_a_loss() {
        let (mut requests, t) = watching();
        media(&mut requests, 65_534, t);
        media(&mut requests, 1, t);
        assert_eq!(asked(&mut requests, t + ms(10)), [65_535, 0]);
        media(&mut requests, 1 + MAX_GAP + 1, t + ms(20));
        assert_eq!(requests.next_due(), None, "the jump forgot the old gaps and opened none");
    }

    #[test]
    fn padding_and_repairs_of_what_is_not_missing_change_nothing() {
        let (mut requests, t) = watching();
        media(&mut requests, 1, t);
        media(&mut requests, 3, t);
        requests.arrived(RTX, 7, &[], t + ms(1));
        repair(&mut requests, 8, 1, t + ms(2));
        assert_eq!(asked(&mut requests, t + ms(10)), [2]);
        // Audio (not watched) is never asked for.
        requests.arrived(42, 1, b"opus", t);
        requests.arrived(42, 9, b"opus", t);
        assert_eq!(asked(&mut requests, t + ms(500)), Vec::<u16>::new());
    }
}
