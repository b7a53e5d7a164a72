//! What the SFU changes in a forwarded RTP packet for one receiver: sequence
//! numbers and timestamps, so the receiver sees one unbroken stream even when
//! forwarding starts late (at a keyframe), pauses (a block) or the publisher
//! rejoins with a new stream. Everything else passes through untouched.

use std::time::Instant;

/// One receiver's view of one publisher's stream.
#[derive(Debug, Default)]
pub struct Rewrite {
    /// The publisher's SSRC the mapping was made for.
    source_ssrc: Option<u32>,
    /// The first publisher sequence number forwarded since the last restart.
    first: Option<u64>,
    seq_offset: i64,
    time_offset: u32,
    /// The highest sequence number sent, its timestamp and when.
    last: Option<(u64, u32, Instant)>,
}

impl Rewrite {
    /// Whether packets of `ssrc` continue what is being forwarded (no restart needed).
    pub fn follows(&self, ssrc: u32) -> bool {
        self.first.is_some() && self.source_ssrc == Some(ssrc)
    }

    /// Forwarding (re)starts with this packet: it follows on from the last one
    /// sent, in sequence and, by the time passed, in timestamp.
    pub fn restart(&mut self, ssrc: u32, seq: u64, time: u32, clock_rate: u32, now: Instant) {
        let (out_seq, out_time) = match self.last {
            Some((last_seq, last_time, at)) => {
                let elapsed = (now.saturating_duration_since(at).as_secs_f64() * f64::from(clock_rate)) as u32;
                (last_seq + 1, last_time.wrapping_add(elapsed.max(1)))
            }
            // Starts with the publisher's own numbers, within the first rollover.
            None => (seq & 0xffff, time),
        };
        self.source_ssrc = Some(ssrc);
        self.first = Some(seq);
        self.seq_offset = out_seq as i64 - seq as i64;
        self.time_offset = out_time.wrapping_sub(time);
    }

    /// The receiver's sequence number and timestamp for a publisher's packet, or
    /// `None` for a packet from before the restart (a late one the receiver never expected).
    pub fn map(&mut self, seq: u64, time: u32, now: Instant) -> Option<(u64, u32)> {
        let first = self.first?;
        if seq < first {
            return None;
        }
        let out_seq = (seq as i64 + self.seq_offset) as u64;
        let out_time = time.wrapping_add(self.time_offset);
        if self.last.is_none_or(|(last, _, _)| out_seq > last) {
            self.last = Some((out_seq, out_time, now));
        }
        Some((out_seq, out_time))
    }

    /// Forwarding stops (a block); the next packet forwarded must restart.
    pub fn pause(&mut self) {
        self.first = None;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SSRC: u32 = 7;

    #[test]
    fn the_first_packet_keeps_the_publishers_numbers_within_one_rollover() {
        let mut rewrite = Rewrite::default();
        let t = Instant::now();
        rewrite.restart(SSRC, 70_000, 1000, 90_000, t);
        assert_eq!(rewrite.map(70_000, 1000, t), Some((70_000 & 0xffff, 1000)));
        assert_eq!(rewrite.map(70_001, 4000, t), Some(((70_000 & 0xffff) + 1, 4000)));
    }

    #[test]
    fn a_late_repair_lands_in_its_place_and_one_from_before_the_start_is_dropped() {
        let mut rewrite = Rewrite::default();
        let t = Instant::now();
        rewrite.restart(SSRC, 100, 0, 90_000, t);
        assert_eq!(rewrite.map(100, 0, t), Some((100, 0)));
        assert_eq!(rewrite.map(102, 0, t), Some((102, 0)));
        assert_eq!(rewrite.map(101, 0, t), Some((101, 0)), "the repair of 101 arrives after 102");
        assert_eq!(rewrite.map(99, 0, t), None, "never expected by this receiver");
    }

    #[test]
    fn after_a_pause_the_stream_continues_without_a_jump() {
        let mut rewrite = Rewrite::default();
        let t = Instant::now();
        rewrite.restart(SSRC, 500, 9000, 90_000, t);
        rewrite.map(500, 9000, t);
        rewrite.map(501, 12_000, t);
        rewrite.pause();
        assert!(!rewrite.follows(SSRC));
        assert_eq!(rewrite.map(600, 300_000, t), None, "nothing passes while paused");
        // Two seconds later, the publisher rejoined with another SSRC and numbers.
        let later = t + Duration::from_secs(2);
        rewrite.restart(SSRC + 1, 3, 77, 90_000, later);
        assert!(rewrite.follows(SSRC + 1));
        assert_eq!(rewrite.map(3, 77, later), Some((502, 12_000 + 180_000)));
        assert_eq!(rewrite.map(4, 3077, later), Some((503, 12_000 + 183_000)));
    }
}
