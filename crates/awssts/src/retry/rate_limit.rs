//! The adaptive mode's client-side rate limiter.
//!
//! It follows the algorithm the AWS SDKs share: a token bucket that stays
//! disabled until the first throttling response, whose fill rate then follows
//! a CUBIC curve — cut by `BETA` on each throttle, growing back along a cubic
//! towards and past the rate at which throttling last happened — and is never
//! more than twice the rate the client has actually been sending at. Time is
//! passed in as seconds since any fixed origin, so the curve is tested
//! exactly.

use std::sync::Mutex;
use std::time::Duration;

/// Multiplicative decrease on throttling.
const BETA: f64 = 0.7;
/// Scales the cubic growth.
const SCALE_CONSTANT: f64 = 0.4;
/// Weight of the newest sample in the measured send rate.
const SMOOTH: f64 = 0.8;
/// The bucket never fills slower than this (requests per second).
const MIN_FILL_RATE: f64 = 0.5;
/// The bucket always holds at least one request.
const MIN_CAPACITY: f64 = 1.0;

#[derive(Debug)]
struct State {
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: Option<f64>,
    enabled: bool,
    measured_rate: f64,
    last_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle: f64,
    time_window: f64,
}

/// A client-side rate limiter for the adaptive retry mode.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new()
    }
}

impl RateLimiter {
    /// A limiter that lets everything through until the first throttle.
    pub fn new() -> Self {
        RateLimiter {
            state: Mutex::new(State {
                fill_rate: MIN_FILL_RATE,
                max_capacity: MIN_CAPACITY,
                capacity: 0.0,
                last_refill: None,
                enabled: false,
                measured_rate: 0.0,
                last_rate_bucket: 0.0,
                request_count: 0,
                last_max_rate: 0.0,
                last_throttle: 0.0,
                time_window: 0.0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is plain numbers, always consistent between statements:
        // a panic elsewhere while holding the lock cannot corrupt it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one token at time `now` (seconds). Returns how long the caller
    /// must wait before sending; the token is already taken.
    pub fn acquire(&self, now: f64) -> Duration {
        let mut s = self.lock();
        if !s.enabled {
            return Duration::ZERO;
        }
        s.refill(now);
        s.capacity -= 1.0;
        if s.capacity >= 0.0 {
            Duration::ZERO
        } else {
            // The debt is paid off at the fill rate; the next refill starts
            // from a negative balance, so waiting callers queue up fairly.
            Duration::from_secs_f64((-s.capacity / s.fill_rate).min(60.0))
        }
    }

    /// Records the outcome of a response at time `now`.
    pub fn update(&self, now: f64, throttled: bool) {
        let mut s = self.lock();
        s.update_measured_rate(now);
        let calculated = if throttled {
            let rate = if s.enabled {
                s.measured_rate.min(s.fill_rate)
            } else {
                s.measured_rate
            };
            s.last_max_rate = rate;
            s.calculate_time_window();
            s.last_throttle = now;
            s.enabled = true;
            rate * BETA
        } else {
            s.calculate_time_window();
            let dt = now - s.last_throttle;
            SCALE_CONSTANT * (dt - s.time_window).powi(3) + s.last_max_rate
        };
        let new_rate = calculated.min(2.0 * s.measured_rate);
        s.refill(now);
        s.fill_rate = new_rate.max(MIN_FILL_RATE);
        s.max_capacity = new_rate.max(MIN_CAPACITY);
        s.capacity = s.capacity.min(s.max_capacity);
    }

    /// The current fill rate (requests per second), for tests and debugging.
    pub fn fill_rate(&self) -> f64 {
        self.lock().fill_rate
    }

    /// Whether throttling has been seen (the limiter is active).
    pub fn is_enabled(&self) -> bool {
        self.lock().enabled
    }
}

impl State {
    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let elapsed = (now - last).max(0.0);
            self.capacity = (self.capacity + elapsed * self.fill_rate).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    fn calculate_time_window(&mut self) {
        self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
    }

    fn update_measured_rate(&mut self, now: f64) {
        // Rates are measured over half-second buckets.
        let bucket = (now * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_rate_bucket {
            let current = self.request_count as f64 / (bucket - self.last_rate_bucket);
            self.measured_rate = current * SMOOTH + self.measured_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_rate_bucket = bucket;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_until_throttled() {
        let rl = RateLimiter::new();
        for i in 0..100 {
            assert_eq!(rl.acquire(i as f64 * 0.001), Duration::ZERO);
            rl.update(i as f64 * 0.001, false);
        }
        assert!(!rl.is_enabled());
    }

    #[test]
    fn throttling_cuts_the_rate_and_success_grows_it_back() {
        let rl = RateLimiter::new();
        // Ten requests per second for five seconds.
        let mut t = 0.0;
        for _ in 0..50 {
            t += 0.1;
            rl.update(t, false);
        }
        rl.update(t, true);
        assert!(rl.is_enabled());
        let after_throttle = rl.fill_rate();
        assert!(
            after_throttle < 10.0 && after_throttle > 1.0,
            "{after_throttle}"
        );
        for _ in 0..40 {
            t += 0.1;
            rl.update(t, false);
        }
        assert!(
            rl.fill_rate() > after_throttle,
            "{} vs {after_throttle}",
            rl.fill_rate()
        );
    }

    #[test]
    fn an_enabled_bucket_makes_callers_wait() {
        let rl = RateLimiter::new();
        rl.update(0.0, true);
        // Measured rate is tiny, so the fill rate is the minimum.
        assert_eq!(rl.fill_rate(), MIN_FILL_RATE);
        let mut waited = Duration::ZERO;
        for _ in 0..4 {
            waited += rl.acquire(0.0);
        }
        assert!(waited > Duration::ZERO);
    }
}
