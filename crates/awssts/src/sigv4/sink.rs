//! Where a canonical request or string to sign is written: a buffer (to
//! show it) or straight into SHA-256 or the HMAC (to sign it without ever
//! holding it in memory).
//!
//! The hashing runs on `sha2`'s raw compression function: the sink gathers
//! small pieces in its own block-aligned buffer and compresses large ones
//! (a session token, a body) in place, so no byte is copied twice and the
//! generic buffering layers of the `digest` traits are skipped. Padding and
//! HMAC are the textbook constructions (FIPS 180-4, RFC 2104), checked
//! against `sha2` and `hmac` in the tests.

use sha2::block_api::compress256;
use zeroize::Zeroize;

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
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn put_byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// Copies `src` into `dst` (same length). Most pieces of a canonical
/// request are a few bytes long, and a `memcpy` call costs more than the
/// copy: up to 16 bytes are moved as two overlapping fixed-size words (a
/// byte loop would be turned back into a `memcpy` call by the compiler).
#[inline(always)]
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

/// SHA-256's initial state.
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Small pieces are gathered in a buffer of this many bytes (four blocks)
/// before being compressed; the buffer has one block more so that the final
/// padding always fits.
const GATHER: usize = 256;

/// The state words as the digest's bytes.
fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Pads the message's last `len` bytes, held at the start of `buf`, and
/// compresses them; `buf` must hold `len + 9` bytes rounded up to a block.
/// `total` is the length of the whole message in bytes.
#[inline]
fn pad_and_compress(state: &mut [u32; 8], buf: &mut [u8], len: usize, total: u64) {
    let end = (len + 9).next_multiple_of(64);
    buf[len] = 0x80;
    buf[len + 1..end - 8].fill(0);
    buf[end - 8..end].copy_from_slice(&(total * 8).to_be_bytes());
    compress256(state, buf[..end].as_chunks::<64>().0);
}

/// SHA-256 of `data`, its whole blocks compressed where they lie.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    let (blocks, tail) = data.as_chunks::<64>();
    compress256(&mut state, blocks);
    let mut last = [0u8; 128];
    last[..tail.len()].copy_from_slice(tail);
    pad_and_compress(&mut state, &mut last, tail.len(), data.len() as u64);
    digest_bytes(&state)
}

/// An HMAC-SHA256 key reduced to the two states left after compressing the
/// inner and outer padded key blocks: a MAC then costs only the message's
/// blocks and one more. The states stand for the key: wiped on drop, never
/// printed.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacKey {
    /// Prepares a 32-byte key.
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let mut block = [0u8; 64];
        let mut pad = |byte: u8| {
            block.fill(byte);
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = IV;
            compress256(&mut state, &[block]);
            state
        };
        let inner = pad(0x36);
        let outer = pad(0x5c);
        block.zeroize();
        Self { inner, outer }
    }

    /// A sink computing the MAC of what is written to it; finish it with
    /// [`HmacKey::finish`].
    pub(crate) fn sink(&self) -> HashSink {
        HashSink::with_state(self.inner, 64)
    }

    /// The MAC, from the inner hash `sink` computed.
    pub(crate) fn finish(&self, sink: &mut HashSink) -> [u8; 32] {
        let inner = sink.finish();
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&inner);
        let mut state = self.outer;
        pad_and_compress(&mut state, &mut block, 32, 64 + 32);
        digest_bytes(&state)
    }
}

impl Drop for HmacKey {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// Feeds what is written to SHA-256 (or, started from a keyed state, to the
/// inner hash of an HMAC).
pub(crate) struct HashSink {
    state: [u32; 8],
    /// Bytes compressed so far.
    done: u64,
    len: usize,
    buf: [u8; GATHER + 64],
}

impl HashSink {
    /// Hashes with SHA-256.
    pub(crate) fn new() -> Self {
        Self::with_state(IV, 0)
    }

    fn with_state(state: [u32; 8], done: u64) -> Self {
        Self {
            state,
            done,
            len: 0,
            buf: [0; GATHER + 64],
        }
    }

    /// The hash of everything written.
    pub(crate) fn finish(&mut self) -> [u8; 32] {
        let total = self.done + self.len as u64;
        pad_and_compress(&mut self.state, &mut self.buf, self.len, total);
        digest_bytes(&self.state)
    }

    /// Fills the buffer, compresses it, then compresses the whole blocks of
    /// the rest of `bytes` where they lie and keeps the tail.
    #[inline(never)]
    fn put_large(&mut self, bytes: &[u8]) {
        let (head, rest) = bytes.split_at(GATHER - self.len);
        self.buf[self.len..GATHER].copy_from_slice(head);
        compress256(&mut self.state, self.buf[..GATHER].as_chunks::<64>().0);
        let (blocks, tail) = rest.as_chunks::<64>();
        compress256(&mut self.state, blocks);
        self.done += (GATHER + blocks.len() * 64) as u64;
        self.buf[..tail.len()].copy_from_slice(tail);
        self.len = tail.len();
    }
}

impl Sink for HashSink {
    #[inline(always)]
    fn put_byte(&mut self, byte: u8) {
        if self.len == GATHER {
            self.put_large(&[byte]);
            return;
        }
        self.buf[self.len] = byte;
        self.len += 1;
    }

    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        if bytes.len() < GATHER - self.len {
            copy_small(&mut self.buf[self.len..self.len + bytes.len()], bytes);
            self.len += bytes.len();
        } else {
            self.put_large(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};

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
    fn sha256_equals_sha2_at_every_length_around_block_edges() {
        let data: Vec<u8> = (0..700u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in 0..data.len() {
            let expected: [u8; 32] = Sha256::digest(&data[..len]).into();
            assert_eq!(sha256(&data[..len]), expected, "length {len}");
        }
    }

    #[test]
    fn hmac_equals_the_hmac_crate() {
        let key: [u8; 32] = std::array::from_fn(|i| (i * 13 + 1) as u8);
        let prepared = HmacKey::new(&key);
        for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 134, 200, 600] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut sink = prepared.sink();
            sink.put(&msg);
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            mac.update(&msg);
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(prepared.finish(&mut sink), expected, "length {len}");
        }
    }

    #[test]
    fn hash_sink_equals_hashing_the_buffer() {
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
            // Every prefix, so that the buffer ends at every fill level.
            if i % 3 == 0 {
                let mut copy = HashSink {
                    state: sink.state,
                    done: sink.done,
                    len: sink.len,
                    buf: sink.buf,
                };
                let expected: [u8; 32] = Sha256::digest(&buf).into();
                assert_eq!(copy.finish(), expected, "after piece {i}");
            }
        }
        let expected: [u8; 32] = Sha256::digest(&buf).into();
        assert_eq!(sink.finish(), expected);
    }

    #[test]
    fn byte_by_byte_crosses_the_buffer_edge() {
        let data: Vec<u8> = (0..(GATHER * 3 + 17)).map(|i| i as u8).collect();
        let mut sink = HashSink::new();
        for &b in &data {
            sink.put_byte(b);
        }
        let expected: [u8; 32] = Sha256::digest(&data).into();
        assert_eq!(sink.finish(), expected);
    }
}
