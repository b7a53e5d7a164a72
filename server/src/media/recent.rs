//! What was sent lately, in order of sequence number, for a short while: the
//! last second of a publisher's video, kept once for all its receivers'
//! repairs, and each receiver's record of the video it was sent.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Recent<T> {
    /// (sequence number, when it was kept, the item), in order of sequence number.
    items: VecDeque<(u64, Instant, T)>,
    age: Duration,
    max: usize,
}

impl<T> Recent<T> {
    /// Keeps items for `age`, and at most `max` of them.
    pub fn new(age: Duration, max: usize) -> Self {
        Self { items: VecDeque::new(), age, max }
    }

    /// Keeps `item` as `seq`, kept `at`; what is older than the age (or beyond the
    /// count) goes to `gone`, to be used again.
    pub fn keep(&mut self, seq: u64, at: Instant, item: T, mut gone: impl FnMut(T)) {
        while let Some((_, oldest, _)) = self.items.front() {
            if at.saturating_duration_since(*oldest) <= self.age && self.items.len() < self.max {
                break;
            }
            let (_, _, item) = self.items.pop_front().expect("looked at above");
            gone(item);
        }
        match self.items.back() {
            // Late (a repair the publisher sent late, forwarded late): it goes where it belongs.
            Some((newest, ..)) if *newest >= seq => {
                let at_place = self.items.partition_point(|(s, ..)| *s < seq);
                match self.items.get_mut(at_place) {
                    Some(place) if place.0 == seq => gone(std::mem::replace(place, (seq, at, item)).2),
                    _ => self.items.insert(at_place, (seq, at, item)),
                }
            }
            _ => self.items.push_back((seq, at, item)),
        }
    }

    /// Where the item kept as `seq` is, if it is not older than the age at `now`.
    fn place(&self, seq: u64, now: Instant) -> Option<usize> {
        let at = self.items.partition_point(|(s, ..)| *s < seq);
        let (s, kept, _) = self.items.get(at)?;
        (*s == seq && now.saturating_duration_since(*kept) <= self.age).then_some(at)
    }

    pub fn get(&self, seq: u64, now: Instant) -> Option<&T> {
        self.place(seq, now).map(|at| &self.items[at].2)
    }

    pub fn get_mut(&mut self, seq: u64, now: Instant) -> Option<&mut T> {
        self.place(seq, now).map(|at| &mut self.items[at].2)
    }

    #[cfg(test)]
    fn seqs(&self) -> impl Iterator<Item = u64> + '_ {
        self.items.iter().map(|(seq, ..)| *seq)
    }
}

/// A publisher's video payloads, kept for resending to any of its receivers.
#[derive(Debug)]
pub struct Payloads {
    kept: Recent<(u32, Vec<u8>)>,
    /// Buffers of packets gone, for the next ones: a packet is copied once, hardly
    /// ever allocated.
    spare: Vec<Vec<u8>>,
}

/// Buffers kept for the next packets: one goes, one comes, as packets flow.
const SPARE_BUFFERS: usize = 2;

impl Payloads {
    pub fn new(age: Duration, max: usize) -> Self {
        Self { kept: Recent::new(age, max), spare: Vec::new() }
    }

    /// Keeps the payload of the packet `seq` of the stream `ssrc`.
    pub fn keep(&mut self, ssrc: u32, seq: u64, at: Instant, payload: &[u8]) {
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer.extend_from_slice(payload);
        let spare = &mut self.spare;
        self.kept.keep(seq, at, (ssrc, buffer), |(_, gone)| {
            if spare.len() < SPARE_BUFFERS {
                spare.push(gone);
            }
        });
    }

    /// The payload of packet `seq` of the stream `ssrc`, if it is still kept.
    pub fn get(&self, ssrc: u32, seq: u64, now: Instant) -> Option<&[u8]> {
        self.kept.get(seq, now).filter(|(kept_ssrc, _)| *kept_ssrc == ssrc).map(|(_, payload)| &payload[..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_stay_in_order_for_their_age_and_a_late_one_goes_in_its_place() {
        let start = Instant::now();
        let mut recent = Recent::new(Duration::from_secs(1), 4);
        let mut gone = Vec::new();
        for seq in [10, 11, 13, 12] {
            recent.keep(seq, start, seq * 100, |item| gone.push(item));
        }
        assert_eq!(recent.seqs().collect::<Vec<_>>(), [10, 11, 12, 13]);
        assert_eq!(recent.get(12, start), Some(&1200));
        assert_eq!(recent.get(14, start), None);
        // A fifth is one too many: the oldest goes.
        recent.keep(14, start, 1400, |item| gone.push(item));
        assert_eq!(recent.seqs().collect::<Vec<_>>(), [11, 12, 13, 14]);
        assert_eq!(gone, [1000]);
        // Older than the age: not given out, and gone with the next one kept.
        let later = start + Duration::from_millis(1001);
        assert_eq!(recent.get(14, later), None);
        recent.keep(15, later, 1500, |item| gone.push(item));
        assert_eq!(recent.seqs().collect::<Vec<_>>(), [15]);
        assert_eq!(gone, [1000, 1100, 1200, 1300, 1400]);
        // The same number again replaces it.
        recent.keep(15, later, 1501, |item| gone.push(item));
        assert_eq!(recent.get(15, later), Some(&1501));
        assert_eq!(gone.last(), Some(&1500));
    }

    #[test]
    fn a_payload_is_given_only_for_the_stream_it_was_kept_for() {
        let now = Instant::now();
        let mut payloads = Payloads::new(Duration::from_secs(1), 16);
        payloads.keep(7, 100, now, b"seven");
        assert_eq!(payloads.get(7, 100, now), Some(&b"seven"[..]));
        assert_eq!(payloads.get(8, 100, now), None, "another stream's packet 100 is not this one");
    }
}
