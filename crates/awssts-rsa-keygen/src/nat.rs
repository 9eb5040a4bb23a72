//! Natural numbers as little-endian `u64` limbs, with just the operations
//! RSA key generation needs: comparison, subtraction, schoolbook products,
//! division by one limb, and Montgomery multiplication for modular powers.
//!
//! Nothing here is constant-time. The numbers are the emulator's own test
//! signing key, made once per process from the OS random source; timing
//! would leak nothing a test could not read from the JWKS anyway.

use std::cmp::Ordering;

/// `a` compared with `b`; missing high limbs count as zero.
pub(super) fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    Ordering::Equal
}

/// `a -= b` (with `b` no longer than `a`); returns the borrow out of the
/// top limb, true when `b > a`.
pub(super) fn sub_assign(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *x = d;
        borrow = b1 || b2;
    }
    borrow
}

/// `a += x`; returns the carry out of the top limb.
pub(super) fn add_small(a: &mut [u64], x: u64) -> bool {
    let mut carry = x;
    for limb in a.iter_mut() {
        if carry == 0 {
            return false;
        }
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = u64::from(c);
    }
    carry != 0
}

/// `a * b`, `a.len() + b.len()` limbs long.
pub(super) fn mul(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &y) in b.iter().enumerate() {
            let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
    out
}

/// `a * x`, one limb longer than `a`.
pub(super) fn mul_small(a: &[u64], x: u64) -> Vec<u64> {
    mul(a, &[x])
}

/// `a / d` and `a % d`, for a non-zero `d`.
pub(super) fn div_small(a: &[u64], d: u64) -> (Vec<u64>, u64) {
    let mut quotient = vec![0u64; a.len()];
    let mut rem = 0u128;
    for i in (0..a.len()).rev() {
        let t = (rem << 64) | u128::from(a[i]);
        quotient[i] = (t / u128::from(d)) as u64;
        rem = t % u128::from(d);
    }
    (quotient, rem as u64)
}

/// `a % d`, for a non-zero `d`.
pub(super) fn rem_small(a: &[u64], d: u64) -> u64 {
    div_small(a, d).1
}

/// The number of significant bits (0 for zero).
pub(super) fn bit_len(a: &[u64]) -> usize {
    match a.iter().rposition(|&x| x != 0) {
        Some(i) => 64 * i + 64 - a[i].leading_zeros() as usize,
        None => 0,
    }
}

/// Bit `i` (0 = least significant).
pub(super) fn bit(a: &[u64], i: usize) -> bool {
    a.get(i / 64).is_some_and(|x| (x >> (i % 64)) & 1 == 1)
}

/// `a >> k`, same length as `a`.
pub(super) fn shr(a: &[u64], k: usize) -> Vec<u64> {
    let (limbs, bits) = (k / 64, k % 64);
    (0..a.len())
        .map(|i| {
            let lo = a.get(i + limbs).copied().unwrap_or(0);
            let hi = a.get(i + limbs + 1).copied().unwrap_or(0);
            if bits == 0 {
                lo
            } else {
                (lo >> bits) | (hi << (64 - bits))
            }
        })
        .collect()
}

/// Big-endian bytes without leading zeros (empty for zero).
pub(super) fn to_be_bytes(a: &[u64]) -> Vec<u8> {
    let bytes: Vec<u8> = a.iter().rev().flat_map(|x| x.to_be_bytes()).collect();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

/// Arithmetic modulo an odd `m` in Montgomery form (`x·R mod m`, with
/// `R = 2^(64·limbs)`), where a product needs no division.
pub(super) struct Montgomery {
    m: Vec<u64>,
    /// `-m⁻¹ mod 2^64`.
    m_inv: u64,
    /// `R² mod m`, to bring numbers into Montgomery form.
    r2: Vec<u64>,
}

impl Montgomery {
    /// For an odd modulus `m > 1` whose top limb is not zero.
    pub(super) fn new(m: &[u64]) -> Montgomery {
        // Newton's iteration for the inverse mod 2^64: each step doubles the
        // number of correct low bits, from 1 (every odd number is its own
        // inverse mod 2) to 64 after six steps.
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        // R² mod m by doubling 1 modulo m, 2·64·limbs times.
        let mut r2 = vec![0u64; m.len()];
        r2[0] = 1;
        for _ in 0..128 * m.len() {
            let carry = r2.last().is_some_and(|top| top >> 63 == 1);
            let mut prev = 0;
            for limb in r2.iter_mut() {
                let next = *limb >> 63;
                *limb = (*limb << 1) | prev;
                prev = next;
            }
            if carry || cmp(&r2, m) != Ordering::Less {
                sub_assign(&mut r2, m);
            }
        }
        Montgomery {
            m: m.to_vec(),
            m_inv: inv.wrapping_neg(),
            r2,
        }
    }

    /// `a·b·R⁻¹ mod m`, for `a, b < m` with `a` as long as `m` (CIOS:
    /// multiply and reduce one limb of `b` at a time).
    pub(super) fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let n = self.m.len();
        let mut t = vec![0u64; n + 2];
        for i in 0..n {
            let y = b.get(i).copied().unwrap_or(0);
            let mut carry = 0u128;
            for j in 0..n {
                let s = u128::from(a[j]) * u128::from(y) + u128::from(t[j]) + carry;
                t[j] = s as u64;
                carry = s >> 64;
            }
            let s = u128::from(t[n]) + carry;
            t[n] = s as u64;
            t[n + 1] = (s >> 64) as u64;

            // Adding q·m makes the lowest limb zero; dropping it divides by 2^64.
            let q = t[0].wrapping_mul(self.m_inv);
            let mut carry = (u128::from(q) * u128::from(self.m[0]) + u128::from(t[0])) >> 64;
            for j in 1..n {
                let s = u128::from(q) * u128::from(self.m[j]) + u128::from(t[j]) + carry;
                t[j - 1] = s as u64;
                carry = s >> 64;
            }
            let s = u128::from(t[n]) + carry;
            t[n - 1] = s as u64;
            t[n] = t[n + 1] + (s >> 64) as u64;
        }
        // t < 2m here; one subtraction brings it below m.
        if t[n] != 0 || cmp(&t[..n], &self.m) != Ordering::Less {
            sub_assign(&mut t[..=n], &self.m);
        }
        t.truncate(n);
        t
    }

    /// `a` (below `m`) in Montgomery form.
    pub(super) fn enter(&self, a: &[u64]) -> Vec<u64> {
        let mut padded = a.to_vec();
        padded.resize(self.m.len(), 0);
        self.mul(&padded, &self.r2)
    }

    /// `a` back from Montgomery form.
    pub(super) fn leave(&self, a: &[u64]) -> Vec<u64> {
        let mut one = vec![0u64; self.m.len()];
        one[0] = 1;
        self.mul(a, &one)
    }

    /// `R mod m`: one in Montgomery form.
    pub(super) fn one(&self) -> Vec<u64> {
        self.enter(&[1])
    }

    /// `base^exp` with base and result in Montgomery form (left-to-right
    /// square and multiply).
    pub(super) fn pow_mont(&self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        let mut acc = self.one();
        for i in (0..bit_len(exp)).rev() {
            acc = self.mul(&acc, &acc);
            if bit(exp, i) {
                acc = self.mul(&acc, base);
            }
        }
        acc
    }

    /// `base^exp mod m`, for `base < m`.
    pub(super) fn pow(&self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        self.leave(&self.pow_mont(&self.enter(base), exp))
    }

    /// The modulus.
    pub(super) fn modulus(&self) -> &[u64] {
        &self.m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_u128(a: &[u64]) -> u128 {
        assert!(a.iter().skip(2).all(|&x| x == 0), "{a:?} exceeds u128");
        let lo = a.first().copied().unwrap_or(0);
        let hi = a.get(1).copied().unwrap_or(0);
        (u128::from(hi) << 64) | u128::from(lo)
    }

    fn limbs(x: u128) -> Vec<u64> {
        vec![x as u64, (x >> 64) as u64]
    }

    fn pow_mod_u128(mut base: u128, mut exp: u128, m: u128) -> u128 {
        // m < 2^64, so every product fits in u128.
        let mut acc = 1 % m;
        base %= m;
        while exp > 0 {
            if exp & 1 == 1 {
                acc = acc * base % m;
            }
            base = base * base % m;
            exp >>= 1;
        }
        acc
    }

    #[test]
    fn shifts_bits_and_bytes() {
        let a = [0x8000_0000_0000_0001u64, 0x3];
        assert_eq!(bit_len(&a), 66);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert!(bit(&a, 0) && bit(&a, 63) && bit(&a, 64) && !bit(&a, 66) && !bit(&a, 500));
        assert_eq!(shr(&a, 63), vec![0x7, 0]);
        assert_eq!(shr(&a, 64), vec![0x3, 0]);
        assert_eq!(to_be_bytes(&a), vec![3, 0x80, 0, 0, 0, 0, 0, 0, 1]);
        assert!(to_be_bytes(&[0, 0]).is_empty());
    }

    #[test]
    fn montgomery_with_a_two_limb_modulus() {
        // 2^127 - 1 is prime: Fermat's little theorem gives a^(m-1) = 1.
        let m = limbs(u128::MAX >> 1);
        let mont = Montgomery::new(&m);
        let exp = limbs((u128::MAX >> 1) - 1);
        for a in [2u128, 3, 0xdead_beef_u128 << 70] {
            assert_eq!(mont.pow(&limbs(a), &exp), vec![1, 0], "{a}");
        }
        assert_eq!(to_u128(&mont.leave(&mont.one())), 1);
    }

    proptest! {
        #[test]
        fn products_match_u128(a in any::<u64>(), b in any::<u64>()) {
            prop_assert_eq!(to_u128(&mul(&[a], &[b])), u128::from(a) * u128::from(b));
        }

        #[test]
        fn division_by_a_limb_inverts_the_product(
            a in proptest::collection::vec(any::<u64>(), 1..20),
            d in 1u64..,
            r in any::<u64>(),
        ) {
            let r = r % d;
            let mut n = mul_small(&a, d);
            prop_assert!(!add_small(&mut n, r));
            let (q, rem) = div_small(&n, d);
            prop_assert_eq!(rem, r);
            prop_assert_eq!(cmp(&q, &a), Ordering::Equal);
            prop_assert_eq!(rem_small(&n, d), r);
        }

        #[test]
        fn subtraction_undoes_addition(
            a in proptest::collection::vec(any::<u64>(), 1..10),
            x in any::<u64>(),
        ) {
            let mut b = a.clone();
            b.push(0);
            prop_assert!(!add_small(&mut b, x));
            prop_assert_eq!(cmp(&b, &a), if x == 0 { Ordering::Equal } else { Ordering::Greater });
            let mut back = b.clone();
            prop_assert!(!sub_assign(&mut back, &[x]));
            prop_assert_eq!(cmp(&back, &a), Ordering::Equal);
            // Subtracting the larger one borrows.
            let mut under = a.clone();
            under.push(0);
            prop_assert_eq!(sub_assign(&mut under, &b), x != 0);
        }

        #[test]
        fn two_limb_values_round_trip(x in any::<u128>(), k in 0usize..128) {
            let a = limbs(x);
            prop_assert_eq!(to_u128(&a), x);
            prop_assert_eq!(to_u128(&shr(&a, k)), x >> k);
            prop_assert_eq!(bit_len(&a), 128 - x.leading_zeros() as usize);
            let bytes = to_be_bytes(&a);
            let mut full = [0u8; 16];
            full[16 - bytes.len()..].copy_from_slice(&bytes);
            prop_assert_eq!(u128::from_be_bytes(full), x);
        }

        #[test]
        fn montgomery_products_match_u128(m in any::<u64>(), a in any::<u64>(), b in any::<u64>()) {
            let m = (m | 1).max(3);
            let (a, b) = (a % m, b % m);
            let mont = Montgomery::new(&[m]);
            let product = mont.leave(&mont.mul(&mont.enter(&[a]), &mont.enter(&[b])));
            prop_assert_eq!(u128::from(product[0]), u128::from(a) * u128::from(b) % u128::from(m));
        }

        #[test]
        fn powers_match_u128(m in any::<u64>(), base in any::<u64>(), exp in any::<u128>()) {
            let m = (m | 1).max(3);
            let mont = Montgomery::new(&[m]);
            let got = mont.pow(&[base % m], &limbs(exp));
            prop_assert_eq!(
                u128::from(got[0]),
                pow_mod_u128(u128::from(base), exp, u128::from(m))
            );
        }
    }
}
