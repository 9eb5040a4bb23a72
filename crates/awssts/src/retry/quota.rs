//! The retry quota: a token bucket shared by every call of one client, so
//! that when an endpoint is down the client stops retrying instead of
//! multiplying its load. The constants are the ones all AWS SDKs use.

use std::sync::atomic::{AtomicU32, Ordering};

use super::RetryKind;

/// Tokens in a fresh bucket.
pub const INITIAL_TOKENS: u32 = 500;
/// Cost of retrying after an ordinary failure.
pub const RETRY_COST: u32 = 5;
/// Cost of retrying after a timeout (timeouts are the expensive failures).
pub const TIMEOUT_COST: u32 = 10;
/// What a call that succeeded at once puts back.
pub const NO_RETRY_INCREMENT: u32 = 1;

/// A retry quota shared across calls.
#[derive(Debug)]
pub struct RetryQuota {
    tokens: AtomicU32,
    max: u32,
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota::new(INITIAL_TOKENS)
    }
}

impl RetryQuota {
    /// A quota holding `tokens` (also its maximum).
    pub fn new(tokens: u32) -> Self {
        RetryQuota {
            tokens: AtomicU32::new(tokens),
            max: tokens,
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }

    /// Takes the cost of one retry of `kind`; `None` when the quota is
    /// exhausted (then the call must not retry). The returned cost is given
    /// back through [`RetryQuota::refund`] if the retry succeeds.
    pub fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = match kind {
            RetryKind::Timeout => TIMEOUT_COST,
            _ => RETRY_COST,
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// Records a success: a call that needed retries gets back what its last
    /// retry cost; one that succeeded at once adds a token.
    pub fn refund(&self, last_retry_cost: Option<u32>) {
        let add = last_retry_cost.unwrap_or(NO_RETRY_INCREMENT);
        let max = self.max;
        // An Err here only means the bucket is already full.
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < max).then(|| t.saturating_add(add).min(max))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhausts_and_refills() {
        let q = RetryQuota::new(12);
        assert_eq!(q.acquire(RetryKind::Transient), Some(5));
        assert_eq!(q.acquire(RetryKind::Throttling), Some(5));
        assert_eq!(q.available(), 2);
        assert_eq!(q.acquire(RetryKind::Transient), None);
        assert_eq!(q.available(), 2, "a refused acquire takes nothing");
        q.refund(Some(5));
        assert_eq!(q.available(), 7);
        q.refund(None);
        assert_eq!(q.available(), 8);
        assert_eq!(q.acquire(RetryKind::Timeout), None, "timeouts cost 10");
        q.refund(Some(10));
        assert_eq!(q.available(), 12, "never above the maximum");
        assert_eq!(q.acquire(RetryKind::Timeout), Some(10));
    }
}
