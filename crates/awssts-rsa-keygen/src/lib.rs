//! RSA-2048 key generation for the emulator's RS256 signing key: a fresh
//! key with public exponent 65537, made from the OS random source and
//! returned as a PKCS#1 `RSAPrivateKey` (DER), which ring loads with
//! `RsaKeyPair::from_der`. ring signs and verifies with RSA keys but cannot
//! make them; the `rsa` crate and its big-integer crates weighed about
//! 330 KB in the `awssts` binary for this one job, this crate about 10 KB.
//!
//! A crate of its own so that the workspace's dev profile can optimise it:
//! unoptimised, a key takes seconds instead of tens of milliseconds.

mod nat;
mod prime;

use std::cmp::Ordering;

use zeroize::Zeroizing;

use nat::Montgomery;

/// The public exponent, the one everyone uses (and the smallest ring takes).
const E: u64 = 65537;

/// Limbs of each prime: two 1024-bit primes make a 2048-bit modulus.
const PRIME_LIMBS: usize = 16;

/// `p` and `q` whose difference fits in this many bits could be found by
/// Fermat's method; FIPS 186-4 (B.3.1) asks for |p - q| > 2^(nbits/2 - 100).
const MIN_PRIME_DISTANCE_BITS: usize = 64 * PRIME_LIMBS - 100;

/// A new RSA-2048 private key as DER `RSAPrivateKey` (RFC 8017 A.1.2),
/// wiped from memory when dropped. Fails only when the OS random source does.
pub fn generate() -> Result<Zeroizing<Vec<u8>>, getrandom::Error> {
    let (p, q) = loop {
        let a = prime::random_prime(PRIME_LIMBS, E)?;
        let b = prime::random_prime(PRIME_LIMBS, E)?;
        let (p, q) = match nat::cmp(&a, &b) {
            Ordering::Greater => (a, b),
            _ => (b, a),
        };
        let mut distance = p.clone();
        nat::sub_assign(&mut distance, &q);
        if nat::bit_len(&distance) > MIN_PRIME_DISTANCE_BITS {
            break (p, q);
        }
    };
    let n = nat::mul(&p, &q);
    let (mut p1, mut q1) = (p.clone(), q.clone());
    nat::sub_assign(&mut p1, &[1]);
    nat::sub_assign(&mut q1, &[1]);
    // d is the inverse of e modulo φ(n) = (p-1)(q-1); it is then also one
    // modulo λ(n), which is all RFC 8017 asks of it.
    let d = inverse_of_e(&nat::mul(&p1, &q1));
    let dp = inverse_of_e(&p1);
    let dq = inverse_of_e(&q1);
    // q⁻¹ mod p by Fermat's little theorem, p being prime (and q < p).
    let mut p2 = p.clone();
    nat::sub_assign(&mut p2, &[2]);
    let q_inv = Montgomery::new(&p).pow(&q, &p2);

    let version: &[u64] = &[0];
    let fields = [version, &n, &[E], &d, &p, &q, &dp, &dq, &q_inv];
    let mut body = Vec::with_capacity(1200);
    for field in fields {
        der_integer(&mut body, field);
    }
    let mut der = Zeroizing::new(Vec::with_capacity(body.len() + 4));
    der.push(0x30); // SEQUENCE
    der_length(&mut der, body.len());
    der.extend_from_slice(&body);
    zeroize::Zeroize::zeroize(&mut body);
    Ok(der)
}

/// `e⁻¹ mod m`, for an `m` not divisible by the prime `e`: with
/// `k = -m⁻¹ mod e`, `k·m + 1` is a multiple of `e`, and `(k·m + 1) / e`
/// is below `m` and its product with `e` is 1 modulo `m`.
fn inverse_of_e(m: &[u64]) -> Vec<u64> {
    let r = nat::rem_small(m, E);
    let r_inv = Montgomery::new(&[E]).pow(&[r], &[E - 2])[0];
    let k = (E - r_inv) % E;
    let mut t = nat::mul_small(m, k);
    nat::add_small(&mut t, 1);
    let (mut d, _) = nat::div_small(&t, E);
    d.truncate(m.len());
    d
}

/// A DER INTEGER holding the non-negative `value`.
fn der_integer(out: &mut Vec<u8>, value: &[u64]) {
    let mut bytes = nat::to_be_bytes(value);
    if bytes.first().is_none_or(|&b| b & 0x80 != 0) {
        // Zero is one 0 byte; a set top bit would read as negative.
        bytes.insert(0, 0);
    }
    out.push(0x02);
    der_length(out, bytes.len());
    out.extend_from_slice(&bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
}

/// A DER length: short form below 128, else long form.
fn der_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    out.push(0x80 | (bytes.len() - first) as u8);
    out.extend_from_slice(&bytes[first..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ring::signature as sig;

    #[test]
    fn ring_accepts_the_key_and_its_signatures_verify() {
        let der = generate().unwrap();
        let pair = sig::RsaKeyPair::from_der(&der).unwrap();
        let public = sig::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
        assert_eq!(public.n.len(), 256);
        assert!(public.n[0] & 0x80 != 0, "2048 bits exactly");
        assert_eq!(public.e, vec![1, 0, 1]);

        let rng = ring::rand::SystemRandom::new();
        let message = b"header.payload";
        let mut signature = vec![0u8; pair.public().modulus_len()];
        pair.sign(&sig::RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .unwrap();
        let verify = |msg: &[u8], s: &[u8]| {
            public
                .verify(&sig::RSA_PKCS1_2048_8192_SHA256, msg, s)
                .is_ok()
        };
        assert!(verify(message, &signature));
        assert!(!verify(b"header.payloae", &signature));
        signature[10] ^= 1;
        assert!(!verify(message, &signature));
    }

    #[test]
    fn every_key_is_new() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(*a, *b);
    }

    #[test]
    fn der_lengths_and_integers() {
        let mut out = Vec::new();
        der_length(&mut out, 5);
        der_length(&mut out, 200);
        der_length(&mut out, 1190);
        assert_eq!(out, [5, 0x81, 200, 0x82, 0x04, 0xa6]);
        let mut out = Vec::new();
        der_integer(&mut out, &[0]);
        der_integer(&mut out, &[0x7f]);
        der_integer(&mut out, &[0x80]);
        der_integer(&mut out, &[65537]);
        assert_eq!(out, [2, 1, 0, 2, 1, 0x7f, 2, 2, 0, 0x80, 2, 3, 1, 0, 1]);
    }

    proptest! {
        #[test]
        fn inverse_of_e_matches_u128(m in 2u64..) {
            prop_assume!(m % E != 0);
            let d = inverse_of_e(&[m]);
            prop_assert!(d[0] < m);
            prop_assert_eq!(u128::from(d[0]) * u128::from(E) % u128::from(m), 1);
        }
    }
}
