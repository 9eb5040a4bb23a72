//! Per-thread copies of cached credentials.
//!
//! Handing every reader a clone of the one shared `Credentials` makes all
//! threads increment and decrement the same reference count, and that cache
//! line then moves between cores on every read. Instead each thread keeps
//! its own copy (made once per thread per refresh) in a small table, so a
//! read touches only memory that no other thread writes.
//!
//! A slot is keyed by the cache's identity and valid for one generation of
//! its state: any change to the state (a refresh, a failure, an
//! invalidation) bumps the generation, and the next read on each thread
//! replaces that thread's copy. The table holds [`SLOTS`] caches per thread,
//! evicting round-robin. A thread therefore keeps a copy of the last
//! credentials it read until it reads that cache again, the slot is evicted,
//! or the thread exits; the secret and token are wiped when the copy is
//! dropped, like every `Credentials`.

use std::cell::RefCell;
use std::time::SystemTime;

use super::Until;
use crate::credentials::Credentials;

/// Caches remembered per thread; a thread rarely reads more than one or two.
const SLOTS: usize = 8;

struct Slot {
    /// The cache's process-unique id (never reused, unlike its address).
    cache: u64,
    /// The generation of the state the copy was made from.
    generation: u64,
    /// Until when a read may serve the copy without further checks.
    serve_until: Until,
    credentials: Credentials,
}

struct Table {
    slots: [Option<Slot>; SLOTS],
    /// The slot to evict next when the table is full.
    next: usize,
}

thread_local! {
    static TABLE: RefCell<Table> = const {
        RefCell::new(Table {
            slots: [const { None }; SLOTS],
            next: 0,
        })
    };
}

/// This thread's copy of the credentials of `cache` if it was made from
/// state `generation` and may be served at `now`. `None` when the caller has
/// to look at the shared state (also while the thread is exiting).
pub(super) fn get(cache: u64, generation: u64, now: SystemTime) -> Option<Credentials> {
    TABLE
        .try_with(|table| {
            let table = table.try_borrow().ok()?;
            let slot = table.slots.iter().flatten().find(|s| s.cache == cache)?;
            (slot.generation == generation && slot.serve_until.covers(now))
                .then(|| slot.credentials.clone())
        })
        .ok()
        .flatten()
}

/// This thread's copy of the credentials of `cache` for any `generation`
/// that is current, ignoring the time (for `try_current`).
pub(super) fn get_any_time(cache: u64, generation: u64) -> Option<Credentials> {
    TABLE
        .try_with(|table| {
            let table = table.try_borrow().ok()?;
            let slot = table.slots.iter().flatten().find(|s| s.cache == cache)?;
            (slot.generation == generation).then(|| slot.credentials.clone())
        })
        .ok()
        .flatten()
}

/// Makes this thread's copy of `credentials` for `cache` at `generation`
/// (replacing an older one of the same cache) and returns a clone of it, or
/// of `credentials` when the thread's table is gone.
pub(super) fn put(
    cache: u64,
    generation: u64,
    serve_until: Until,
    credentials: &Credentials,
) -> Credentials {
    let copy = credentials.unshared_copy();
    let slot = Slot {
        cache,
        generation,
        serve_until,
        credentials: copy.clone(),
    };
    let stored = TABLE.try_with(|table| {
        let Ok(mut table) = table.try_borrow_mut() else {
            return false;
        };
        let index = table
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.cache == cache))
            .or_else(|| table.slots.iter().position(Option::is_none));
        let index = match index {
            Some(i) => i,
            None => {
                let i = table.next % SLOTS;
                table.next = (i + 1) % SLOTS;
                i
            }
        };
        // The old copy is dropped (and wiped) here, outside any borrow of it.
        let old = table.slots.get_mut(index).map(|s| s.replace(slot));
        drop(table);
        drop(old);
        true
    });
    match stored {
        Ok(true) => copy,
        _ => credentials.clone(),
    }
}

/// Drops this thread's copy for `cache`, if any (when the cache itself is
/// dropped, so its credentials do not linger in the dropping thread).
pub(super) fn forget(cache: u64) {
    let _ = TABLE.try_with(|table| {
        let Ok(mut table) = table.try_borrow_mut() else {
            return;
        };
        let old = table
            .slots
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|s| s.cache == cache))
            .and_then(Option::take);
        drop(table);
        drop(old);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn creds(id: &str) -> Credentials {
        Credentials::from_keys(id, "secret")
    }

    fn t(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn served_only_for_the_same_cache_generation_and_time() {
        // Ids far from any real cache's, which come from a counter from 1.
        let (a, b) = (u64::MAX - 1, u64::MAX - 2);
        assert!(get(a, 1, t(0)).is_none());
        let got = put(a, 1, Until::At(t(100)), &creds("A1"));
        assert_eq!(got.access_key_id(), "A1");
        assert_eq!(
            get(a, 1, t(99)).map(|c| c.access_key_id().to_owned()),
            Some("A1".into())
        );
        assert!(get(a, 1, t(100)).is_none(), "past serve_until");
        assert!(get(a, 2, t(0)).is_none(), "another generation");
        assert!(get(b, 1, t(0)).is_none(), "another cache");
        assert!(get_any_time(a, 1).is_some());
        // A new generation replaces the copy in place.
        put(a, 2, Until::Forever, &creds("A2"));
        assert!(get(a, 1, t(0)).is_none());
        assert_eq!(
            get(a, 2, t(0)).map(|c| c.access_key_id().to_owned()),
            Some("A2".into())
        );
        forget(a);
        assert!(get_any_time(a, 2).is_none());
    }

    #[test]
    fn the_table_stays_bounded() {
        let base = u64::MAX - 1000;
        for i in 0..(SLOTS as u64 * 3) {
            put(base + i, 1, Until::Forever, &creds("K"));
        }
        let held = TABLE.with(|t| t.borrow().slots.iter().flatten().count());
        assert_eq!(held, SLOTS);
        // The most recent ones are there, the oldest were evicted.
        assert!(get_any_time(base + SLOTS as u64 * 3 - 1, 1).is_some());
        assert!(get_any_time(base, 1).is_none());
    }

    #[test]
    fn copies_share_no_reference_count() {
        let original = creds("K");
        let copy = put(u64::MAX - 5000, 1, Until::Forever, &original);
        assert_eq!(copy, original);
        assert!(!std::sync::Arc::ptr_eq(&copy.inner, &original.inner));
    }
}
