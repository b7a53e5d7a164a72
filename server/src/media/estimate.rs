//! What the path from the SFU to one receiver can carry, estimated from that
//! receiver's transport-wide congestion control feedback (TWCC), after Google
//! Congestion Control (draft-ietf-rmcat-gcc-02, and libwebrtc's trendline
//! estimator and rate control).
//!
//! - Delay. Packets sent within 5 ms of the first of them form a group (a
//!   frame's burst). From one group to the next, the time the second took
//!   longer to arrive than to be sent is the delay variation: a queue on the
//!   way grows it, a queue emptying shrinks it. Its running sum, smoothed, is
//!   fitted with a line over the last 20 groups; the slope, scaled, is weighed
//!   against a threshold that follows the path's usual noise. Above it for
//!   10 ms of sending and still rising is overuse; below its negative is
//!   underuse (a queue draining).
//! - Rate (AIMD). Overuse brings the estimate down to 0.85 of what the
//!   receiver got in the last half second; underuse holds it; otherwise it
//!   grows: by about a packet a round trip while what arrives is near the rate
//!   at which the path last congested, by 8 % a second while it is far from it
//!   (or that rate is unknown).
//! - Loss. Over 10 % of the recent packets lost takes off half the fraction
//!   lost; under 2 % lets the estimate grow back. The estimate is the lower of
//!   the two.
//!
//! The SFU does not pick its own rate and does not probe: it forwards what the
//! publishers send, and asks them for less than this estimate. So the rate sent
//! follows the estimate, a second or so later, and the estimate may only grow a
//! step ahead of what arrives (1.5 times it): enough for the publishers to grow
//! into, not so much that a path nobody has tried is taken on trust.
//!
//! The receiver's arrival times are on its own clock: only their differences
//! mean anything, and they are never compared with send times. Feedback that
//! repeats packets, comes out of order, reports a lost packet received after
//! all, or is empty changes the estimate no more than it should.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The estimate never goes below this (a voice and a small picture)...
pub const MIN_BPS: u64 = 30_000;
/// ...nor above this (more than a hearing ever sends one receiver).
pub const MAX_BPS: u64 = 10_000_000;

/// Packets sent within this of a group's first one belong to it.
const GROUP_SPAN_MS: f64 = 5.0;
/// A packet that arrived within this after a group's last one, sooner than it
/// was sent after it (a queue letting a burst through), belongs to the group too...
const BURST_GAP_MS: f64 = 5.0;
/// ...as long as the group spans less than this on arrival.
const BURST_SPAN_MS: f64 = 100.0;
/// A pause in sending this long, or arrivals this far off what the sending
/// explains, is no queue but a new start (or a clock that jumped): the delay
/// history is dropped.
const RESTART_MS: f64 = 3000.0;
/// Groups the trend line is fitted over.
const TREND_WINDOW: usize = 20;
/// The weight of the old value when the accumulated delay is smoothed.
const TREND_SMOOTHING: f64 = 0.9;
/// The slope is scaled by this, and by the number of delay samples up to the
/// next constant, before it is weighed against the threshold.
const TREND_GAIN: f64 = 4.0;
const TREND_MAX_SAMPLES: usize = 60;
/// The threshold's start and bounds (in scaled slope units: 12.5 is a queue
/// growing by about 5 % of the time passing, once 60 samples are in).
const INITIAL_THRESHOLD: f64 = 12.5;
const MIN_THRESHOLD: f64 = 6.0;
const MAX_THRESHOLD: f64 = 600.0;
/// How fast the threshold rises towards a scaled slope above it, and falls
/// towards one below it, per ms: slowly up, so that a real queue stays over
/// it; faster down, so that it does not stay deaf after a noisy spell.
const THRESHOLD_UP: f64 = 0.0087;
const THRESHOLD_DOWN: f64 = 0.039;
/// A scaled slope this far above the threshold is a spike, not noise to adapt to.
const THRESHOLD_SPIKE: f64 = 15.0;
/// The threshold adapts over at most this much time at once.
const THRESHOLD_MAX_STEP_MS: f64 = 100.0;
/// Over the threshold for this much sending time (and twice or more) is overuse.
const OVERUSE_MS: f64 = 10.0;

/// What arrived over this much of the receiver's time is the acknowledged rate.
const ACKED_WINDOW_MS: f64 = 500.0;
/// Overuse brings the estimate down to this share of the acknowledged rate.
const BETA: f64 = 0.85;
/// Growth far from where the path last congested, per second.
const INCREASE_PER_SECOND: f64 = 1.08;
/// The estimate grows to no more than this times the acknowledged rate, plus the next constant.
const ACKED_HEADROOM: f64 = 1.5;
const ACKED_EXTRA_BPS: f64 = 10_000.0;
/// Near where the path last congested, the estimate grows by about a packet
/// per response time (a round trip and the feedback interval): the average
/// packet of video at the estimate, 30 frames a second, each cut into packets
/// of up to 1200 bytes...
const FRAME_RATE: f64 = 30.0;
const PACKET_BITS: f64 = 1200.0 * 8.0;
const RESPONSE_EXTRA: Duration = Duration::from_millis(100);
/// ...and by at least this, per second.
const MIN_ADDITIVE_BPS: f64 = 4_000.0;
/// The estimate is not brought down again sooner than a round trip after it
/// was, within these bounds (unless it is more than twice what arrives).
const MIN_REDUCE_INTERVAL: Duration = Duration::from_millis(10);
const MAX_REDUCE_INTERVAL: Duration = Duration::from_millis(200);
/// The rate the path last congested at is known within this many deviations.
const CAPACITY_DEVIATIONS: f64 = 3.0;
/// Its relative deviation (one standard deviation, as a share of it) stays within these.
const MIN_CAPACITY_DEVIATION: f64 = 0.03;
const MAX_CAPACITY_DEVIATION: f64 = 0.1;
/// The weight of a new sample in the capacity's average and deviation.
const CAPACITY_WEIGHT: f64 = 0.05;

/// Over this fraction lost, the estimate comes down...
const LOSS_HIGH: f64 = 0.1;
/// ...under this, it may grow: by 8 % a second (as `INCREASE_PER_SECOND`), and
/// this much more, so that a very low estimate does not take ages.
const LOSS_LOW: f64 = 0.02;
const LOSS_EXTRA_BPS: f64 = 1000.0;
/// The loss is counted over the packets sent in this much time (and at least
/// the next constant's number of them, however long they took).
const LOSS_WINDOW_MS: f64 = 1000.0;
const MIN_LOSS_PACKETS: usize = 20;
/// The estimate comes down for loss no sooner than this plus a round trip after the last time.
const LOSS_REDUCE_INTERVAL: Duration = Duration::from_millis(300);
/// Reports are kept for this long (of sending), and no more than so many of
/// them (10 Mbit/s of 1200-byte packets for four seconds).
const REPORTS_KEPT_MS: f64 = 2.0 * LOSS_WINDOW_MS;
const MAX_REPORTS: usize = 4096;
/// A packet this far behind the newest is from a restarted sequence: everything starts over.
const RESTART_BEHIND: u64 = 1 << 15;

const INITIAL_RTT: Duration = Duration::from_millis(100);
const MAX_RTT: Duration = Duration::from_secs(5);

/// One packet the receiver's feedback reported on, in the order we sent them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acked {
    /// The transport-wide sequence number, extended (it only goes forward): it
    /// tells a repeated or corrected report from a new packet.
    pub seq: u64,
    /// When we sent it, on our clock.
    pub sent: Instant,
    /// Its size on the wire, in bytes.
    pub size: usize,
    /// When it arrived, on the receiver's clock (mapped into an Instant), None if reported lost.
    pub arrived: Option<Instant>,
}

/// The bandwidth estimate of the path to one receiver.
#[derive(Debug)]
pub struct Estimator {
    delay: DelayControl,
    loss: LossControl,
    groups: Groups,
    trend: Trendline,
    detector: Detector,
    acked: AckedRate,
    /// The newest packet taken into account (later reports of older ones only correct the loss).
    highest: Option<u64>,
    /// Times are kept in ms since these (ours, and the receiver's).
    sent_origin: Option<Instant>,
    arrival_origin: Option<Instant>,
    /// The newest packet's (sent, arrived), in those ms.
    last: Option<(f64, f64)>,
    rtt: Duration,
}

impl Estimator {
    pub fn new(initial_bps: u64) -> Self {
        let bps = bound(initial_bps as f64);
        Self {
            delay: DelayControl::new(bps),
            loss: LossControl::new(bps),
            groups: Groups::default(),
            trend: Trendline::default(),
            detector: Detector::default(),
            acked: AckedRate::default(),
            highest: None,
            sent_origin: None,
            arrival_origin: None,
            last: None,
            rtt: INITIAL_RTT,
        }
    }

    /// One feedback message's packets (sent order); `now` is our clock when the feedback arrived.
    pub fn update(&mut self, packets: impl IntoIterator<Item = Acked>, now: Instant) {
        let mut news = false;
        let mut newest_sent = None;
        let mut overuse = false;
        for packet in packets {
            if self.highest.is_some_and(|highest| packet.seq.saturating_add(RESTART_BEHIND) < highest) {
                self.restart();
            }
            news |= self.loss.record(packet.seq, packet.sent, packet.arrived.is_some());
            // A repeated report, or a packet found after all: too late to say anything of the queue.
            if self.highest.is_some_and(|highest| packet.seq <= highest) {
                continue;
            }
            self.highest = Some(packet.seq);
            let Some(arrived) = packet.arrived else { continue };
            newest_sent = Some(packet.sent);
            overuse |= self.delay_sample(packet.sent, arrived, packet.size) == Usage::Over;
        }
        if let Some(sent) = newest_sent {
            // The newest packet arrived shortly before the receiver reported it.
            if let Some(sample) = now.checked_duration_since(sent).filter(|rtt| *rtt <= MAX_RTT) {
                self.rtt = (self.rtt * 7 + sample) / 8;
            }
            let usage = if overuse { Usage::Over } else { self.detector.usage };
            self.delay.update(usage, self.acked.rate(), self.rtt, now);
        } else {
            // Nothing new: no evidence either way, and no time owed to grow by later.
            self.delay.last_update = Some(now);
        }
        if news {
            let estimate = self.delay.bps.min(self.loss.bps);
            self.loss.update(estimate, self.delay.bps, self.rtt, now);
        } else {
            self.loss.last_update = Some(now);
        }
    }

    /// The current estimate in bit/s.
    pub fn estimate(&self) -> u64 {
        bound(self.delay.bps.min(self.loss.bps)) as u64
    }

    /// Takes in a packet that arrived: the path's usage after it.
    fn delay_sample(&mut self, sent: Instant, arrived: Instant, size: usize) -> Usage {
        let sent = ms_since(sent, *self.sent_origin.get_or_insert(sent));
        let arrival = ms_since(arrived, *self.arrival_origin.get_or_insert(arrived));
        if let Some((last_sent, last_arrival)) = self.last {
            let sending = sent - last_sent;
            let jump = (arrival - last_arrival) - sending;
            if !(0.0..=RESTART_MS).contains(&sending) || jump.abs() > RESTART_MS {
                self.restart_delay();
            }
        }
        self.last = Some((sent, arrival));
        // No datagram is bigger; a bigger size is garbage, and must not overflow the sum.
        self.acked.add(arrival, size.min(usize::from(u16::MAX)) as u64);
        let Some(delta) = self.groups.add(sent, arrival) else { return self.detector.usage };
        let trend = self.trend.add(delta.at, delta.arrival - delta.send);
        self.detector.detect(trend, self.trend.samples, delta.send, delta.at)
    }

    /// A new sequence: what is known of the old one is dropped, the estimate kept.
    fn restart(&mut self) {
        self.highest = None;
        self.loss.restart();
        self.restart_delay();
    }

    fn restart_delay(&mut self) {
        self.groups = Groups::default();
        self.trend = Trendline::default();
        self.detector.restart();
        self.acked = AckedRate::default();
        self.last = None;
    }
}

/// What the path's delay says of the rate sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usage {
    Normal,
    /// A queue is building.
    Over,
    /// A queue is draining.
    Under,
}

/// A group of packets sent together, in ms (see `Estimator::sent_origin`).
#[derive(Debug, Clone, Copy)]
struct Group {
    first_sent: f64,
    last_sent: f64,
    first_arrival: f64,
    last_arrival: f64,
}

impl Group {
    fn new(sent: f64, arrival: f64) -> Self {
        Self { first_sent: sent, last_sent: sent, first_arrival: arrival, last_arrival: arrival }
    }
}

/// From one group to the next, in ms.
#[derive(Debug, Clone, Copy)]
struct Delta {
    send: f64,
    arrival: f64,
    /// When the later group finished arriving.
    at: f64,
}

/// Splits the packets into groups as they come, in the order sent.
#[derive(Debug, Default)]
struct Groups {
    current: Option<Group>,
    previous: Option<Group>,
}

impl Groups {
    /// Takes a packet (sent no earlier than the last one); when it starts a new group,
    /// the delta between the two groups before it.
    fn add(&mut self, sent: f64, arrival: f64) -> Option<Delta> {
        let Some(group) = &mut self.current else {
            self.current = Some(Group::new(sent, arrival));
            return None;
        };
        let since_last = arrival - group.last_arrival;
        let burst = since_last <= BURST_GAP_MS
            && since_last < sent - group.last_sent
            && arrival - group.first_arrival < BURST_SPAN_MS;
        if sent - group.first_sent <= GROUP_SPAN_MS || burst {
            group.last_sent = group.last_sent.max(sent);
            group.last_arrival = group.last_arrival.max(arrival);
            return None;
        }
        let done = std::mem::replace(group, Group::new(sent, arrival));
        let Some(previous) = self.previous else {
            self.previous = Some(done);
            return None;
        };
        let delta = Delta {
            send: done.last_sent - previous.last_sent,
            arrival: done.last_arrival - previous.last_arrival,
            at: done.last_arrival,
        };
        // A group that finished arriving before the one sent ahead of it was
        // reordered: it says nothing of a queue. It is left out, and the next
        // group compared with the one before it, so that the variations still
        // add up to the whole change in delay (leaving out only the negative
        // ones would make a queue of jitter).
        if delta.arrival < 0.0 {
            return None;
        }
        self.previous = Some(done);
        Some(delta)
    }
}

/// The slope of the smoothed accumulated delay over the last groups: how fast a queue grows.
#[derive(Debug, Default)]
struct Trendline {
    /// Delay samples taken since the start (capped: only "enough" matters).
    samples: usize,
    first_arrival: Option<f64>,
    accumulated: f64,
    smoothed: f64,
    /// (arrival since the first, smoothed accumulated delay), in ms.
    points: VecDeque<(f64, f64)>,
    slope: f64,
}

impl Trendline {
    fn add(&mut self, arrival: f64, variation: f64) -> f64 {
        self.samples = (self.samples + 1).min(TREND_MAX_SAMPLES);
        self.accumulated += variation;
        self.smoothed = TREND_SMOOTHING * self.smoothed + (1.0 - TREND_SMOOTHING) * self.accumulated;
        let x = arrival - *self.first_arrival.get_or_insert(arrival);
        self.points.push_back((x, self.smoothed));
        if self.points.len() > TREND_WINDOW {
            self.points.pop_front();
        }
        if self.points.len() == TREND_WINDOW
            && let Some(slope) = least_squares_slope(&self.points)
        {
            self.slope = slope;
        }
        self.slope
    }
}

/// The slope of the line fitted to the points; `None` if they are all at one x.
fn least_squares_slope(points: &VecDeque<(f64, f64)>) -> Option<f64> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for &(x, y) in points {
        covariance += (x - mean_x) * (y - mean_y);
        variance += (x - mean_x) * (x - mean_x);
    }
    let slope = covariance / variance;
    (variance > 0.0 && slope.is_finite()).then_some(slope)
}

/// Weighs the trend against a threshold that adapts to the path's noise.
#[derive(Debug)]
struct Detector {
    threshold: f64,
    /// Sending time spent over the threshold (ms), and the samples, since it was last crossed.
    over_ms: Option<f64>,
    overs: u32,
    previous_trend: f64,
    /// When the threshold last adapted (the receiver's ms).
    adapted: Option<f64>,
    usage: Usage,
}

impl Default for Detector {
    fn default() -> Self {
        let threshold = INITIAL_THRESHOLD;
        Self { threshold, over_ms: None, overs: 0, previous_trend: 0.0, adapted: None, usage: Usage::Normal }
    }
}

impl Detector {
    /// `send` is the sending time since the last group; `at` the arrival of this one.
    fn detect(&mut self, trend: f64, samples: usize, send: f64, at: f64) -> Usage {
        let scaled = samples as f64 * trend * TREND_GAIN;
        if scaled > self.threshold {
            let over = self.over_ms.map_or(send / 2.0, |over| over + send);
            self.overs += 1;
            self.over_ms = Some(over);
            if over > OVERUSE_MS && self.overs > 1 && trend >= self.previous_trend {
                self.over_ms = Some(0.0);
                self.overs = 0;
                self.usage = Usage::Over;
            }
        } else {
            self.over_ms = None;
            self.overs = 0;
            self.usage = if scaled < -self.threshold { Usage::Under } else { Usage::Normal };
        }
        self.previous_trend = trend;
        self.adapt(scaled, at);
        self.usage
    }

    fn adapt(&mut self, scaled: f64, at: f64) {
        let step = self.adapted.map_or(0.0, |adapted| (at - adapted).clamp(0.0, THRESHOLD_MAX_STEP_MS));
        self.adapted = Some(at);
        if scaled.abs() > self.threshold + THRESHOLD_SPIKE {
            return;
        }
        let k = if scaled.abs() < self.threshold { THRESHOLD_DOWN } else { THRESHOLD_UP };
        self.threshold += k * (scaled.abs() - self.threshold) * step;
        self.threshold = self.threshold.clamp(MIN_THRESHOLD, MAX_THRESHOLD);
    }

    /// The delay history is gone: what it was telling is forgotten, the threshold learnt kept.
    fn restart(&mut self) {
        *self = Self { threshold: self.threshold, ..Self::default() };
    }
}

/// What the receiver got over the last half second of its clock, in ms and bytes.
#[derive(Debug, Default)]
struct AckedRate {
    packets: VecDeque<(f64, u64)>,
    bytes: u64,
    /// The first arrival counted: until a window has passed since, there is no rate.
    start: Option<f64>,
    newest: f64,
}

impl AckedRate {
    fn add(&mut self, arrival: f64, size: u64) {
        match self.start {
            // Nothing arrived for a whole window: start over (the rate after a pause is unknown, not low).
            Some(_) if arrival - self.newest <= ACKED_WINDOW_MS => self.newest = self.newest.max(arrival),
            _ => {
                *self = Self { start: Some(arrival), newest: arrival, ..Self::default() };
            }
        }
        self.packets.push_back((arrival, size));
        self.bytes += size;
        while let Some(&(oldest, size)) = self.packets.front()
            && oldest <= self.newest - ACKED_WINDOW_MS
        {
            self.packets.pop_front();
            self.bytes -= size;
        }
    }

    /// In bit/s.
    fn rate(&self) -> Option<f64> {
        let start = self.start?;
        (self.newest - start >= ACKED_WINDOW_MS).then(|| self.bytes as f64 * 8.0 * 1000.0 / ACKED_WINDOW_MS)
    }
}

/// The rate at which the path congested (the acknowledged rate at overuse), averaged.
#[derive(Debug, Clone, Copy)]
struct Capacity {
    bps: f64,
    /// One standard deviation, as a share of `bps`.
    deviation: f64,
}

impl Capacity {
    fn upper(&self) -> f64 {
        self.bps * (1.0 + CAPACITY_DEVIATIONS * self.deviation)
    }

    fn lower(&self) -> f64 {
        self.bps * (1.0 - CAPACITY_DEVIATIONS * self.deviation)
    }

    fn add(capacity: Option<Self>, acked: f64) -> Self {
        let Some(Self { bps, deviation }) = capacity else {
            return Self { bps: acked, deviation: MIN_CAPACITY_DEVIATION };
        };
        let error = (acked - bps) / bps;
        let bps = (1.0 - CAPACITY_WEIGHT) * bps + CAPACITY_WEIGHT * acked;
        let variance = (1.0 - CAPACITY_WEIGHT) * deviation * deviation + CAPACITY_WEIGHT * error * error;
        Self { bps, deviation: variance.sqrt().clamp(MIN_CAPACITY_DEVIATION, MAX_CAPACITY_DEVIATION) }
    }
}

/// The delay-based estimate: additive increase, multiplicative decrease.
#[derive(Debug)]
struct DelayControl {
    bps: f64,
    capacity: Option<Capacity>,
    last_update: Option<Instant>,
    last_decrease: Option<Instant>,
}

impl DelayControl {
    fn new(bps: f64) -> Self {
        Self { bps, capacity: None, last_update: None, last_decrease: None }
    }

    fn update(&mut self, usage: Usage, acked: Option<f64>, rtt: Duration, now: Instant) {
        let elapsed = self.last_update.map_or(0.0, |at| now.saturating_duration_since(at).as_secs_f64().min(1.0));
        self.last_update = Some(now);
        match usage {
            Usage::Over if self.may_decrease(acked, rtt, now) => self.decrease(acked, now),
            // A queue draining will be gone soon: holding lets it.
            Usage::Over | Usage::Under => {}
            Usage::Normal => self.increase(acked, rtt, elapsed),
        }
    }

    /// Not again before the last decrease had time to show, unless the estimate is still far above what arrives.
    fn may_decrease(&self, acked: Option<f64>, rtt: Duration, now: Instant) -> bool {
        let interval = rtt.clamp(MIN_REDUCE_INTERVAL, MAX_REDUCE_INTERVAL);
        self.last_decrease.is_none_or(|at| now.saturating_duration_since(at) >= interval)
            || acked.is_some_and(|acked| self.bps > 2.0 * acked)
    }

    fn decrease(&mut self, acked: Option<f64>, now: Instant) {
        let mut target = BETA * acked.unwrap_or(self.bps);
        if target > self.bps
            && let Some(capacity) = self.capacity
        {
            target = BETA * capacity.bps;
        }
        if target < self.bps {
            self.bps = bound(target);
        }
        if let Some(acked) = acked {
            // Far below where it congested before: the path changed, learn it afresh.
            if self.capacity.is_some_and(|c| acked < c.lower()) {
                self.capacity = None;
            }
            self.capacity = Some(Capacity::add(self.capacity, acked));
        }
        self.last_decrease = Some(now);
    }

    fn increase(&mut self, acked: Option<f64>, rtt: Duration, elapsed: f64) {
        // Without knowing what arrives, there is nothing to grow ahead of.
        let Some(acked) = acked else { return };
        // Past where it congested before: the path changed, look for its capacity afresh.
        if self.capacity.is_some_and(|c| acked > c.upper()) {
            self.capacity = None;
        }
        // Near means what arrives is within the deviations of it (or above,
        // but not past them); far below, as after a decrease, growth is faster.
        let near = self.capacity.is_some_and(|c| acked >= c.lower());
        let step = if near {
            let frame = self.bps / FRAME_RATE;
            let packet = frame / (frame / PACKET_BITS).ceil().max(1.0);
            let response = (rtt + RESPONSE_EXTRA).as_secs_f64();
            (packet / response).max(MIN_ADDITIVE_BPS) * elapsed
        } else {
            self.bps * (INCREASE_PER_SECOND.powf(elapsed) - 1.0)
        };
        let limit = ACKED_HEADROOM * acked + ACKED_EXTRA_BPS;
        // An estimate already above the limit (what arrives fell: the sender has less
        // to send) is kept: not arriving is no sign of congestion.
        if self.bps < limit {
            self.bps = bound((self.bps + step).min(limit));
        }
    }
}

/// What was reported of one packet.
#[derive(Debug, Clone, Copy)]
struct Report {
    sent: Instant,
    received: bool,
}

/// The loss-based estimate.
#[derive(Debug)]
struct LossControl {
    bps: f64,
    /// In order of sequence number.
    reports: VecDeque<(u64, Report)>,
    /// Where in `reports` the loss counted starts: the packets sent in the last
    /// second (at least [`MIN_LOSS_PACKETS`] of them), after the last decrease.
    window: usize,
    /// Packets from there on, and how many of them were lost.
    counted: usize,
    lost: usize,
    last_decrease: Option<Instant>,
    last_update: Option<Instant>,
}

impl LossControl {
    fn new(bps: f64) -> Self {
        Self { bps, reports: VecDeque::new(), window: 0, counted: 0, lost: 0, last_decrease: None, last_update: None }
    }

    /// Whether the report is news: a packet not reported before, or one reported
    /// lost and now received. A packet reported received stays received,
    /// whatever later reports say.
    fn record(&mut self, seq: u64, sent: Instant, received: bool) -> bool {
        let news = match self.reports.back() {
            None => self.insert(self.reports.len(), seq, sent, received),
            Some(&(newest, _)) if seq > newest => self.insert(self.reports.len(), seq, sent, received),
            Some(_) => {
                let at = self.reports.partition_point(|(s, _)| *s < seq);
                match self.reports.get_mut(at) {
                    Some((s, report)) if *s == seq => {
                        let found = received && !report.received;
                        report.received |= received;
                        if found && at >= self.window {
                            self.lost -= 1;
                        }
                        found
                    }
                    _ => self.insert(at, seq, sent, received),
                }
            }
        };
        let Some(&(_, newest)) = self.reports.back() else { return news };
        // The window moves on past what is over a second older than the newest.
        while self.counted > MIN_LOSS_PACKETS && ms_since(newest.sent, self.reports[self.window].1.sent) > LOSS_WINDOW_MS {
            self.uncount(self.window);
            self.window += 1;
        }
        // Kept a while past the window, to know a repeated report when it comes.
        while let Some(&(_, oldest)) = self.reports.front()
            && (self.reports.len() > MAX_REPORTS
                || self.reports.len() > MIN_LOSS_PACKETS && ms_since(newest.sent, oldest.sent) > REPORTS_KEPT_MS)
        {
            if self.window == 0 {
                self.uncount(0);
            } else {
                self.window -= 1;
            }
            self.reports.pop_front();
        }
        news
    }

    fn insert(&mut self, at: usize, seq: u64, sent: Instant, received: bool) -> bool {
        self.reports.insert(at, (seq, Report { sent, received }));
        if at >= self.window {
            self.counted += 1;
            self.lost += usize::from(!received);
        } else {
            self.window += 1;
        }
        true
    }

    fn uncount(&mut self, at: usize) {
        self.counted -= 1;
        self.lost -= usize::from(!self.reports[at].1.received);
    }

    /// The fraction lost of the packets sent in the last second (at least 20 of
    /// them) since the last decrease; `None` if not enough have been reported.
    fn fraction(&self) -> Option<f64> {
        (self.counted >= MIN_LOSS_PACKETS).then(|| self.lost as f64 / self.counted as f64)
    }

    /// `estimate` is the current one (both kinds), `delay_bps` the delay-based one.
    fn update(&mut self, estimate: f64, delay_bps: f64, rtt: Duration, now: Instant) {
        let elapsed = self.last_update.map_or(0.0, |at| now.saturating_duration_since(at).as_secs_f64().min(1.0));
        self.last_update = Some(now);
        let Some(lost) = self.fraction() else { return };
        if lost > LOSS_HIGH {
            let interval = LOSS_REDUCE_INTERVAL + rtt;
            if self.last_decrease.is_none_or(|at| now.saturating_duration_since(at) >= interval) {
                self.bps = bound(estimate * (1.0 - 0.5 * lost));
                // What comes next is counted afresh.
                (self.window, self.counted, self.lost) = (self.reports.len(), 0, 0);
                self.last_decrease = Some(now);
            }
        } else if lost < LOSS_LOW {
            // Growing back towards the delay-based estimate, not past it: loss does
            // not know the path's capacity, only when it is exceeded.
            let grown = self.bps * INCREASE_PER_SECOND.powf(elapsed) + LOSS_EXTRA_BPS * elapsed;
            self.bps = bound(grown.min(delay_bps));
        }
    }

    fn restart(&mut self) {
        self.reports.clear();
        (self.window, self.counted, self.lost) = (0, 0, 0);
    }
}

/// Within the estimate's bounds, and a number.
fn bound(bps: f64) -> f64 {
    if bps.is_nan() { MIN_BPS as f64 } else { bps.clamp(MIN_BPS as f64, MAX_BPS as f64) }
}

/// `at` − `origin` in ms, negative if `at` is earlier.
fn ms_since(at: Instant, origin: Instant) -> f64 {
    match at.checked_duration_since(origin) {
        Some(after) => after.as_secs_f64() * 1000.0,
        None => -origin.saturating_duration_since(at).as_secs_f64() * 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Range;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// xorshift64: the simulated path's noise, the same on every run.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
        }

        fn bits(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.bits() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The biggest packet, in bytes (frames are sent 30 a second, as `FRAME_RATE`).
    const PACKET: f64 = 1200.0;
    /// Publishers send a frame's packets at this multiple of their rate (as libwebrtc's pacer).
    const PACING: f64 = 2.5;
    /// How often publishers are asked (REMB) for a new rate, and the share of the
    /// estimate they are asked for (as `bitrate::HEADROOM`).
    const PUBLISHER_PERIOD: f64 = 1.0;
    const HEADROOM: f64 = 0.75;
    const FEEDBACK_INTERVAL: f64 = 0.1;
    const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

    /// The path from the SFU to the receiver; times in seconds since the start.
    struct Path {
        /// What the bottleneck carries, in bit/s, by the time.
        capacity: Box<dyn Fn(f64) -> f64>,
        /// The bottleneck's drop-tail queue, in bytes.
        buffer: f64,
        one_way: f64,
        /// The share of packets lost at random (besides the queue's drops), by the time.
        loss: Box<dyn Fn(f64) -> f64>,
        /// Each packet's arrival is moved by up to this much either way (so it may overtake another).
        jitter: f64,
    }

    impl Path {
        /// 30 ms one way, and a buffer of 64 kB (1.7 s at 300 kbit/s, a quarter second at 2 Mbit/s).
        fn new(capacity: impl Fn(f64) -> f64 + 'static) -> Self {
            Self { capacity: Box::new(capacity), buffer: 64_000.0, one_way: 0.03, loss: Box::new(|_| 0.0), jitter: 0.0 }
        }
    }

    /// What a simulated run showed.
    #[derive(Default)]
    struct Run {
        initial: u64,
        /// (time, estimate) after each feedback.
        estimates: Vec<(f64, u64)>,
        /// (time sent, time spent in the bottleneck's queue) of each packet through it.
        queued: Vec<(f64, f64)>,
        /// (time, rate) the publisher sent at, each time it was asked anew.
        sent: Vec<(f64, f64)>,
    }

    impl Run {
        fn estimate_at(&self, t: f64) -> u64 {
            self.estimates.iter().take_while(|(at, _)| *at <= t).last().map_or(self.initial, |(_, e)| *e)
        }

        fn estimates(&self, from: f64, to: f64) -> impl Iterator<Item = u64> + '_ {
            self.estimates.iter().filter(move |(at, _)| (from..=to).contains(at)).map(|(_, e)| *e)
        }

        /// The longest time a packet sent in [from, to] waited in the queue, and the mean.
        fn queued(&self, from: f64, to: f64) -> (f64, f64) {
            let waits: Vec<f64> =
                self.queued.iter().filter(|(at, _)| (from..=to).contains(at)).map(|(_, wait)| *wait).collect();
            (waits.iter().copied().fold(0.0, f64::max), waits.iter().sum::<f64>() / waits.len().max(1) as f64)
        }

        /// Never below 95 % of the highest it was before.
        fn assert_never_falls(&self, seed: u64) {
            let mut highest = 0;
            for &(t, estimate) in &self.estimates {
                highest = highest.max(estimate);
                assert!(estimate as f64 >= 0.95 * highest as f64, "seed {seed}: {estimate} at {t} s after {highest}");
            }
        }

        /// The estimate (kbit/s), and the longest queueing (ms), second by second.
        fn print(&self, name: &str, seed: u64) {
            let seconds = self.estimates.last().map_or(0, |(t, _)| *t as usize);
            let estimates: Vec<String> =
                (1..=seconds).map(|s| (self.estimate_at(s as f64) / 1000).to_string()).collect();
            let sent: Vec<String> = self.sent.iter().map(|(_, rate)| format!("{:.0}", rate / 1000.0)).collect();
            let queued: Vec<String> =
                (1..=seconds).map(|s| format!("{:.0}", 1000.0 * self.queued(s as f64 - 1.0, s as f64).0)).collect();
            println!("{name} (seed {seed})");
            println!("  estimate kbit/s: {}", estimates.join(" "));
            println!("  sent kbit/s:     {}", sent.join(" "));
            println!("  queued ms (max): {}", queued.join(" "));
        }
    }

    /// A packet on the simulated path: when sent, its size, and when it arrives (`None`: never).
    struct Packet {
        sent: f64,
        size: f64,
        arrival: Option<f64>,
    }

    /// A publisher sending `demand` (bit/s, by the time) through the SFU to one
    /// receiver over `path`, but no more than it was last asked for: a share of
    /// the estimate, asked anew every second. Video frames 30 times a second,
    /// each paced out in packets of up to 1200 bytes; the receiver's feedback
    /// every 100 ms covers every packet from the first it has not reported (or an
    /// earlier one that came late) to the newest that arrived.
    fn simulate(path: &Path, demand: impl Fn(f64) -> f64, initial: u64, seconds: f64, seed: u64) -> Run {
        let mut rng = Rng::new(seed);
        let mut estimator = Estimator::new(initial);
        let t0 = Instant::now();
        // The receiver's clock, as mapped into an Instant: an hour off ours.
        let r0 = t0 + Duration::from_secs(3600);
        let at = |origin: Instant, t: f64| origin + Duration::from_secs_f64(t);
        let mut run = Run { initial, ..Run::default() };
        let mut packets: Vec<Packet> = Vec::new();
        // (leaves the bottleneck, size) of the packets in its queue.
        let mut queue: VecDeque<(f64, f64)> = VecDeque::new();
        let mut last_departure = 0.0f64;
        let mut asked = HEADROOM * initial as f64;
        let mut next_ask = 0.0;
        let mut frame = 0.0;
        let mut feedback = FEEDBACK_INTERVAL;
        let mut next_report = 0usize;
        let mut returning: VecDeque<(f64, Vec<Acked>)> = VecDeque::new();
        while feedback <= seconds {
            while frame < feedback {
                while let Some((t, _)) = returning.front()
                    && *t <= frame
                {
                    let (t, acked) = returning.pop_front().unwrap();
                    estimator.update(acked, at(t0, t));
                    run.estimates.push((t, estimator.estimate()));
                }
                if frame >= next_ask {
                    asked = HEADROOM * estimator.estimate() as f64;
                    run.sent.push((frame, demand(frame).min(asked)));
                    next_ask += PUBLISHER_PERIOD;
                }
                let rate = demand(frame).min(asked);
                let bytes = rate / 8.0 / FRAME_RATE * (0.8 + 0.4 * rng.unit());
                let count = (bytes / PACKET).ceil().max(1.0);
                let size = (bytes / count).max(100.0);
                for i in 0..count as usize {
                    let sent = frame + i as f64 * size * 8.0 / (PACING * rate);
                    let mut arrival = None;
                    while queue.front().is_some_and(|(leaves, _)| *leaves <= sent) {
                        queue.pop_front();
                    }
                    let queued: f64 = queue.iter().map(|(_, size)| size).sum();
                    if rng.unit() >= (path.loss)(sent) && queued + size <= path.buffer {
                        let service = size * 8.0 / (path.capacity)(sent);
                        let leaves = last_departure.max(sent) + service;
                        run.queued.push((sent, leaves - service - sent));
                        last_departure = leaves;
                        queue.push_back((leaves, size));
                        arrival = Some(leaves + path.one_way + path.jitter * (2.0 * rng.unit() - 1.0));
                    }
                    packets.push(Packet { sent, size, arrival });
                }
                frame += 1.0 / FRAME_RATE;
            }
            let arrived = |p: &Packet| p.arrival.is_some_and(|a| a <= feedback);
            let scan = next_report.saturating_sub(200);
            let newest = (scan..packets.len()).rev().find(|&i| arrived(&packets[i]));
            let late = (scan..next_report)
                .find(|&i| packets[i].arrival.is_some_and(|a| a > feedback - FEEDBACK_INTERVAL && a <= feedback));
            if let Some(newest) = newest {
                let first = late.unwrap_or(next_report).min(next_report);
                let acked: Vec<Acked> = (first..=newest)
                    .map(|i| Acked {
                        seq: i as u64,
                        sent: at(t0, packets[i].sent),
                        size: packets[i].size as usize,
                        arrived: packets[i].arrival.filter(|a| *a <= feedback).map(|a| at(r0, a)),
                    })
                    .collect();
                next_report = next_report.max(newest + 1);
                if !acked.is_empty() {
                    returning.push_back((feedback + path.one_way, acked));
                }
            }
            feedback += FEEDBACK_INTERVAL;
        }
        run
    }

    #[test]
    fn a_300_kbit_bottleneck_under_900_kbit_of_demand_holds_the_estimate_near_it_with_a_short_queue() {
        for seed in SEEDS {
            let run = simulate(&Path::new(|_| 300_000.0), |_| 900_000.0, 1_500_000, 40.0, seed);
            run.print("300 kbit/s bottleneck, 900 kbit/s demand", seed);
            let (low, high) = run.estimates(20.0, 40.0).fold((u64::MAX, 0), |(l, h), e| (l.min(e), h.max(e)));
            assert!(low > 150_000 && high < 480_000, "seed {seed}: {low}..{high}");
            let (longest, mean) = run.queued(20.0, 40.0);
            assert!(longest < 0.3 && mean < 0.05, "seed {seed}: queued up to {longest} s, {mean} s on average");
        }
    }

    #[test]
    fn an_open_path_lets_the_estimate_grow_as_the_publisher_does_and_never_fall() {
        // From 300 to 1500 kbit/s over the first 10 s.
        let demand = |t: f64| 300_000.0 + 120_000.0 * t.min(10.0);
        for seed in SEEDS {
            // From the SFU's first estimate: the publisher, sending less at first, does not bring it down.
            let run = simulate(&Path::new(|_| 10_000_000.0), demand, 1_500_000, 30.0, seed);
            run.print("10 Mbit/s path, demand 300 to 1500 kbit/s, from 1500 kbit/s", seed);
            let lowest = run.estimates.iter().map(|(_, e)| *e).min().unwrap();
            assert!(lowest >= 1_500_000, "seed {seed}: as low as {lowest}");
            let whole = run.sent.iter().find(|(_, rate)| *rate >= 1_500_000.0).map(|(t, _)| *t);
            assert!(whole.is_some_and(|t| t <= 12.0), "seed {seed}: the whole demand sent from {whole:?}");

            // From a low estimate (after congestion, say): 8 % a second, held back by nothing but that.
            let run = simulate(&Path::new(|_| 10_000_000.0), demand, 300_000, 30.0, seed);
            run.print("10 Mbit/s path, demand 300 to 1500 kbit/s, from 300 kbit/s", seed);
            let reached = run.estimates.iter().find(|(_, e)| *e >= 1_500_000).map(|(t, _)| *t);
            assert!(reached.is_some_and(|t| t <= 25.0), "seed {seed}: 1500 kbit/s reached at {reached:?}");
            run.assert_never_falls(seed);
        }
    }

    #[test]
    fn a_path_falling_from_2_mbit_to_300_kbit_brings_the_estimate_down_within_seconds() {
        let capacity = |t: f64| if t < 15.0 { 2_000_000.0 } else { 300_000.0 };
        for seed in SEEDS {
            let run = simulate(&Path::new(capacity), |_| 1_500_000.0, 1_500_000, 40.0, seed);
            run.print("2 Mbit/s falling to 300 kbit/s at 15 s, 1500 kbit/s demand", seed);
            assert!(run.estimate_at(15.0) >= 1_500_000, "seed {seed}: {} before", run.estimate_at(15.0));
            let fell = run.estimates.iter().find(|(t, e)| *t >= 15.0 && *e < 400_000).map(|(t, _)| *t);
            assert!(fell.is_some_and(|t| t <= 17.0), "seed {seed}: below 400 kbit/s at {fell:?}");
            let (low, high) = run.estimates(25.0, 40.0).fold((u64::MAX, 0), |(l, h), e| (l.min(e), h.max(e)));
            assert!(low > 150_000 && high < 480_000, "seed {seed}: {low}..{high} after");
        }
    }

    #[test]
    fn a_fifth_of_packets_lost_at_random_brings_the_estimate_down_and_one_in_a_hundred_does_not() {
        for seed in SEEDS {
            for (loss, name) in [(0.2, "20 % loss from 10 s"), (0.01, "1 % loss from 10 s")] {
                let mut path = Path::new(|_| 10_000_000.0);
                path.loss = Box::new(move |t| if t < 10.0 { 0.0 } else { loss });
                let run = simulate(&path, |_| 1_500_000.0, 1_500_000, 30.0, seed);
                run.print(name, seed);
                let before = run.estimate_at(10.0);
                let lowest = run.estimates(10.0, 30.0).min().unwrap();
                if loss > 0.1 {
                    assert!(run.estimate_at(20.0) < before / 2, "seed {seed}: {before} then {}", run.estimate_at(20.0));
                } else {
                    assert!(lowest as f64 >= 0.8 * before as f64, "seed {seed}: {before} then as low as {lowest}");
                }
            }
        }
    }

    #[test]
    fn arrivals_jittering_by_5_ms_either_way_do_not_bring_the_estimate_down() {
        for seed in SEEDS {
            for demand in [1_500_000.0, 5_000_000.0] {
                let mut path = Path::new(|_| 10_000_000.0);
                path.jitter = 0.005;
                let run = simulate(&path, move |_| demand, 1_500_000, 30.0, seed);
                run.print(&format!("±5 ms jitter, {} kbit/s demand", demand / 1000.0), seed);
                run.assert_never_falls(seed);
                let last = run.estimate_at(30.0);
                assert!(HEADROOM * last as f64 >= demand, "seed {seed}: {last} holds the publisher back");
            }
        }
    }

    /// Packets `from..to` of 1200 bytes sent every 10 ms (960 kbit/s) from `t0`, reported
    /// ten at a time, 50 ms after the last of them was sent; `arrival(n)` is when
    /// packet `n` arrived in ms on the receiver's clock (an hour off ours), `None` if lost.
    fn feed(estimator: &mut Estimator, t0: Instant, packets: Range<u64>, arrival: impl Fn(u64) -> Option<u64>) {
        let receiver = t0 + Duration::from_secs(3600);
        for first in packets.clone().step_by(10) {
            let last = (first + 10).min(packets.end);
            let acked = (first..last).map(|n| Acked {
                seq: n,
                sent: t0 + ms(10 * n),
                size: 1200,
                arrived: arrival(n).map(|a| receiver + ms(a)),
            });
            estimator.update(acked, t0 + ms(10 * (last - 1) + 50));
        }
    }

    #[test]
    fn steady_arrivals_grow_the_estimate_8_percent_a_second_up_to_1_5_times_what_arrives() {
        let (mut estimator, t0) = (Estimator::new(500_000), Instant::now());
        feed(&mut estimator, t0, 0..400, |n| Some(20 + 10 * n));
        let before = estimator.estimate() as f64;
        feed(&mut estimator, t0, 400..500, |n| Some(20 + 10 * n));
        let growth = estimator.estimate() as f64 / before;
        assert!((growth - 1.08).abs() < 0.005, "{growth}");
        feed(&mut estimator, t0, 500..3000, |n| Some(20 + 10 * n));
        // 1.5 · 960 + 10 kbit/s (or a packet more, where one falls on the window's edge).
        let estimate = estimator.estimate();
        assert!((1_450_000..=1_470_000).contains(&estimate), "{estimate}");
    }

    #[test]
    fn a_queue_building_is_overuse_and_brings_the_estimate_to_0_85_of_what_arrives() {
        let (mut estimator, t0) = (Estimator::new(2_000_000), Instant::now());
        // Two seconds as fast as sent (less than the estimate: it holds), then one packet
        // every 12 ms (800 kbit/s): the queue grows by 2 ms a packet.
        let arrival = |n: u64| Some(if n < 200 { 20 + 10 * n } else { 2020 + 12 * (n - 200) });
        feed(&mut estimator, t0, 0..200, arrival);
        assert_eq!(estimator.estimate(), 2_000_000);
        feed(&mut estimator, t0, 200..210, arrival);
        assert_eq!(estimator.estimate(), 2_000_000, "not on the first sign");
        feed(&mut estimator, t0, 210..220, arrival);
        feed(&mut estimator, t0, 220..400, arrival);
        let estimate = estimator.estimate();
        assert!((660_000..=700_000).contains(&estimate), "{estimate}, 0.85 · 800 kbit/s = 680");
    }

    #[test]
    fn a_fifth_lost_takes_a_tenth_off_and_no_more_until_300_ms_and_a_round_trip_later() {
        let (mut estimator, t0) = (Estimator::new(1_000_000), Instant::now());
        let arrival = |n: u64| (!n.is_multiple_of(5)).then_some(20 + 10 * n);
        // Not a decision on ten packets.
        feed(&mut estimator, t0, 0..10, arrival);
        assert_eq!(estimator.estimate(), 1_000_000);
        feed(&mut estimator, t0, 10..20, arrival);
        assert_eq!(estimator.estimate(), 900_000);
        let mut changes = vec![(190, 900_000)];
        for first in (20..1000).step_by(10) {
            feed(&mut estimator, t0, first..first + 10, arrival);
            if estimator.estimate() != changes.last().unwrap().1 {
                changes.push((10 * first + 90, estimator.estimate()));
            }
        }
        for pair in changes.windows(2) {
            let ((at, before), (then, after)) = (pair[0], pair[1]);
            assert!(then - at >= 350, "{changes:?}");
            assert!(after.abs_diff(before * 9 / 10) <= 1, "{changes:?}");
        }
        assert!(changes.len() >= 15, "{changes:?}");
    }

    #[test]
    fn a_packet_reported_lost_and_then_received_counts_as_received_and_a_repeat_as_one() {
        let (mut estimator, t0) = (Estimator::new(1_000_000), Instant::now());
        feed(&mut estimator, t0, 0..10, |_| None);
        feed(&mut estimator, t0, 0..10, |n| Some(20 + 10 * n));
        feed(&mut estimator, t0, 10..20, |n| Some(20 + 10 * n));
        feed(&mut estimator, t0, 10..20, |n| Some(20 + 10 * n));
        feed(&mut estimator, t0, 10..20, |_| None);
        assert_eq!(estimator.loss.reports.len(), 20);
        assert_eq!(estimator.loss.fraction(), Some(0.0));
        assert_eq!(estimator.estimate(), 1_000_000);
    }

    #[test]
    fn empty_or_repeated_feedback_changes_nothing() {
        let (mut estimator, t0) = (Estimator::new(700_000), Instant::now());
        for n in 0..50 {
            estimator.update([], t0 + ms(100 * n));
        }
        assert_eq!(estimator.estimate(), 700_000);
        feed(&mut estimator, t0, 0..300, |n| Some(20 + 10 * n));
        let estimate = estimator.estimate();
        let repeat: Vec<Acked> = (250..300)
            .map(|n| Acked { seq: n, sent: t0 + ms(10 * n), size: 1200, arrived: Some(t0 + ms(20 + 10 * n)) })
            .collect();
        estimator.update(repeat.clone(), t0 + ms(3040));
        estimator.update(repeat, t0 + ms(3040));
        estimator.update([], t0 + ms(3040));
        assert_eq!(estimator.estimate(), estimate);
    }

    #[test]
    fn garbage_feedback_keeps_the_estimate_a_number_within_bounds() {
        assert_eq!(Estimator::new(0).estimate(), MIN_BPS);
        assert_eq!(Estimator::new(u64::MAX).estimate(), MAX_BPS);
        for seed in SEEDS {
            let mut rng = Rng::new(seed);
            let mut estimator = Estimator::new(1_000_000);
            // Far enough from the machine's boot that a million seconds either way is an Instant.
            let t0 = Instant::now() + Duration::from_secs(10_000_000);
            let time = |rng: &mut Rng| match rng.bits() % 4 {
                0 => t0 - Duration::from_secs_f64(1e6 * rng.unit()),
                1 => t0 + Duration::from_secs_f64(1e6 * rng.unit()),
                _ => t0 + Duration::from_secs_f64(10.0 * rng.unit()),
            };
            let mut seq = 0u64;
            for _ in 0..20_000 {
                let count = rng.bits() % 40;
                let mut packets = Vec::new();
                for _ in 0..count {
                    seq = match rng.bits() % 10 {
                        0 => seq.wrapping_sub(rng.bits() % 100),
                        1 => rng.bits() >> (rng.bits() % 64),
                        2 => seq,
                        _ => seq.wrapping_add(1),
                    };
                    let size = if rng.bits().is_multiple_of(50) { usize::MAX } else { (rng.bits() % 1500) as usize };
                    let arrived = (!rng.bits().is_multiple_of(3)).then(|| time(&mut rng));
                    packets.push(Acked { seq, sent: time(&mut rng), size, arrived });
                }
                estimator.update(packets, time(&mut rng));
                let estimate = estimator.estimate();
                assert!((MIN_BPS..=MAX_BPS).contains(&estimate), "seed {seed}: {estimate}");
                assert!(estimator.delay.bps.is_finite() && estimator.loss.bps.is_finite());
                assert!(estimator.trend.slope.is_finite() && estimator.detector.threshold.is_finite());
            }
        }
    }

    #[test]
    fn arrivals_out_of_order_and_long_pauses_do_not_break_it() {
        let (mut estimator, t0) = (Estimator::new(1_000_000), Instant::now());
        // Each pair of packets arrives the wrong way round.
        feed(&mut estimator, t0, 0..500, |n| Some(20 + 10 * n + if n % 2 == 0 { 15 } else { 0 }));
        assert!(estimator.estimate() >= 1_000_000, "{}", estimator.estimate());
        // An hour's silence, then the receiver's clock jumps back a day.
        let later = t0 + Duration::from_secs(3600);
        feed(&mut estimator, later, 500..1000, |n| Some(10 * n));
        let estimate = estimator.estimate();
        feed(&mut estimator, later, 1000..1500, |n| Some(10 * n).map(|a| a.saturating_sub(86_400_000)));
        assert!(estimator.estimate() >= estimate, "{} after {estimate}", estimator.estimate());
    }
}
