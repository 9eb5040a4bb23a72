//! Random probable primes: odd candidates from the OS random source, sieved
//! by the small odd primes, then Miller–Rabin with random bases.

use std::cmp::Ordering;

use super::nat::{self, Montgomery};

/// Candidates with a factor below this are dropped before Miller–Rabin;
/// the ~300 odd primes below it rule out about 85% of odd candidates.
const SIEVE_LIMIT: usize = 2048;

/// Miller–Rabin rounds for a sieved random 1024-bit candidate. A composite
/// passes one round with probability at most 1/4, and far less for random
/// candidates of this size: FIPS 186-4 (appendix C.3) asks for 4 rounds at
/// 1024 bits to keep the error below 2^-100; one more is cheap.
const ROUNDS: usize = 5;

/// How far past a random start the search walks before it starts over; a
/// 1024-bit prime is found within about 700 on average.
const SEARCH_SPAN: u64 = 1 << 16;

/// The odd primes below [`SIEVE_LIMIT`] (sieve of Eratosthenes).
fn small_primes() -> Vec<u64> {
    let mut composite = vec![false; SIEVE_LIMIT];
    let mut primes = Vec::new();
    for i in 3..SIEVE_LIMIT {
        if i % 2 == 1 && !composite[i] {
            primes.push(i as u64);
            for multiple in (i * i..SIEVE_LIMIT).step_by(2 * i) {
                composite[multiple] = true;
            }
        }
    }
    primes
}

/// `limbs` random limbs from the OS.
fn random_limbs(limbs: usize) -> Result<Vec<u64>, getrandom::Error> {
    let mut bytes = vec![0u8; limbs * 8];
    getrandom::fill(&mut bytes)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect())
}

/// A random probable prime of exactly `64 * limbs` bits whose top two bits
/// are set (so the product of two such primes has exactly twice as many
/// bits), and which is not 1 modulo `e` (so `p - 1` is coprime with the
/// prime public exponent `e`).
pub(super) fn random_prime(limbs: usize, e: u64) -> Result<Vec<u64>, getrandom::Error> {
    let primes = small_primes();
    loop {
        let mut start = random_limbs(limbs)?;
        start[0] |= 1;
        if let Some(top) = start.last_mut() {
            *top |= 0b11 << 62;
        }
        // Residues of the start; those of start + delta follow without
        // touching the big number again.
        let residues: Vec<u64> = primes.iter().map(|&p| nat::rem_small(&start, p)).collect();
        let residue_e = nat::rem_small(&start, e);
        for delta in (0..SEARCH_SPAN).step_by(2) {
            let sieved = primes
                .iter()
                .zip(&residues)
                .all(|(&p, &r)| (r + delta) % p != 0);
            if !sieved || (residue_e + delta) % e == 1 {
                continue;
            }
            let mut candidate = start.clone();
            if nat::add_small(&mut candidate, delta) {
                break; // walked past the top bit: start over
            }
            if is_probable_prime(&candidate, ROUNDS)? {
                return Ok(candidate);
            }
        }
    }
}

/// Miller–Rabin with `rounds` random bases: false means composite for
/// certain, true means prime with error at most 4^-rounds.
pub(super) fn is_probable_prime(n: &[u64], rounds: usize) -> Result<bool, getrandom::Error> {
    match nat::cmp(n, &[3]) {
        Ordering::Less => return Ok(nat::cmp(n, &[2]) == Ordering::Equal),
        Ordering::Equal => return Ok(true),
        Ordering::Greater if !nat::bit(n, 0) => return Ok(false),
        Ordering::Greater => {}
    }
    let limbs = n.iter().rposition(|&x| x != 0).map_or(1, |i| i + 1);
    let n = &n[..limbs];
    // n - 1 = 2^s · d with d odd.
    let mut n_minus_1 = n.to_vec();
    nat::sub_assign(&mut n_minus_1, &[1]);
    let s = (0..).find(|&i| nat::bit(&n_minus_1, i)).unwrap_or(0);
    let d = nat::shr(&n_minus_1, s);

    let mont = Montgomery::new(n);
    let one = mont.one();
    let mut minus_one = mont.modulus().to_vec();
    nat::sub_assign(&mut minus_one, &one);
    for _ in 0..rounds {
        let base = random_base(n)?;
        let mut x = mont.pow_mont(&mont.enter(&base), &d);
        if x == one || x == minus_one {
            continue;
        }
        let mut witness = true;
        for _ in 1..s {
            x = mont.mul(&x, &x);
            if x == minus_one {
                witness = false;
                break;
            }
        }
        if witness {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A uniformly random base in `[2, n - 2]`, for an odd `n >= 5`.
fn random_base(n: &[u64]) -> Result<Vec<u64>, getrandom::Error> {
    let top_bits = nat::bit_len(n) - 64 * (n.len() - 1);
    let mut upper = n.to_vec();
    nat::sub_assign(&mut upper, &[2]);
    loop {
        let mut base = random_limbs(n.len())?;
        if let Some(top) = base.last_mut() {
            *top &= u64::MAX >> (64 - top_bits);
        }
        if nat::cmp(&base, &[2]) != Ordering::Less && nat::cmp(&base, &upper) != Ordering::Greater {
            return Ok(base);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trial_division(n: u64) -> bool {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    }

    /// 2^bits - 1 as limbs.
    fn mersenne(bits: usize) -> Vec<u64> {
        let mut m = vec![u64::MAX; bits.div_ceil(64)];
        if let Some(top) = m.last_mut().filter(|_| !bits.is_multiple_of(64)) {
            *top >>= 64 - bits % 64;
        }
        m
    }

    /// With 64 rounds a composite passes with probability below 4^-64, so
    /// these tests cannot fail by chance; a prime passes any number of rounds.
    fn prime(n: &[u64]) -> bool {
        is_probable_prime(n, 64).unwrap()
    }

    #[test]
    fn small_numbers_agree_with_trial_division() {
        for n in 0..5000u64 {
            assert_eq!(prime(&[n]), trial_division(n), "{n}");
        }
    }

    #[test]
    fn the_sieve_lists_the_odd_primes() {
        let primes = small_primes();
        let expected: Vec<u64> = (3..SIEVE_LIMIT as u64)
            .filter(|&n| trial_division(n))
            .collect();
        assert_eq!(primes, expected);
    }

    #[test]
    fn pseudoprimes_are_caught() {
        // Carmichael numbers (Fermat liars for every coprime base), strong
        // pseudoprimes to base 2, and one strong to bases 2, 3, 5 and 7.
        for n in [
            561u64, 1105, 1729, 2465, 2821, 6601, 8911, 2047, 3277, 4033, 4681, 8321, 3215031751,
        ] {
            assert!(!prime(&[n]), "{n}");
        }
    }

    #[test]
    fn mersenne_numbers() {
        for bits in [61, 89, 107, 127, 521, 607, 1279] {
            assert!(
                is_probable_prime(&mersenne(bits), 2).unwrap(),
                "2^{bits}-1 is prime"
            );
        }
        // 2^67-1 = 193707721 · 761838257287; 2^1277-1 has no known factor
        // but fails the Lucas–Lehmer test.
        for bits in [67, 1277] {
            assert!(!prime(&mersenne(bits)), "2^{bits}-1 is composite");
        }
        let product = nat::mul(&mersenne(127), &mersenne(521));
        assert!(!prime(&product));
    }

    #[test]
    fn random_primes_have_the_asked_shape() {
        const E: u64 = 65537;
        let p = random_prime(16, E).unwrap();
        assert_eq!(p.len(), 16);
        assert_eq!(nat::bit_len(&p), 1024);
        assert!(nat::bit(&p, 1022));
        assert_ne!(nat::rem_small(&p, E), 1);
        assert!(small_primes().iter().all(|&s| nat::rem_small(&p, s) != 0));
        assert!(is_probable_prime(&p, 2).unwrap());
        assert_ne!(p, random_prime(16, E).unwrap());
    }

    proptest! {
        #[test]
        fn random_u32_agree_with_trial_division(n in any::<u32>()) {
            prop_assert_eq!(prime(&[u64::from(n)]), trial_division(u64::from(n)));
        }

        #[test]
        fn products_of_two_primes_are_composite(a in 2u64..100_000, b in 2u64..100_000) {
            let (a, b) = ((a..).find(|&x| trial_division(x)).unwrap(), (b..).find(|&x| trial_division(x)).unwrap());
            prop_assert!(!prime(&nat::mul(&[a], &[b])));
        }

        #[test]
        fn bases_are_in_range(n in 5u64.., ) {
            let n = n | 1;
            let base = random_base(&[n]).unwrap();
            prop_assert!((2..=n - 2).contains(&base[0]));
        }
    }
}
