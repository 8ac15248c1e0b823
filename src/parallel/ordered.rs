//! Order-preserving parallel work in windows: the results of one window are
//! handed on in input order while the next window is computed.

use rayon::prelude::*;

/// How many batches make one window: enough to keep every thread busy
/// while the slowest batch of the window finishes.
pub(crate) fn window_len() -> usize {
    rayon::current_num_threads().max(1) * 2
}

/// Hands `done` to `sink` in order while `work` runs on `next` in parallel.
/// Returns the new results, or the sink's first error.
pub(crate) fn step<I, O, E>(
    done: &mut Vec<O>,
    next: &mut [I],
    work: &(impl Fn(&mut I) -> O + Sync),
    sink: &mut (impl FnMut(O) -> Result<(), E> + Send),
) -> Result<Vec<O>, E>
where
    I: Send,
    O: Send,
    E: Send,
{
    let (sunk, results) = rayon::join(
        || done.drain(..).try_for_each(&mut *sink),
        || next.par_iter_mut().map(work).collect::<Vec<O>>(),
    );
    sunk.map(|()| results)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `work` on every item, in windows of [`window_len`] items, and
    /// feeds the results to `sink` in item order, as the callers of
    /// [`step`] do.
    fn ordered<I: Send, O: Send, E: Send>(
        items: &mut [I],
        work: impl Fn(&mut I) -> O + Sync,
        mut sink: impl FnMut(O) -> Result<(), E> + Send,
    ) -> Result<(), E> {
        let mut done = Vec::new();
        for window in items.chunks_mut(window_len()) {
            done = step(&mut done, window, &work, &mut sink)?;
        }
        done.into_iter().try_for_each(sink)
    }

    #[test]
    fn keeps_order_on_any_pool() {
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut items: Vec<u32> = (0..100).collect();
            let mut seen = Vec::new();
            pool.install(|| {
                ordered(
                    &mut items,
                    |i| *i * 2,
                    |o| {
                        seen.push(o);
                        Ok::<(), ()>(())
                    },
                )
            })
            .unwrap();
            assert_eq!(seen, (0..100).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn stops_at_the_first_sink_error() {
        let mut items: Vec<u32> = (0..100).collect();
        let mut seen = 0;
        let r = ordered(
            &mut items,
            |i| *i,
            |o| {
                seen += 1;
                if o == 5 { Err(o) } else { Ok(()) }
            },
        );
        assert_eq!(r, Err(5));
        assert_eq!(seen, 6);
    }
}
