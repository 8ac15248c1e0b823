//! A small deterministic generator (xorshift64) for the unit tests that
//! mutate or generate bytes, so that every run tries the same cases.

/// Xorshift64: `next` gives the next 64-bit value of the sequence.
pub(crate) struct TestRng(u64);

impl TestRng {
    /// A generator starting from `seed` (not zero).
    pub(crate) fn new(seed: u64) -> TestRng {
        TestRng(seed)
    }

    /// The next value.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next value below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
