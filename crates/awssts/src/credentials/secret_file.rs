//! Reading the small files that hold a secret: web identity tokens and
//! container authorization tokens.
//!
//! The read is capped, so a path that points at the wrong thing (a log, a
//! device, a huge file) fails with a clear error instead of filling memory,
//! and the bytes are wiped when dropped.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use zeroize::Zeroizing;

/// The most a token file may hold; real tokens are a few kilobytes.
pub(crate) const MAX_TOKEN_FILE: usize = 64 * 1024;

/// The whole file, or an error when it is larger than `limit` bytes.
pub(crate) fn read(path: &Path, limit: usize) -> io::Result<Zeroizing<Vec<u8>>> {
    let file = File::open(path)?;
    // Sized up front, so no partial copy of the secret is left behind by a
    // reallocation.
    // A size of 0 may be unknown (procfs, a FIFO): then room for the limit.
    let expected = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .filter(|&n| n > 0)
        .unwrap_or(limit);
    let mut buf = Zeroizing::new(Vec::with_capacity(expected.min(limit) + 1));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(cap).read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is larger than {limit} bytes, too large to be a token"),
        ));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_read_and_large_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, b"eyJ.token").unwrap();
        assert_eq!(&read(&path, 16).unwrap()[..], b"eyJ.token");
        std::fs::write(&path, vec![b'a'; 17]).unwrap();
        let err = read(&path, 16).unwrap_err();
        assert!(err.to_string().contains("larger than 16 bytes"), "{err}");
        assert!(read(&dir.path().join("missing"), 16).is_err());
    }
}
