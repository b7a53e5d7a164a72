//! Asking the SFU for lost video packets (NACK, RFC 4585) until they are
//! repaired (RTX, RFC 4588) or no longer worth waiting for, and how long the
//! picture waits for them.
//!
//! The webrtc crate's own NACK generator cannot see repairs: they arrive on
//! the retransmission stream, under another SSRC, and are put back into the
//! video stream only after the interceptors. So it could safely ask only
//! once, and a NACK or a repair lost on the way cost a keyframe. This one
//! reads the original sequence number out of each repair. It asks again only
//! for what is still missing, one round trip after the last time it asked,
//! and it learns the round trip from how long repairs take to come.
//!
//! A packet the SFU lost on its way in is repaired by the publisher and only
//! then forwarded, so how long a gap takes to fill depends on the publisher's
//! path as well. The wait is learned per stream from how long gaps asked for
//! took to fill: three times that, so that when a NACK or a repair is lost
//! on either path, even twice, the next repair still comes in time. Where
//! even a first repair comes later than the longest wait (typically a queue
//! in a bottleneck, where asking again would only add to the queue), the
//! picture waits the shortest time and asks for a keyframe instead.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rtc::interceptor::{AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::transport_feedbacks::transport_layer_nack::{TransportLayerNack, nack_pairs_from_sequence_numbers};
use rtc::sansio::Protocol;
use rtc::shared::TransportContext;

/// A gap is asked for this long after it is seen: a packet that is only
/// reordered arrives within it.
const FIRST_ASK_AFTER: Duration = Duration::from_millis(10);
/// What the round trip is taken to be until a repair has measured it.
const INITIAL_ROUND_TRIP: Duration = Duration::from_millis(100);
/// Added to the round trip before asking again: the SFU's and the network's jitter.
const ASK_AGAIN_MARGIN: Duration = Duration::from_millis(20);
/// The shortest wait for a missing packet, and the wait before any gap has
/// filled: a first repair on a path with a 100 ms round trip comes within it.
const MIN_WAIT: Duration = Duration::from_millis(160);
/// The longest: beyond it a keyframe comes sooner than another repair.
const MAX_WAIT: Duration = Duration::from_millis(500);
/// How many repairs of one gap the picture waits for: at 5% loss each way
/// one gap in ten needs a second, one in a hundred a third.
const REPAIR_ROUNDS: u32 = 3;
/// Added to the time those take: jitter.
const WAIT_MARGIN: Duration = Duration::from_millis(40);
/// A jump in sequence numbers larger than this is a new stream, not a loss.
const MAX_GAP: u16 = 256;
/// Gaps kept per stream; the oldest go first.
const MAX_GAPS: usize = 512;
/// Given-up gaps remembered per stream, to learn from if they fill late.
const MAX_GIVEN_UP: usize = 64;

#[derive(Debug)]
struct Gap {
    seq: u16,
    seen: Instant,
    asked: Option<Instant>,
    asks: u8,
}

impl Gap {
    /// When to ask for it next, if a repair asked for then could still come in time.
    fn ask_at(&self, round_trip: Duration, wait: Duration) -> Option<Instant> {
        match self.asked {
            None => Some(self.seen + FIRST_ASK_AFTER),
            Some(asked) => {
                let at = asked + round_trip + ASK_AGAIN_MARGIN;
                (at + round_trip < self.seen + wait).then_some(at)
            }
        }
    }
}

#[derive(Debug)]
struct Stream {
    highest: Option<u16>,
    gaps: VecDeque<Gap>,
    /// Gaps lately given up: one filled after all still says how long filling takes.
    given_up: VecDeque<Gap>,
    /// How long gaps asked for took to fill, smoothed; none filled yet.
    fill_time: Option<Duration>,
    wait: Arc<RepairWait>,
}

impl Stream {
    fn new(wait: Arc<RepairWait>) -> Self {
        Self {
            highest: None,
            gaps: VecDeque::new(),
            given_up: VecDeque::new(),
            fill_time: None,
            wait,
        }
    }

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
            // Behind the newest: a late packet (reordered, or repaired before the SFU forwarded it) fills its gap.
            self.fill(seq, now);
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

    /// Closes the gap `seq` and learns from how long it took to fill. Returns
    /// it, and whether the picture was still waiting for it.
    fn fill(&mut self, seq: u16, now: Instant) -> Option<(Gap, bool)> {
        let open = self.gaps.iter().position(|g| g.seq == seq);
        let gap = match open {
            Some(index) => self.gaps.remove(index),
            None => {
                let index = self.given_up.iter().position(|g| g.seq == seq)?;
                self.given_up.remove(index)
            }
        }
        .expect("found above");
        if gap.asked.is_some() {
            // As TCP smooths round trips (RFC 6298): the first sample as it is, then a gain of
            // 1/8, so that a gap filled only by a later repair does not swing it.
            let sample = now.saturating_duration_since(gap.seen);
            let fill_time = self.fill_time.map_or(sample, |smoothed| (smoothed * 7 + sample) / 8);
            self.fill_time = Some(fill_time);
            self.wait.set(if fill_time + WAIT_MARGIN > MAX_WAIT {
                MIN_WAIT
            } else {
                (fill_time * REPAIR_ROUNDS + WAIT_MARGIN).clamp(MIN_WAIT, MAX_WAIT)
            });
        }
        Some((gap, open.is_some()))
    }

    /// Gives up the gaps waited for long enough; returns how many.
    fn give_up(&mut self, now: Instant) -> usize {
        let wait = self.wait.get();
        self.given_up.retain(|g| now.saturating_duration_since(g.seen) < MAX_WAIT * 2);
        let mut count = 0;
        while let Some(gap) = self.gaps.front()
            && now.saturating_duration_since(gap.seen) >= wait
        {
            self.given_up.push_back(self.gaps.pop_front().expect("checked"));
            count += 1;
        }
        while self.given_up.len() > MAX_GIVEN_UP {
            self.given_up.pop_front();
        }
        count
    }
}

/// The gaps in each watched video stream, and when to ask for them.
#[derive(Debug)]
pub struct RepairRequests {
    streams: HashMap<u32, Stream>,
    /// Retransmission SSRC → the SSRC it repairs.
    rtx_of: HashMap<u32, u32>,
    round_trip: Duration,
    repairs: Arc<Repairs>,
}

impl RepairRequests {
    pub fn new(repairs: Arc<Repairs>) -> Self {
        Self { streams: HashMap::new(), rtx_of: HashMap::new(), round_trip: INITIAL_ROUND_TRIP, repairs }
    }

    /// Watches a stream for gaps; its repairs come on `rtx`.
    pub fn watch(&mut self, ssrc: u32, rtx: Option<u32>) {
        if self.rtx_of.contains_key(&ssrc) {
            return;
        }
        self.streams.entry(ssrc).or_insert_with(|| Stream::new(self.repairs.wait_for(ssrc)));
        if let Some(rtx) = rtx {
            self.rtx_of.insert(rtx, ssrc);
            self.streams.remove(&rtx);
            self.repairs.forget(rtx);
        }
    }

    pub fn forget(&mut self, ssrc: u32) {
        self.streams.remove(&ssrc);
        self.rtx_of.retain(|rtx, primary| *rtx != ssrc && *primary != ssrc);
        self.repairs.forget(ssrc);
    }

    /// An RTP packet arrived: media fills or opens gaps; a repair fills its gap.
    pub fn arrived(&mut self, ssrc: u32, seq: u16, payload: &[u8], now: Instant) {
        if let Some(primary) = self.rtx_of.get(&ssrc) {
            // RFC 4588: the payload starts with the original sequence number. (Padding has none.)
            let (Some(stream), [high, low, ..]) = (self.streams.get_mut(primary), payload) else { return };
            let Some((gap, awaited)) = stream.fill(u16::from_be_bytes([*high, *low]), now) else { return };
            if awaited {
                self.repairs.packets_repaired.fetch_add(1, Ordering::Relaxed);
            }
            // Only a gap asked for once says which request the repair answers. One that
            // came too late for the picture still measures the round trip.
            if let (Some(asked), 1) = (gap.asked, gap.asks) {
                let sample = now.saturating_duration_since(asked).clamp(Duration::from_millis(1), MAX_WAIT * 2);
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
    /// stopped waiting for are dropped, and a gap is not asked for again when
    /// its repair could not come before that.
    pub fn due(&mut self, now: Instant) -> Vec<(u32, Vec<u16>)> {
        let mut due = Vec::new();
        let round_trip = self.round_trip;
        for (ssrc, stream) in &mut self.streams {
            let given_up = stream.give_up(now);
            self.repairs.repairs_given_up.fetch_add(given_up as u64, Ordering::Relaxed);
            let wait = stream.wait.get();
            let mut seqs = Vec::new();
            for gap in &mut stream.gaps {
                if gap.ask_at(round_trip, wait).is_some_and(|at| at <= now) {
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
            .flat_map(|s| {
                let wait = s.wait.get();
                s.gaps.iter().map(move |g| {
                    let give_up = g.seen + wait;
                    g.ask_at(self.round_trip, wait).map_or(give_up, |at| at.min(give_up))
                })
            })
            .min()
    }
}

/// What the NACK generator shares with the app: how repairs have gone, and
/// how long each stream's picture waits for a missing packet.
#[derive(Debug, Default)]
pub struct Repairs {
    /// Gaps filled by a repair.
    pub packets_repaired: AtomicU64,
    /// Gaps still open when the picture stopped waiting for them.
    pub repairs_given_up: AtomicU64,
    waits: Mutex<HashMap<u32, Arc<RepairWait>>>,
}

impl Repairs {
    /// How long the picture of stream `ssrc` waits for a missing packet.
    pub fn wait_for(&self, ssrc: u32) -> Arc<RepairWait> {
        self.waits.lock().expect("not poisoned").entry(ssrc).or_default().clone()
    }

    fn forget(&self, ssrc: u32) {
        self.waits.lock().expect("not poisoned").remove(&ssrc);
    }
}

/// How long one stream's picture waits for a missing packet before giving it
/// up (and asking for a keyframe). The NACK generator learns it; the track's
/// reader holds later packets that long.
#[derive(Debug)]
pub struct RepairWait(AtomicU64);

impl Default for RepairWait {
    fn default() -> Self {
        Self(AtomicU64::new(MIN_WAIT.as_micros() as u64))
    }
}

impl RepairWait {
    pub fn get(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }

    fn set(&self, wait: Duration) {
        self.0.store(wait.as_micros() as u64, Ordering::Relaxed);
    }
}

/// The interceptor that sends the NACKs [`RepairRequests`] decides on.
pub struct RepairInterceptor {
    requests: RepairRequests,
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl RepairInterceptor {
    pub fn new(repairs: Arc<Repairs>) -> Self {
        Self { requests: RepairRequests::new(repairs), read: VecDeque::new(), write: VecDeque::new() }
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
        assert_eq!(requests.repairs.packets_repaired.load(Ordering::Relaxed), 1);
        assert_eq!(requests.next_due(), None, "nothing missing");
        assert_eq!(asked(&mut requests, t + ms(150)), Vec::<u16>::new());
        // 100 ms at first, then a quarter of the way to the 40 ms the repair took.
        assert_eq!(requests.round_trip(), ms(100) * 3 / 4 + ms(40) / 4);
    }

    /// Losses, each repaired `round_trip` after it was asked for (enough for
    /// the estimates to settle); returns the next free sequence number.
    fn learn_round_trip(requests: &mut RepairRequests, round_trip: Duration, now: &mut Instant) -> u16 {
        let mut seq = 1;
        for _ in 0..40 {
            media(requests, seq, *now);
            media(requests, seq + 2, *now);
            assert_eq!(asked(requests, *now + FIRST_ASK_AFTER), [seq + 1]);
            repair(requests, seq, seq + 1, *now + FIRST_ASK_AFTER + round_trip);
            seq += 3;
            *now += ms(600);
        }
        seq
    }

    fn wait(requests: &RepairRequests) -> Duration {
        requests.repairs.wait_for(VIDEO).get()
    }

    #[test]
    fn on_a_short_round_trip_a_packet_still_missing_is_asked_for_again_until_the_picture_gives_it_up() {
        let (mut requests, mut t) = watching();
        let seq = learn_round_trip(&mut requests, ms(30), &mut t);
        let round_trip = requests.round_trip();
        assert!(round_trip < ms(35), "learned from repairs: {round_trip:?}");
        assert_eq!(wait(&requests), MIN_WAIT, "gaps fill in 40 ms: the shortest wait covers two repairs");
        media(&mut requests, seq, t);
        media(&mut requests, seq + 2, t);
        assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
        let again = t + FIRST_ASK_AFTER + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(requests.next_due(), Some(again));
        assert_eq!(asked(&mut requests, again - ms(1)), Vec::<u16>::new());
        assert_eq!(asked(&mut requests, again), [seq + 1], "the NACK or its repair was lost");
        let third = again + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(asked(&mut requests, third), [seq + 1], "its repair still comes before the picture gives up");
        assert!(third + round_trip < t + MIN_WAIT);
        assert_eq!(asked(&mut requests, third + round_trip + ASK_AGAIN_MARGIN), Vec::<u16>::new(), "too late now");
        assert_eq!(asked(&mut requests, t + MIN_WAIT + ms(200)), Vec::<u16>::new(), "given up");
        assert_eq!(requests.next_due(), None);
        let repairs = &requests.repairs;
        assert_eq!(repairs.packets_repaired.load(Ordering::Relaxed), 40);
        assert_eq!(repairs.repairs_given_up.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn where_gaps_take_long_to_fill_the_picture_waits_for_a_third_repair() {
        let (mut requests, mut t) = watching();
        let seq = learn_round_trip(&mut requests, ms(120), &mut t);
        let (round_trip, wait) = (requests.round_trip(), wait(&requests));
        // Gaps fill 130 ms after they are seen: three times that, and the margin.
        assert!(wait > ms(420) && wait <= ms(430), "{wait:?}");
        media(&mut requests, seq, t);
        media(&mut requests, seq + 2, t);
        assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
        let again = t + FIRST_ASK_AFTER + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(requests.next_due(), Some(again));
        assert_eq!(asked(&mut requests, again), [seq + 1], "a second repair comes in time");
        let third = again + round_trip + ASK_AGAIN_MARGIN;
        assert_eq!(asked(&mut requests, third), [seq + 1], "and a third");
        assert_eq!(requests.next_due(), Some(t + wait), "a fourth would not: only giving up is due");
        assert_eq!(asked(&mut requests, t + wait - ms(1)), Vec::<u16>::new());
        requests.due(t + wait);
        assert_eq!(requests.repairs.repairs_given_up.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn on_a_very_long_round_trip_a_packet_is_asked_for_once_and_waited_for_at_most_the_longest_wait() {
        let (mut requests, mut t) = watching();
        let seq = learn_round_trip(&mut requests, ms(400), &mut t);
        assert_eq!(wait(&requests), MAX_WAIT);
        media(&mut requests, seq, t);
        media(&mut requests, seq + 2, t);
        assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
        assert_eq!(requests.next_due(), Some(t + MAX_WAIT), "only giving up is due");
        for later in (20..MAX_WAIT.as_millis() as u64).step_by(10) {
            assert_eq!(asked(&mut requests, t + ms(later)), Vec::<u16>::new(), "a second repair would come too late");
            assert!(requests.next_due().is_none_or(|due| due > t + ms(later)), "nothing due that is not done");
        }
    }

    #[test]
    fn a_packet_the_sfu_forwards_late_teaches_the_wait_and_a_reordered_one_does_not() {
        let (mut requests, mut t) = watching();
        let reordered = |requests: &mut RepairRequests, seqs: std::ops::Range<u16>, t: &mut Instant| {
            for seq in seqs.step_by(3) {
                media(requests, seq, *t);
                media(requests, seq + 2, *t);
                media(requests, seq + 1, *t + ms(2));
                *t += ms(300);
            }
        };
        reordered(&mut requests, 1..40, &mut t);
        assert_eq!(wait(&requests), MIN_WAIT, "filled before it was asked for");
        // Lost on the publisher's path: repaired there, then forwarded as it is, not as a repair.
        for seq in (40..160).step_by(3) {
            media(&mut requests, seq, t);
            media(&mut requests, seq + 2, t);
            assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
            media(&mut requests, seq + 1, t + ms(140));
            t += ms(600);
        }
        let learned = wait(&requests);
        assert!(learned > ms(300), "{learned:?}");
        assert_eq!(requests.repairs.packets_repaired.load(Ordering::Relaxed), 0, "none of them came as a repair");
        // Swaps filled within 2 ms would shorten it if they counted.
        reordered(&mut requests, 160..200, &mut t);
        assert_eq!(wait(&requests), learned, "swaps teach nothing");
    }

    #[test]
    fn gaps_given_up_but_filled_later_lengthen_the_wait_up_to_the_longest() {
        let (mut requests, mut t) = watching();
        let mut waits = Vec::new();
        for seq in (1..120).step_by(3) {
            media(&mut requests, seq, t);
            media(&mut requests, seq + 2, t);
            assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
            let wait = wait(&requests);
            waits.push(wait);
            // The repair comes 250 ms after the gap was seen, whatever the picture did meanwhile.
            if wait <= ms(250) {
                requests.due(t + wait);
            }
            repair(&mut requests, seq, seq + 1, t + ms(250));
            t += ms(600);
        }
        let repairs = &requests.repairs;
        assert_eq!(waits[0], MIN_WAIT);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(wait(&requests), MAX_WAIT);
        let given_up = repairs.repairs_given_up.load(Ordering::Relaxed);
        let repaired = repairs.packets_repaired.load(Ordering::Relaxed);
        assert_eq!(given_up + repaired, 40);
        assert!(repaired > 30, "once the wait had grown, repairs came in time: {repaired} of 40");
    }

    #[test]
    fn where_repairs_come_later_than_the_longest_wait_the_picture_waits_the_shortest_and_asks_once() {
        let (mut requests, mut t) = watching();
        // A queue in a bottleneck: every repair comes 600 ms after it was asked for.
        let mut seq = 1;
        for _ in 0..10 {
            media(&mut requests, seq, t);
            media(&mut requests, seq + 2, t);
            assert_eq!(asked(&mut requests, t + FIRST_ASK_AFTER), [seq + 1]);
            assert_eq!(asked(&mut requests, t + MIN_WAIT), Vec::<u16>::new(), "given up, not asked again");
            repair(&mut requests, seq, seq + 1, t + FIRST_ASK_AFTER + ms(600));
            seq += 3;
            t += ms(1_000);
        }
        assert_eq!(wait(&requests), MIN_WAIT);
        assert!(requests.round_trip() > ms(500), "late repairs measure the round trip: {:?}", requests.round_trip());
        let repairs = &requests.repairs;
        assert_eq!(repairs.repairs_given_up.load(Ordering::Relaxed), 10);
        assert_eq!(repairs.packets_repaired.load(Ordering::Relaxed), 0, "none came while the picture waited");
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
