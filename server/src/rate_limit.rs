//! Requests per client per minute (GCRA, from `governor`), with a memory that
//! forgets clients once their state is no different from a fresh one.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::Quota;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::HashMapStateStore;

use crate::clock::{Clock, SystemClock};

/// Stale clients are forgotten every this many checks, so a sweep from many
/// addresses holds at most the clients of the last minute.
const FORGET_EVERY: u64 = 1024;

pub struct RateLimiter {
    limiter: governor::RateLimiter<IpAddr, HashMapStateStore<IpAddr>, ServerTime, NoOpMiddleware<Nanos>>,
    checks: AtomicU64,
}

impl RateLimiter {
    /// `per_minute` requests per client per minute, all of them usable at once (0 is taken as 1).
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, Arc::new(SystemClock))
    }

    /// As `new`, on the server's clock (tests move it).
    pub fn with_clock(per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        let limiter = governor::RateLimiter::new(quota, HashMapStateStore::default(), ServerTime(clock));
        Self { limiter, checks: AtomicU64::new(0) }
    }

    /// Counts a request from `addr`; `false` if its client has used up its allowance.
    pub fn allow(&self, addr: IpAddr) -> bool {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.forget_stale();
        }
        self.limiter.check_key(&client(addr)).is_ok()
    }

    /// Drops the clients that would be allowed their whole allowance again.
    pub fn forget_stale(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// One client: an IPv4 address, or an IPv6 /64 (one host may use all of its 2^64 addresses).
pub(crate) fn client(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// The server's clock as `governor` reads it.
struct ServerTime(Arc<dyn Clock>);

impl governor::clock::Clock for ServerTime {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(u64::try_from(self.0.monotonic_ms()).unwrap_or(0) * 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::ManualClock;

    fn limiter(per_minute: u32) -> (RateLimiter, ManualClock) {
        let clock = ManualClock::new();
        (RateLimiter::with_clock(per_minute, Arc::new(clock.clone())), clock)
    }

    #[test]
    fn each_address_has_its_own_allowance_which_comes_back_within_a_minute() {
        let (limiter, clock) = limiter(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.allow(a) && limiter.allow(a));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
        clock.advance(Duration::from_secs(60));
        assert!(limiter.allow(a) && limiter.allow(a));
        assert!(!limiter.allow(a));
    }

    #[test]
    fn one_ipv6_host_is_one_client_whatever_address_of_its_network_it_uses() {
        let (limiter, _) = limiter(3);
        let allowed = (0..100u16).filter(|i| limiter.allow(format!("2001:db8:1:2::{i:x}").parse().unwrap())).count();
        assert_eq!(allowed, 3);
        assert!(limiter.allow("2001:db8:1:3::1".parse().unwrap()), "another network");
        assert!(limiter.allow("::ffff:10.0.0.1".parse().unwrap()));
        assert_eq!(limiter.limiter.len(), 3);
    }

    #[test]
    fn a_sweep_from_many_addresses_is_forgotten_and_memory_stays_bounded() {
        let (limiter, clock) = limiter(30);
        let sweep = |first: u32| {
            let mut largest = 0;
            for i in first..first + 50_000 {
                assert!(limiter.allow(IpAddr::from(i.to_be_bytes())));
                largest = largest.max(limiter.limiter.len());
            }
            largest
        };
        assert_eq!(sweep(0x0a00_0000), 50_000, "a minute's clients are all remembered");
        clock.advance(Duration::from_secs(120));
        let largest = sweep(0x0b00_0000);
        assert!(largest <= 50_000 + FORGET_EVERY as usize, "the first sweep was forgotten: {largest}");
        clock.advance(Duration::from_secs(120));
        limiter.forget_stale();
        assert_eq!(limiter.limiter.len(), 0);
    }
}
