//! The seeded random numbers of the runtime (shuffles, splits, weight initialisation).
//!
//! "Same seed, same run" must hold across versions of this crate's dependencies, so every
//! step is fixed here: the generator is ChaCha8 (a named algorithm whose output stream is set
//! by its specification) keyed by the seed's 8 little-endian bytes followed by zeros; a float
//! in [0, 1) is the top 53 bits of one `u64` output times 2^-53; a shuffle is Fisher-Yates
//! from the last element down, drawing index `j <= i` by Lemire's multiply-shift with
//! rejection (unbiased).

use chacha20::rand_core::{Rng as _, SeedableRng};
use chacha20::ChaCha8Rng;

/// A seeded generator with the runtime's fixed derivations (see the module docs).
#[derive(Debug)]
pub(crate) struct Rng(ChaCha8Rng);

impl Clone for Rng {
    /// The same generator at the same position: both continue with the same stream.
    fn clone(&self) -> Self {
        Rng(ChaCha8Rng::deserialize_state(&self.0.serialize_state()))
    }
}

impl Rng {
    /// The generator for `seed`.
    pub(crate) fn seeded(seed: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        Rng(ChaCha8Rng::from_seed(key))
    }

    /// A uniform float in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n`, for `n >= 1`.
    fn below(&mut self, n: u64) -> u64 {
        // Lemire, "Fast Random Integer Generation in an Interval" (2019)
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.0.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// Shuffles `items` in place: every order is equally likely.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_other_seed_other_stream() {
        let draw = |seed| {
            let mut rng = Rng::seeded(seed);
            (0..8).map(|_| rng.unit()).collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
        assert!(draw(3).iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn the_stream_is_chacha8_keyed_by_the_seed() {
        // ChaCha8 with a zero key and zero nonce, block 0, read as little-endian u64s: the
        // key stream of the ChaCha8 test vector (Bernstein's reference implementation).
        let mut rng = Rng::seeded(0);
        let first = rng.0.next_u64().to_le_bytes();
        assert_eq!(first, [0x3e, 0x00, 0xef, 0x2f, 0x89, 0x5f, 0x40, 0xd6]);
    }

    #[test]
    fn shuffles_are_permutations_and_uniform_enough() {
        let mut rng = Rng::seeded(9);
        // every position of 4 items gets each item about a quarter of the time
        let mut counts = [[0usize; 4]; 4];
        for _ in 0..4000 {
            let mut items = [0, 1, 2, 3];
            rng.shuffle(&mut items);
            let mut sorted = items;
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
            for (pos, &item) in items.iter().enumerate() {
                counts[pos][item] += 1;
            }
        }
        for row in counts {
            for c in row {
                assert!((800..1200).contains(&c), "{counts:?}");
            }
        }
        let mut empty: [u8; 0] = [];
        rng.shuffle(&mut empty);
    }

    #[test]
    fn a_clone_continues_the_same_stream() {
        let mut a = Rng::seeded(5);
        a.unit();
        let mut b = a.clone();
        assert_eq!(a.unit(), b.unit());
    }

    #[test]
    fn below_stays_below() {
        let mut rng = Rng::seeded(1);
        for n in [1, 2, 3, 7, 1000, u64::MAX] {
            for _ in 0..100 {
                assert!(rng.below(n) < n);
            }
        }
    }
}
