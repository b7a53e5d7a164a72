//! How much video each publisher may send, from what each receiver's path
//! can carry. The SFU forwards one encoding of each publisher to everyone, so
//! a publisher is asked (REMB) for no more than its slowest receiver can take;
//! a floor keeps one very bad path from leaving everyone with no picture.

use std::collections::HashMap;

/// What an Opus stream takes, with its packet overhead.
pub const AUDIO_BPS: u64 = 48_000;
/// No publisher is asked to go below this: a picture stays recognisable.
pub const FLOOR_BPS: u64 = 100_000;
/// What a publisher may send when no receiver limits it.
pub const CEILING_BPS: u64 = 2_500_000;
/// The part of a path's estimate given to media; the rest absorbs bursts (keyframes,
/// retransmissions) and the estimate's own probing past the path's capacity.
const HEADROOM: f64 = 0.75;
/// A stream using less than its share may grow by this much before the next allocation.
const GROWTH: f64 = 1.5;

/// One receiver: its path's estimate and the streams forwarded to it.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    /// The bandwidth estimate of the path to the receiver, in bit/s; `None` until known.
    pub estimate: Option<u64>,
    pub audio_streams: usize,
    /// (publisher, the bit rate its video arrives at).
    pub video: Vec<(i64, u64)>,
}

/// The bit rate each publisher's video is asked to stay under.
pub fn video_targets(receivers: &[Receiver], publishers: impl IntoIterator<Item = i64>) -> HashMap<i64, u64> {
    let mut targets: HashMap<i64, u64> = publishers.into_iter().map(|p| (p, CEILING_BPS)).collect();
    for receiver in receivers {
        for (publisher, cap) in caps(receiver) {
            let target = targets.entry(publisher).or_insert(CEILING_BPS);
            *target = (*target).min(cap.max(FLOOR_BPS));
        }
    }
    targets
}

/// Water-filling over one receiver's path: streams that use less than an
/// equal share leave the rest to the others; those that would use more are
/// capped at what is left for each.
fn caps(receiver: &Receiver) -> Vec<(i64, u64)> {
    let Some(estimate) = receiver.estimate else { return Vec::new() };
    let audio = AUDIO_BPS * receiver.audio_streams as u64;
    let mut available = ((estimate as f64 * HEADROOM) as u64).saturating_sub(audio);
    let mut streams: Vec<(i64, u64)> =
        receiver.video.iter().map(|&(publisher, rate)| (publisher, (rate as f64 * GROWTH) as u64)).collect();
    streams.sort_by_key(|&(_, demand)| demand);
    let mut caps = Vec::new();
    let mut left = streams.len() as u64;
    for (publisher, demand) in streams {
        let share = available / left;
        if demand >= share {
            caps.push((publisher, share));
        }
        available -= demand.min(share);
        left -= 1;
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receiver(estimate: u64, video: &[(i64, u64)]) -> Receiver {
        Receiver { estimate: Some(estimate), audio_streams: video.len(), video: video.to_vec() }
    }

    #[test]
    fn a_fast_path_does_not_limit_anyone() {
        let targets = video_targets(&[receiver(20_000_000, &[(1, 900_000), (2, 400_000)])], [1, 2]);
        assert_eq!(targets[&1], CEILING_BPS);
        assert_eq!(targets[&2], CEILING_BPS);
    }

    #[test]
    fn a_slow_receiver_limits_the_big_publisher_and_leaves_the_small_one_alone() {
        // 350 kbit/s, two audio streams: 262.5 − 96 = 166.5 kbit/s for video.
        let slow = receiver(350_000, &[(1, 900_000), (2, 30_000)]);
        let fast = receiver(20_000_000, &[(1, 900_000), (3, 30_000)]);
        let targets = video_targets(&[slow, fast], [1, 2, 3]);
        assert_eq!(targets[&1], 166_500 - 45_000, "what the small stream (with room to grow) leaves");
        assert_eq!(targets[&2], CEILING_BPS);
        assert_eq!(targets[&3], CEILING_BPS);
    }

    #[test]
    fn two_big_publishers_share_a_slow_path_equally() {
        let targets = video_targets(&[receiver(400_000, &[(1, 900_000), (2, 800_000)])], [1, 2]);
        let each = (300_000 - 2 * AUDIO_BPS) / 2;
        assert_eq!(targets[&1], each);
        assert_eq!(targets[&2], each);
    }

    #[test]
    fn a_hopeless_path_does_not_take_the_picture_below_the_floor() {
        let targets = video_targets(&[receiver(60_000, &[(1, 900_000)])], [1]);
        assert_eq!(targets[&1], FLOOR_BPS);
    }

    #[test]
    fn a_receiver_without_an_estimate_yet_limits_nobody() {
        let unknown = Receiver { estimate: None, audio_streams: 1, video: vec![(1, 900_000)] };
        assert_eq!(video_targets(&[unknown], [1])[&1], CEILING_BPS);
    }
}
