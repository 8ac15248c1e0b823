//! Test support shared by the text-format readers' tests.

/// Damaged copies of `doc` (bytes overwritten with bytes the format
/// cares about, cut short): reading never panics and always ends.
pub(crate) fn damaged(doc: &[u8], specials: &[u8], mut read: impl FnMut(&[u8]) -> usize) {
    let mut rng = crate::test_rng::TestRng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = move || rng.next();
    for _ in 0..2000 {
        let mut d = doc.to_vec();
        for _ in 0..(next() % 6) {
            let at = (next() % d.len() as u64) as usize;
            let r = next();
            d[at] = if r % 2 == 0 {
                specials[(r / 2 % specials.len() as u64) as usize]
            } else {
                (r >> 8) as u8
            };
        }
        if next() % 3 == 0 {
            d.truncate((next() % d.len() as u64) as usize);
        }
        assert!(read(&d) < 10_000);
    }
}
