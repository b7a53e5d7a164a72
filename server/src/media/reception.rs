//! Reception statistics and repair requests for each stream a publisher sends.
//!
//! Sequence tracking, loss and jitter follow RFC 3550 appendix A; repair
//! requests (NACK) follow libwebrtc's NackModule. Packets arrive authenticated
//! (SRTP), so a new stream is not put on probation: it counts from its first
//! packet. A big jump is believed once the packet after it follows it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::feedback::ReportBlock;

/// RFC 3550 A.1: how far ahead a packet may be and still belong to the stream...
const MAX_DROPOUT: u16 = 3000;
/// ...and how far behind.
const MAX_MISORDER: u64 = 100;
/// How far behind the newest a missing packet is still listed (so, the most listed at once).
const MAX_MISSING: u64 = 1000;
const MAX_REQUESTS: u8 = 10;
const MAX_MISSING_AGE: Duration = Duration::from_secs(1);
const MIN_RETRY: Duration = Duration::from_millis(20);
const MAX_RETRY: Duration = Duration::from_millis(500);

#[derive(Debug)]
struct Missing {
    found: Instant,
    requested: Option<Instant>,
    requests: u8,
}

/// What is known of one incoming stream (SSRC) of a publisher.
#[derive(Debug)]
pub struct Reception {
    clock_rate: u32,
    /// The highest extended sequence number received. Extended numbers only go
    /// forward, across a restart too (unlike RFC 3550's, which start again at 0).
    highest: Option<u64>,
    /// Bit `n`: `highest - n` was received.
    window: u128,
    /// Where counting began (RFC 3550's base_seq).
    base: u64,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// The sequence number that, arriving next, makes a big jump a restart.
    bad_seq: Option<u16>,
    /// The timestamp and arrival of the last frame's first packet in order:
    /// jitter is measured between frames, not within one (as str0m does).
    frame: Option<(u32, Instant)>,
    /// In clock units.
    jitter: f64,
    last_sr: Option<(u64, Instant)>,
    loss: f32,
    repair: bool,
    /// By extended sequence number.
    missing: BTreeMap<u64, Missing>,
}

impl Reception {
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            highest: None,
            window: 0,
            base: 0,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            bad_seq: None,
            frame: None,
            jitter: 0.0,
            last_sr: None,
            loss: 0.0,
            repair: false,
            missing: BTreeMap::new(),
        }
    }

    /// Whether missing packets are listed and asked for (off: no missing set is kept).
    pub fn set_repair(&mut self, on: bool) {
        self.repair = on;
        if !on {
            self.missing.clear();
        }
    }

    pub fn has_received(&self) -> bool {
        self.highest.is_some()
    }

    /// A packet arrived: its extended sequence number, or `None` for a duplicate,
    /// one too far behind, or the first packet of a big jump (not yet believed).
    pub fn receive(&mut self, seq: u16, rtp_time: u32, at: Instant) -> Option<u64> {
        let bad_seq = self.bad_seq.take();
        let Some(highest) = self.highest else {
            self.restart(u64::from(seq), rtp_time, at);
            return self.highest;
        };
        let ahead = seq.wrapping_sub(highest as u16);
        if ahead != 0 && ahead < MAX_DROPOUT {
            let ext = highest + u64::from(ahead);
            self.advance(highest, ext, at);
            self.measure_jitter(rtp_time, at);
            return Some(ext);
        }
        let behind = u64::from((highest as u16).wrapping_sub(seq));
        if let Some(ext) = highest.checked_sub(behind)
            && self.fill(ext, behind, false)
        {
            return Some(ext);
        }
        if behind <= MAX_MISORDER {
            return None;
        }
        if bad_seq == Some(seq) {
            let ext = highest + u64::from(ahead);
            self.restart(ext, rtp_time, at);
            return Some(ext);
        }
        self.bad_seq = Some(seq.wrapping_add(1));
        None
    }

    /// A packet repaired by retransmission: its extended sequence number, or
    /// `None` if it was not missing (received, given up on, or too old).
    pub fn recovered(&mut self, seq: u16, at: Instant) -> Option<u64> {
        let highest = self.highest?;
        self.give_up(at);
        let behind = u64::from((highest as u16).wrapping_sub(seq));
        let ext = highest.checked_sub(behind)?;
        self.fill(ext, behind, true).then_some(ext)
    }

    pub fn sender_report(&mut self, ntp_time: u64, at: Instant) {
        self.last_sr = Some((ntp_time, at));
    }

    /// The reception report block as of `now`; starts the next interval for the fraction lost.
    pub fn report(&mut self, ssrc: u32, now: Instant) -> ReportBlock {
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((ntp, at)) => {
                let delay = now.saturating_duration_since(at).as_nanos() * 65_536 / 1_000_000_000;
                ((ntp >> 16) as u32, u32::try_from(delay).unwrap_or(u32::MAX))
            }
            None => (0, 0),
        };
        let mut block =
            ReportBlock { ssrc, jitter: self.jitter as u32, last_sr, delay_since_last_sr, ..Default::default() };
        let Some(highest) = self.highest else { return block };
        let expected = highest - self.base + 1;
        let expected_interval = expected - self.expected_prior;
        let lost_interval = expected_interval.saturating_sub(self.received - self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        if expected_interval > 0 {
            self.loss = lost_interval as f32 / expected_interval as f32;
            block.fraction_lost = ((lost_interval << 8) / expected_interval).min(255) as u8;
        } else {
            self.loss = 0.0;
        }
        block.cumulative_lost = (expected as i64 - self.received as i64).clamp(-0x80_0000, 0x7f_ffff) as i32;
        block.extended_highest = highest as u32;
        block
    }

    /// The fraction lost (0..=1) in the interval the last report covered.
    pub fn loss(&self) -> f32 {
        self.loss
    }

    /// The missing sequence numbers to ask for now, oldest first.
    pub fn nacks_due(&mut self, now: Instant, rtt: Duration) -> Vec<u16> {
        self.give_up(now);
        let retry = rtt.clamp(MIN_RETRY, MAX_RETRY);
        let mut due = Vec::new();
        self.missing.retain(|&ext, missing| {
            if missing.requested.is_some_and(|at| now.saturating_duration_since(at) < retry) {
                return true;
            }
            if missing.requests == MAX_REQUESTS {
                return false;
            }
            missing.requests += 1;
            missing.requested = Some(now);
            due.push(ext as u16);
            true
        });
        due
    }

    /// Counting starts (again) at this packet.
    fn restart(&mut self, ext: u64, rtp_time: u32, at: Instant) {
        self.highest = Some(ext);
        self.window = 1;
        self.base = ext;
        self.received = 1;
        self.expected_prior = 0;
        self.received_prior = 0;
        self.frame = Some((rtp_time, at));
        self.missing.clear();
    }

    fn advance(&mut self, highest: u64, ext: u64, at: Instant) {
        let ahead = ext - highest;
        self.window = if ahead < 128 { self.window << ahead | 1 } else { 1 };
        self.highest = Some(ext);
        self.received += 1;
        if !self.repair {
            return;
        }
        // A bigger gap is not listed, and leaves everything listed before too far behind.
        if ahead - 1 <= MAX_MISSING {
            let missing = (highest + 1..ext).map(|ext| (ext, Missing { found: at, requested: None, requests: 0 }));
            self.missing.extend(missing);
        }
        // So never more than 1000 entries.
        while self.missing.first_key_value().is_some_and(|(&oldest, _)| oldest + MAX_MISSING < ext) {
            self.missing.pop_first();
        }
    }

    /// Counts `ext` (`behind` the highest) if it was missing; a retransmission
    /// only if it is still listed, when repair is on.
    fn fill(&mut self, ext: u64, behind: u64, retransmitted: bool) -> bool {
        let listed = self.missing.remove(&ext).is_some();
        let unseen = behind <= MAX_MISORDER && self.window >> behind & 1 == 0;
        if !(listed || unseen && !(retransmitted && self.repair)) {
            return false;
        }
        if behind < 128 {
            self.window |= 1 << behind;
        }
        self.received += 1;
        self.base = self.base.min(ext);
        true
    }

    /// Forgets what went missing too long ago. Entries are found in order, the oldest first.
    fn give_up(&mut self, now: Instant) {
        let expired = |m: &Missing| now.saturating_duration_since(m.found) > MAX_MISSING_AGE;
        while self.missing.first_key_value().is_some_and(|(_, m)| expired(m)) {
            self.missing.pop_first();
        }
    }

    /// RFC 3550 A.8, in clock units.
    fn measure_jitter(&mut self, rtp_time: u32, at: Instant) {
        if let Some((frame_time, frame_at)) = self.frame {
            if frame_time == rtp_time {
                return;
            }
            let elapsed = at.saturating_duration_since(frame_at).as_nanos() as f64 * f64::from(self.clock_rate) / 1e9;
            let d = elapsed - f64::from(rtp_time.wrapping_sub(frame_time) as i32);
            self.jitter += (d.abs() - self.jitter) / 16.0;
        }
        self.frame = Some((rtp_time, at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSRC: u32 = 9;
    const RTT: Duration = Duration::from_millis(100);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Audio at 48 kHz, a packet every 20 ms.
    fn audio(reception: &mut Reception, t0: Instant, seq: u16) -> Option<u64> {
        reception.receive(seq, u32::from(seq).wrapping_mul(960), t0 + ms(20 * u64::from(seq)))
    }

    fn video() -> Reception {
        let mut reception = Reception::new(90_000);
        reception.set_repair(true);
        reception
    }

    #[test]
    fn in_order_packets_across_a_rollover_extend_the_sequence_without_loss() {
        let (mut reception, t0) = (Reception::new(48_000), Instant::now());
        assert!(!reception.has_received());
        let mut extended = Vec::new();
        for n in 0..12u16 {
            let seq = 65_530u16.wrapping_add(n);
            extended.push(reception.receive(seq, 960 * u32::from(n), t0 + ms(20 * u64::from(n))).unwrap());
        }
        assert!(reception.has_received());
        assert_eq!(extended, (65_530..=65_541).collect::<Vec<u64>>());
        let block = reception.report(SSRC, t0 + ms(1000));
        assert_eq!(block.ssrc, SSRC);
        assert_eq!((block.extended_highest >> 16, block.extended_highest & 0xffff), (1, 5));
        assert_eq!((block.fraction_lost, block.cumulative_lost), (0, 0));
    }

    #[test]
    fn a_gap_is_lost_in_its_interval_and_the_next_interval_starts_afresh() {
        let (mut reception, t0) = (Reception::new(48_000), Instant::now());
        for seq in (0..100).filter(|seq| !(40..50).contains(seq)) {
            audio(&mut reception, t0, seq);
        }
        let block = reception.report(SSRC, t0 + ms(2000));
        assert_eq!(block.fraction_lost, (256 * 10 / 100) as u8);
        assert_eq!(block.cumulative_lost, 10);
        assert_eq!(block.extended_highest, 99);
        assert!((reception.loss() - 0.1).abs() < 1e-6);

        for seq in 100..200 {
            audio(&mut reception, t0, seq);
        }
        let block = reception.report(SSRC, t0 + ms(4000));
        assert_eq!((block.fraction_lost, block.cumulative_lost), (0, 10));
        assert_eq!(reception.loss(), 0.0);
    }

    #[test]
    fn a_late_packet_fills_its_gap_and_a_duplicate_changes_nothing() {
        let (mut reception, t0) = (video(), Instant::now());
        reception.receive(10, 0, t0);
        reception.receive(12, 3000, t0 + ms(33));
        assert_eq!(reception.receive(11, 0, t0 + ms(40)), Some(11));
        assert_eq!(reception.nacks_due(t0 + ms(41), RTT), Vec::<u16>::new());
        assert_eq!(reception.receive(11, 0, t0 + ms(50)), None);
        assert_eq!(reception.receive(12, 3000, t0 + ms(50)), None);
        let block = reception.report(SSRC, t0 + ms(100));
        assert_eq!((block.fraction_lost, block.cumulative_lost, block.extended_highest), (0, 0, 12));

        // A packet from before the first one counts too.
        assert_eq!(reception.receive(9, 0, t0 + ms(60)), Some(9));
        assert_eq!(reception.report(SSRC, t0 + ms(200)).cumulative_lost, 0);
    }

    #[test]
    fn steady_arrivals_have_no_jitter_whatever_a_frames_packets_spread() {
        let (mut reception, t0) = (video(), Instant::now());
        for frame in 0..50u16 {
            let at = t0 + ms(10 * u64::from(frame));
            reception.receive(2 * frame, 900 * u32::from(frame), at);
            reception.receive(2 * frame + 1, 900 * u32::from(frame), at + ms(3));
        }
        assert_eq!(reception.report(SSRC, t0 + ms(1000)).jitter, 0);
    }

    #[test]
    fn alternating_early_and_late_arrivals_give_rfc_3550s_jitter() {
        let (mut reception, t0) = (video(), Instant::now());
        // Every other packet 1 ms (90 units) late: |D| = 90 for each of the 20 pairs,
        // so J = 90 · (1 − (15/16)²⁰) = 65.2.
        for seq in 0..=20u16 {
            let late = if seq % 2 == 1 { ms(1) } else { ms(0) };
            reception.receive(seq, 900 * u32::from(seq), t0 + ms(10 * u64::from(seq)) + late);
        }
        assert_eq!(reception.report(SSRC, t0 + ms(1000)).jitter, 65);
    }

    #[test]
    fn a_sender_report_gives_the_middle_of_its_ntp_time_and_the_delay_since() {
        let (mut reception, t0) = (Reception::new(48_000), Instant::now());
        audio(&mut reception, t0, 0);
        let block = reception.report(SSRC, t0);
        assert_eq!((block.last_sr, block.delay_since_last_sr), (0, 0));
        reception.sender_report(0x1234_5678_9abc_def0, t0 + ms(500));
        let block = reception.report(SSRC, t0 + ms(2000));
        assert_eq!(block.last_sr, 0x5678_9abc);
        assert_eq!(block.delay_since_last_sr, 65_536 * 3 / 2);
    }

    #[test]
    fn a_gap_is_asked_for_at_once_then_every_retry_interval_at_most_ten_times() {
        let (mut reception, t0) = (video(), Instant::now());
        reception.receive(65_534, 0, t0);
        reception.receive(2, 3000, t0);
        assert_eq!(reception.nacks_due(t0, RTT), vec![65_535, 0, 1]);
        assert_eq!(reception.nacks_due(t0 + ms(99), RTT), Vec::<u16>::new());
        assert_eq!(reception.nacks_due(t0 + ms(100), RTT).len(), 3);
        // An RTT below 20 ms retries every 20 ms.
        assert_eq!(reception.nacks_due(t0 + ms(110), ms(1)), Vec::<u16>::new());
        assert_eq!(reception.nacks_due(t0 + ms(120), ms(1)).len(), 3);

        let mut requests = 3;
        for step in 1..=20 {
            requests += reception.nacks_due(t0 + ms(120 + 20 * step), ms(20)).len() / 3;
        }
        assert_eq!(requests, 10);
        assert_eq!(reception.recovered(0, t0 + ms(600)), None);
    }

    #[test]
    fn a_gap_is_given_up_a_second_after_it_was_found() {
        let (mut reception, t0) = (video(), Instant::now());
        reception.receive(0, 0, t0);
        reception.receive(2, 3000, t0);
        let long_rtt = ms(900);
        assert_eq!(reception.nacks_due(t0, long_rtt), vec![1]);
        assert_eq!(reception.nacks_due(t0 + ms(500), long_rtt), vec![1]);
        assert_eq!(reception.recovered(1, t0 + ms(1001)), None);
        assert_eq!(reception.nacks_due(t0 + ms(1001), long_rtt), Vec::<u16>::new());
        assert_eq!(reception.report(SSRC, t0 + ms(1002)).cumulative_lost, 1);
    }

    #[test]
    fn a_retransmission_fills_its_gap_once_and_is_no_longer_asked_for() {
        let (mut reception, t0) = (video(), Instant::now());
        reception.receive(0, 0, t0);
        reception.receive(3, 3000, t0);
        assert_eq!(reception.nacks_due(t0, RTT), vec![1, 2]);
        assert_eq!(reception.recovered(1, t0 + ms(50)), Some(1));
        assert_eq!(reception.recovered(1, t0 + ms(60)), None);
        assert_eq!(reception.recovered(3, t0 + ms(60)), None);
        assert_eq!(reception.nacks_due(t0 + ms(100), RTT), vec![2]);
        assert_eq!(reception.report(SSRC, t0 + ms(100)).cumulative_lost, 1);
    }

    #[test]
    fn without_repair_nothing_is_listed_but_a_retransmission_still_fills_a_recent_gap() {
        let (mut reception, t0) = (Reception::new(90_000), Instant::now());
        reception.receive(0, 0, t0);
        reception.receive(3, 3000, t0);
        assert!(reception.missing.is_empty());
        assert_eq!(reception.nacks_due(t0, RTT), Vec::<u16>::new());
        assert_eq!(reception.recovered(1, t0), Some(1));
        assert_eq!(reception.report(SSRC, t0).cumulative_lost, 1);
    }

    #[test]
    fn the_missing_set_keeps_at_most_the_last_thousand_and_a_bigger_gap_clears_it() {
        let (mut reception, t0) = (video(), Instant::now());
        reception.receive(0, 0, t0);
        reception.receive(1001, 3000, t0);
        let due = reception.nacks_due(t0, RTT);
        assert_eq!((due.len(), due.first(), due.last()), (1000, Some(&1), Some(&1000)));
        reception.receive(1003, 6000, t0);
        assert!(reception.missing.len() <= 1000);
        // More than 1000 behind the newest.
        assert_eq!(reception.recovered(1, t0), None);
        assert_eq!(reception.recovered(3, t0), Some(3));

        reception.receive(2005, 9000, t0);
        assert!(reception.missing.is_empty());
        assert_eq!(reception.nacks_due(t0 + ms(500), RTT), Vec::<u16>::new());
    }

    #[test]
    fn a_stray_packet_far_away_or_a_lost_one_long_after_is_ignored() {
        let (mut reception, t0) = (Reception::new(48_000), Instant::now());
        for seq in (0..200).filter(|&seq| seq != 90) {
            audio(&mut reception, t0, seq);
        }
        assert_eq!(reception.receive(30_000, 0, t0 + ms(4000)), None);
        assert_eq!(audio(&mut reception, t0, 200), Some(200));
        // Not next to the stray one.
        assert_eq!(reception.receive(30_001, 0, t0 + ms(4000)), None);
        // More than 100 behind.
        assert_eq!(audio(&mut reception, t0, 90), None);
        let block = reception.report(SSRC, t0 + ms(5000));
        assert_eq!((block.extended_highest, block.cumulative_lost), (200, 1));
    }

    #[test]
    fn a_stream_restarted_by_a_big_jump_counts_afresh_from_the_packet_after_it() {
        let (mut reception, t0) = (video(), Instant::now());
        for seq in 0..50u16 {
            reception.receive(seq, 900 * u32::from(seq), t0 + ms(10 * u64::from(seq)));
        }
        reception.receive(52, 900 * 52, t0 + ms(520));
        reception.report(SSRC, t0 + ms(600));

        // A new stream, with timestamps of its own.
        let t1 = t0 + ms(1000);
        assert_eq!(reception.receive(40_000, 7_000_000, t1), None);
        assert_eq!(reception.receive(40_001, 7_000_900, t1 + ms(10)), Some(40_001));
        for seq in 40_002..40_050u16 {
            let n = u32::from(seq - 40_000);
            assert_eq!(reception.receive(seq, 7_000_000 + 900 * n, t1 + ms(10 * u64::from(n))), Some(u64::from(seq)));
        }
        let block = reception.report(SSRC, t1 + ms(1000));
        assert_eq!((block.fraction_lost, block.cumulative_lost, block.extended_highest), (0, 0, 40_049));
        assert_eq!(block.jitter, 0);
        assert_eq!(reception.nacks_due(t1 + ms(1000), RTT), Vec::<u16>::new());
    }
}
