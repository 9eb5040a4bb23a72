//! Where a canonical request or string to sign is written: a buffer (to
//! show it) or straight into SHA-256 or the HMAC (to sign it without ever
//! holding it in memory).

use sha2::Sha256;
use sha2::digest::consts::U32;
use sha2::digest::{FixedOutput, Update};

/// Receives the canonical request piece by piece.
pub(crate) trait Sink {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);

    /// Appends one byte (separators: most pieces of a canonical request are
    /// one byte long, and a byte store is far cheaper than a `memcpy` call).
    fn put_byte(&mut self, byte: u8);
}

/// Discards everything (for when only a side product is wanted).
impl Sink for () {
    fn put(&mut self, _: &[u8]) {}

    fn put_byte(&mut self, _: u8) {}
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn put_byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// Copies `src` into `dst` (same length). Most pieces of a canonical
/// request are a few bytes long, and a `memcpy` call costs more than the
/// copy: up to 16 bytes are moved as two overlapping fixed-size words (a
/// byte loop would be turned back into a `memcpy` call by the compiler).
#[inline]
fn copy_small(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if (8..=16).contains(&n) {
        let mut head = [0u8; 8];
        let mut tail = [0u8; 8];
        head.copy_from_slice(&src[..8]);
        tail.copy_from_slice(&src[n - 8..]);
        dst[..8].copy_from_slice(&head);
        dst[n - 8..].copy_from_slice(&tail);
    } else if (4..8).contains(&n) {
        let mut head = [0u8; 4];
        let mut tail = [0u8; 4];
        head.copy_from_slice(&src[..4]);
        tail.copy_from_slice(&src[n - 4..]);
        dst[..4].copy_from_slice(&head);
        dst[n - 4..].copy_from_slice(&tail);
    } else if (2..4).contains(&n) {
        let head = [src[0], src[1]];
        let tail = [src[n - 2], src[n - 1]];
        dst[..2].copy_from_slice(&head);
        dst[n - 2..].copy_from_slice(&tail);
    } else if n == 1 {
        dst[0] = src[0];
    } else {
        dst.copy_from_slice(src);
    }
}

/// Small pieces are gathered in a stack buffer so the hasher sees few,
/// large updates; large pieces (a session token, a body-sized query) go to
/// the hasher directly, without being copied.
const GATHER: usize = 256;

/// Feeds what is written to a 32-byte hash or MAC: SHA-256 by default, or
/// an HMAC already keyed with the signing key.
pub(crate) struct HashSink<H = Sha256> {
    hasher: H,
    buf: [u8; GATHER],
    len: usize,
}

impl HashSink {
    /// Hashes with SHA-256.
    pub(crate) fn new() -> Self {
        Self::with(Sha256::default())
    }
}

impl<H: Update + FixedOutput<OutputSize = U32>> HashSink<H> {
    /// Feeds `hasher`.
    pub(crate) fn with(hasher: H) -> Self {
        Self {
            hasher,
            buf: [0; GATHER],
            len: 0,
        }
    }

    fn flush(&mut self) {
        if self.len > 0 {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// The hash (or MAC) of everything written.
    pub(crate) fn finish(mut self) -> [u8; 32] {
        self.flush();
        self.hasher.finalize_fixed().into()
    }
}

impl<H: Update + FixedOutput<OutputSize = U32>> Sink for HashSink<H> {
    #[inline]
    fn put_byte(&mut self, byte: u8) {
        if self.len == GATHER {
            self.flush();
        }
        self.buf[self.len] = byte;
        self.len += 1;
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if bytes.len() <= GATHER - self.len {
            copy_small(&mut self.buf[self.len..self.len + bytes.len()], bytes);
            self.len += bytes.len();
            return;
        }
        self.flush();
        if bytes.len() >= GATHER / 2 {
            self.hasher.update(bytes);
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_copies_copy_exactly() {
        for n in 0..40 {
            let src: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(7) | 1).collect();
            let mut dst = vec![0u8; n + 2];
            copy_small(&mut dst[1..n + 1], &src);
            assert_eq!(&dst[1..n + 1], &src[..]);
            assert_eq!((dst[0], dst[n + 1]), (0, 0));
        }
    }

    #[test]
    fn hash_sink_equals_hashing_the_buffer() {
        use sha2::Digest;

        let pieces: Vec<Vec<u8>> = (0..200usize)
            .map(|i| {
                (0..(i * 7919) % 700)
                    .map(|j| (i + j) as u8 | 0x41)
                    .collect()
            })
            .collect();
        let mut sink = HashSink::new();
        let mut buf = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            if i % 5 == 0 {
                for &b in p {
                    sink.put_byte(b);
                    buf.put_byte(b);
                }
            } else {
                sink.put(p);
                buf.put(p);
            }
        }
        let expected: [u8; 32] = Sha256::digest(&buf).into();
        assert_eq!(sink.finish(), expected);
    }
}
