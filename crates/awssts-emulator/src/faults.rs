//! The fault queue: the next requests (optionally only of one operation)
//! fail in a chosen way, so callers can test their retry and refresh logic.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::request::Action;

/// How a request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// `Throttling` (400) "Rate exceeded".
    Throttling,
    /// `InternalFailure` (500).
    InternalError,
    /// `ServiceUnavailable` (503).
    ServiceUnavailable,
    /// A 200 whose headers are sent but whose body never completes (until
    /// the client gives up, or the emulator's stall limit passes).
    Stall,
    /// A 200 whose `Content-Length` promises more than is sent before the
    /// connection is closed.
    TruncatedBody,
    /// `ExpiredToken` (403), as if the caller's session had expired.
    ExpiredToken,
    /// `RequestTimeTooSkewed` (403), as if the caller's clock were off.
    RequestTimeTooSkewed,
}

/// One entry of the queue: a kind, for how many requests, and optionally
/// which operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Fault {
    /// How the requests fail.
    pub kind: FaultKind,
    /// How many requests fail (1 by default).
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests of this operation (e.g. `AssumeRole`); any if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// The next request fails with `kind`.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            count: 1,
            operation: None,
        }
    }

    /// The next `count` requests fail.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Only requests of `operation` fail.
    pub fn only(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    /// What is wrong with `operation` when it names no STS operation (such
    /// a fault would never fire), with the names it could be.
    pub(crate) fn unknown_operation(&self) -> Option<String> {
        let op = self.operation.as_deref()?;
        if Action::from_name(op).is_some() {
            return None;
        }
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        Some(format!(
            "{:?} is not an STS operation; use one of {}",
            crate::request::clip(op, 64),
            names.join(", ")
        ))
    }
}

/// The queue, shared by the server and whoever drives the faults. Cheap to
/// clone.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    queue: Mutex<VecDeque<Fault>>,
    /// Entries in the queue, read without the lock so that requests pay
    /// nothing when no fault is queued.
    armed: AtomicUsize,
}

impl Faults {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Fault>> {
        // The queue holds plain data: a panic elsewhere cannot leave it
        // inconsistent, so a poisoned lock is still usable.
        self.inner
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends a fault; faults are consumed in the order pushed.
    pub fn push(&self, fault: Fault) {
        if fault.count == 0 {
            return;
        }
        let mut q = self.lock();
        q.push_back(fault);
        self.inner.armed.store(q.len(), Ordering::Release);
    }

    /// The faults still queued, with their remaining counts.
    pub fn list(&self) -> Vec<Fault> {
        self.lock().iter().cloned().collect()
    }

    /// Removes every queued fault.
    pub fn clear(&self) {
        let mut q = self.lock();
        q.clear();
        self.inner.armed.store(0, Ordering::Release);
    }

    /// Takes one use of the first fault that applies to `operation`
    /// (`None`: the operation is unknown, only unrestricted faults apply).
    pub fn take(&self, operation: Option<&str>) -> Option<FaultKind> {
        if self.inner.armed.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = self.lock();
        let i = q.iter().position(|f| match &f.operation {
            None => true,
            Some(op) => Some(op.as_str()) == operation,
        })?;
        let entry = q.get_mut(i)?;
        let kind = entry.kind;
        entry.count = entry.count.saturating_sub(1);
        if entry.count == 0 {
            q.remove(i);
        }
        self.inner.armed.store(q.len(), Ordering::Release);
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumed_in_order_with_operation_filter() {
        let f = Faults::new();
        assert_eq!(f.take(Some("GetCallerIdentity")), None);
        f.push(
            Fault::new(FaultKind::Throttling)
                .times(2)
                .only("AssumeRole"),
        );
        f.push(Fault::new(FaultKind::InternalError));
        assert_eq!(
            f.take(Some("GetCallerIdentity")),
            Some(FaultKind::InternalError)
        );
        assert_eq!(f.take(Some("GetCallerIdentity")), None);
        assert_eq!(f.list().len(), 1);
        assert_eq!(f.take(Some("AssumeRole")), Some(FaultKind::Throttling));
        assert_eq!(f.take(None), None);
        assert_eq!(f.take(Some("AssumeRole")), Some(FaultKind::Throttling));
        assert_eq!(f.take(Some("AssumeRole")), None);
        f.push(Fault::new(FaultKind::Stall).times(3));
        f.clear();
        assert!(f.list().is_empty());
    }

    #[test]
    fn json_form() {
        let f: Fault =
            serde_json::from_str(r#"{"kind":"truncated_body","operation":"AssumeRole"}"#).unwrap();
        assert_eq!(f, Fault::new(FaultKind::TruncatedBody).only("AssumeRole"));
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"nope"}"#).is_err());
    }
}
