//! The advisory lock that makes a refresh single-flight across processes.
//! It is an OS file lock (`flock` on Unix, `LockFileEx` on Windows) on a
//! `<key>.lock` file beside the cache file: the OS drops it when the holder
//! exits, even by a crash, so a dead process never wedges the others.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// A held lock; released when dropped (closing the file releases it).
#[derive(Debug)]
pub(super) struct HeldLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug)]
pub(super) enum LockFailure {
    /// Another holder kept it past the timeout.
    TimedOut,
    /// The lock file could not be opened, or the platform refused the lock.
    Io(io::Error),
}

/// Takes the exclusive lock on `path`, waiting at most `timeout`. Waiting
/// polls with a non-blocking attempt, so the wait is bounded and a task
/// waiting here does not hold a runtime thread.
pub(super) async fn acquire(path: &Path, timeout: Duration) -> Result<HeldLock, LockFailure> {
    let file = open_lock_file(path).map_err(LockFailure::Io)?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(HeldLock { _file: file }),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(LockFailure::Io(e)),
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(LockFailure::TimedOut);
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    // Write access: Windows wants it for an exclusive lock.
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
