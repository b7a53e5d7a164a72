//! Whether a publisher's keyframe has reached the SFU whole. Packets are
//! forwarded as they come, so a keyframe that lost a packet on the way in
//! starts like any other; until a repair fills the gap, no receiver can
//! decode it, and it must not count as the keyframe a receiver was waiting for.

use std::collections::BTreeSet;

/// More packets than this in one picture: not tracked (a keyframe at the
/// largest picture the apps send is far smaller).
const MAX_PACKETS: usize = 2048;

/// The packets of the newest keyframe so far, and of the newest other
/// picture in case it turns out to be one (its start lost, and repaired later).
#[derive(Debug, Default)]
pub struct Arrival {
    key: Option<Picture>,
    pending: Option<Picture>,
}

/// The packets of one picture (one RTP timestamp) seen so far.
#[derive(Debug)]
struct Picture {
    time: u32,
    /// Extended sequence numbers of its packets.
    packets: BTreeSet<u64>,
    /// Those of its packets that start a keyframe (its SPS, or an IDR slice's start).
    starts: BTreeSet<u64>,
    /// The packet that ends the picture (marker bit).
    end: Option<u64>,
    whole: bool,
}

/// What a video packet meant for the keyframe being tracked.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// A new keyframe starts with this packet.
    pub started: bool,
    /// With this packet the keyframe is whole.
    pub whole: bool,
}

impl Arrival {
    /// Takes in a video packet: its timestamp, extended sequence number, marker bit and
    /// whether it starts a keyframe.
    pub fn add(&mut self, time: u32, seq: u64, marker: bool, starts_keyframe: bool) -> Step {
        let mut started = false;
        if self.key.as_ref().is_none_or(|key| key.time != time) {
            if !starts_keyframe {
                let pending = self.pending.get_or_insert_with(|| Picture::new(time));
                if pending.time != time {
                    *pending = Picture::new(time);
                }
                pending.add(seq, marker, false);
                return Step::default();
            }
            // A keyframe starts: with the packets of it that came before its start, if any.
            let picture = self.pending.take().filter(|p| p.time == time).unwrap_or_else(|| Picture::new(time));
            self.key = Some(picture);
            started = true;
        }
        let key = self.key.as_mut().expect("set above");
        Step { started, whole: key.add(seq, marker, starts_keyframe) }
    }
}

impl Picture {
    fn new(time: u32) -> Self {
        Self { time, packets: BTreeSet::new(), starts: BTreeSet::new(), end: None, whole: false }
    }

    /// Records a packet; whether the picture just became a whole keyframe.
    fn add(&mut self, seq: u64, marker: bool, starts_keyframe: bool) -> bool {
        if self.whole || self.packets.len() >= MAX_PACKETS {
            return false;
        }
        self.packets.insert(seq);
        if starts_keyframe {
            self.starts.insert(seq);
        }
        if marker {
            self.end = Some(seq);
        }
        self.whole = self.is_whole();
        self.whole
    }

    /// From its first packet that starts a keyframe to the one that ends it, nothing missing.
    fn is_whole(&self) -> bool {
        let (Some(&first), Some(end)) = (self.starts.first(), self.end) else { return false };
        let needed = end.saturating_sub(first) + 1;
        end >= first && self.packets.len() as u64 >= needed && self.packets.range(first..=end).count() as u64 == needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTHING: Step = Step { started: false, whole: false };
    const STARTED: Step = Step { started: true, whole: false };
    const WHOLE: Step = Step { started: false, whole: true };

    /// The packets of a picture at `time`, the first starting a keyframe and the last ending it.
    fn picture(arrival: &mut Arrival, time: u32, seqs: impl IntoIterator<Item = u64>, first: u64, end: u64) -> Vec<Step> {
        seqs.into_iter().map(|seq| arrival.add(time, seq, seq == end, seq == first)).collect()
    }

    #[test]
    fn a_keyframe_is_whole_when_its_last_packet_arrives_and_nothing_is_missing() {
        let mut arrival = Arrival::default();
        let steps = picture(&mut arrival, 9000, 10..=13, 10, 13);
        assert_eq!(steps, [STARTED, NOTHING, NOTHING, WHOLE]);
        assert_eq!(arrival.add(9000, 13, true, false), NOTHING, "said once");
        let mut single = Arrival::default();
        assert_eq!(single.add(1, 5, true, true), Step { started: true, whole: true }, "one packet");
    }

    #[test]
    fn a_keyframe_that_lost_a_packet_is_whole_only_once_the_repair_arrives() {
        let mut arrival = Arrival::default();
        let steps = picture(&mut arrival, 9000, [10, 11, 13, 14], 10, 14);
        assert!(!steps.contains(&WHOLE), "{steps:?}");
        assert_eq!(arrival.add(9000, 14, true, false), NOTHING, "a duplicate does not fill the gap");
        // The next picture (not a keyframe) changes nothing; the repair then completes it.
        assert_eq!(arrival.add(12000, 15, true, false), NOTHING);
        assert_eq!(arrival.add(9000, 12, false, false), WHOLE);
    }

    #[test]
    fn a_keyframe_whose_first_packet_was_lost_counts_from_the_repair_with_the_packets_before_it() {
        let mut arrival = Arrival::default();
        // The SPS (10) is lost, and the IDR slice is in fragments that do not start a keyframe.
        assert_eq!(arrival.add(9000, 11, false, false), NOTHING);
        assert_eq!(arrival.add(9000, 12, true, false), NOTHING);
        assert_eq!(arrival.add(9000, 10, false, true), Step { started: true, whole: true }, "the repaired start completes it");
        let mut arrival = Arrival::default();
        assert_eq!(arrival.add(9000, 12, true, false), NOTHING);
        assert_eq!(arrival.add(9000, 10, false, true), STARTED);
        assert_eq!(arrival.add(9000, 11, false, false), WHOLE);
    }

    #[test]
    fn a_keyframe_that_lost_its_sps_is_whole_from_its_slices_start() {
        let mut arrival = Arrival::default();
        // The SPS (10) is lost; the IDR slice's start (11) also starts a keyframe.
        assert_eq!(arrival.add(9000, 11, false, true), STARTED);
        assert_eq!(arrival.add(9000, 12, true, false), WHOLE, "decodable with the stream's earlier SPS");
        let mut arrival = Arrival::default();
        assert_eq!(arrival.add(9000, 11, false, true), STARTED);
        assert_eq!(arrival.add(9000, 10, false, true), NOTHING, "the repaired SPS, before the end");
        assert_eq!(arrival.add(9000, 12, true, false), WHOLE);
    }

    #[test]
    fn only_what_follows_the_keyframes_start_counts() {
        let mut arrival = Arrival::default();
        assert_eq!(arrival.add(9000, 10, false, true), STARTED);
        // A packet of the same picture before the keyframe's start (an access unit delimiter,
        // say) is not needed to decode it; a gap after the start is.
        assert_eq!(arrival.add(9000, 8, false, false), NOTHING);
        assert_eq!(arrival.add(9000, 12, true, false), NOTHING);
        assert_eq!(arrival.add(9000, 11, false, false), WHOLE);
        let mut other = Arrival::default();
        assert_eq!(other.add(9000, 10, true, false), NOTHING, "no keyframe has started");
    }

    #[test]
    fn a_new_keyframe_replaces_one_never_completed() {
        let mut arrival = Arrival::default();
        picture(&mut arrival, 9000, [10, 12], 10, 12);
        assert_eq!(arrival.add(18000, 20, false, true), STARTED);
        assert_eq!(arrival.add(9000, 11, false, false), NOTHING, "the old keyframe's repair is too late to count");
        assert_eq!(arrival.add(18000, 21, true, false), WHOLE);
    }
}
