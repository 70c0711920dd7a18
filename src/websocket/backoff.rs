//! Reconnect delays: exponential with full jitter ("sleep a random time below the cap"), so many
//! Home Assistant instances do not reconnect to a restarted server in lockstep.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration, seed: Option<u64>) -> Self {
        Self {
            base,
            max: max.max(base),
            attempt: 0,
            rng: seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed),
        }
    }

    /// The cap of the next delay: `base * 2^attempt`, at most `max`.
    pub fn cap(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.attempt.min(31));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The next delay (uniform in `[0, cap]`, at least 10 ms so a dead server is never spun on).
    pub fn next_delay(&mut self) -> Duration {
        let cap = self.cap();
        self.attempt = self.attempt.saturating_add(1);
        cap.mul_f64(self.rng.f64()).max(Duration::from_millis(10))
    }

    /// How many delays were handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a stable connection the next failure starts from the base again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_double_up_to_the_maximum_and_reset() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300), Some(3));
        let mut caps = Vec::new();
        for _ in 0..12 {
            caps.push(b.cap().as_secs());
            let d = b.next_delay();
            assert!(d <= Duration::from_secs(300));
        }
        assert_eq!(caps, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        b.reset();
        assert_eq!(b.cap(), Duration::from_secs(1));
        assert_eq!(b.attempt(), 0);
    }

    #[test]
    fn full_jitter_spreads_delays() {
        let mut b = Backoff::new(Duration::from_secs(64), Duration::from_secs(64), Some(11));
        let delays: Vec<u128> = (0..200).map(|_| b.next_delay().as_millis()).collect();
        let min = delays.iter().min().copied().unwrap_or(0);
        let max = delays.iter().max().copied().unwrap_or(0);
        assert!(min < 16_000 && max > 48_000, "{min} {max}");
    }
}
