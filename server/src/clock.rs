use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The server's source of "now", so tests can move time forward.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;

    /// Milliseconds that never go backwards, for measuring intervals; only differences mean anything.
    fn monotonic_ms(&self) -> i64 {
        self.now_ms()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn monotonic_ms(&self) -> i64 {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_millis() as i64
    }
}

/// A clock that starts at the real time and moves only when told (tests).
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new() -> Self {
        Self(Arc::new(AtomicI64::new(SystemClock.now_ms())))
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn court_time(now_ms: i64, utc_offset_minutes: i32) -> time::OffsetDateTime {
    let offset = time::UtcOffset::from_whole_seconds(utc_offset_minutes * 60).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
}

/// The court's local calendar date ("2026-11-25") at `now_ms`.
pub fn local_date(now_ms: i64, utc_offset_minutes: i32) -> String {
    let at = court_time(now_ms, utc_offset_minutes);
    format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day())
}

/// The court's local date and time to the minute ("2026-11-25 09:30"), comparable with `CourtDateTime` strings.
pub fn local_date_time(now_ms: i64, utc_offset_minutes: i32) -> String {
    let at = court_time(now_ms, utc_offset_minutes);
    format!("{} {:02}:{:02}", local_date(now_ms, utc_offset_minutes), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_date_uses_the_court_offset() {
        // 2026-11-24T20:00:00Z is already the 25th in Beijing.
        let ms = 1_795_550_400_000;
        assert_eq!(super::local_date(ms, 0), "2026-11-24");
        assert_eq!(super::local_date(ms, 8 * 60), "2026-11-25");
    }
}

