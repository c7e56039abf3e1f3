//! Natively, a large product's rows are split into blocks computed on separate threads.
//! Each element of `C` is still accumulated by one thread in the same order, so the
//! result does not depend on the number of threads. On wasm32 everything runs on the
//! calling thread.

use std::ops::Range;

/// Least work (multiply-adds) per thread worth a thread: below it, handing a block to a
/// helper costs more than it saves. With a thread started per product, products split
/// from 16 M multiply-adds ran the small GPT and the big MLP 1.14x and 1.11x faster on two
/// threads than from 4 M; with the kept helpers of [`super::thread_pool`], 4 M was again
/// as fast or faster (the CNN 1.06x, the others 1.02-1.05x; `gradlab bench`, 4
/// alternating rounds, 2026-12-02).
const MIN_MACS_PER_THREAD: usize = 2_000_000;

/// Threads a matmul may use: `GRADLAB_THREADS` when set to a positive number (the
/// benchmarks compare 1 and 2 threads with it), else the cores available.
pub fn max_threads() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        /// Most threads, whatever the machine has.
        const MAX_THREADS: usize = 16;
        static THREADS: OnceLock<usize> = OnceLock::new();
        *THREADS.get_or_init(|| {
            let from_env = std::env::var("GRADLAB_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&t| t > 0);
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            from_env.unwrap_or(cores).min(MAX_THREADS)
        })
    }
}

/// Cut the `m` rows of `c` (row length `n`) into at most `blocks` blocks whose starts
/// are multiples of `mr`, with their rows of `c`.
pub fn row_blocks(
    c: &mut [f32],
    m: usize,
    n: usize,
    mr: usize,
    blocks: usize,
) -> Vec<(Range<usize>, &mut [f32])> {
    let tiles = m.div_ceil(mr);
    let blocks = blocks.clamp(1, tiles.max(1));
    let mut out = Vec::with_capacity(blocks);
    let mut rest = c;
    let mut start = 0;
    for b in 0..blocks {
        let end = ((tiles * (b + 1) / blocks) * mr).min(m);
        let (head, tail) = rest.split_at_mut((end - start) * n);
        out.push((start..end, head));
        rest = tail;
        start = end;
    }
    out
}

/// Threads `units` independent pieces of `macs` multiply-adds in all deserve: as many
/// as the cores allow, each with at least [`MIN_MACS_PER_THREAD`], at most one a piece.
fn threads_for(macs: usize, units: usize) -> usize {
    max_threads().min(macs / MIN_MACS_PER_THREAD).min(units)
}

/// Run `f(rows, rows_of_c)` over row blocks of `c`, on as many threads as the work
/// (`m * n * k` multiply-adds) deserves.
pub fn for_row_blocks<F>(c: &mut [f32], m: usize, n: usize, k: usize, mr: usize, f: F)
where
    F: Fn(Range<usize>, &mut [f32]) + Sync,
{
    let threads = threads_for(m * n * k, m.div_ceil(mr));
    if threads <= 1 {
        f(0..m, c);
        return;
    }
    on_threads(row_blocks(c, m, n, mr, threads), f);
}

/// Run `f(range, part)` for every block, the first on the calling thread and the others
/// on the kept helper threads ([`super::thread_pool`]), returning when all are done.
pub fn on_threads<F>(blocks: Vec<(Range<usize>, &mut [f32])>, f: F)
where
    F: Fn(Range<usize>, &mut [f32]) + Sync,
{
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::Mutex;
        // Each block handed out once, to whichever thread runs its index.
        let cells: Vec<Mutex<Option<_>>> =
            blocks.into_iter().map(|b| Mutex::new(Some(b))).collect();
        let run = |i: usize| {
            let taken = cells[i]
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            if let Some((range, part)) = taken {
                f(range, part);
            }
        };
        super::thread_pool::run_blocks(cells.len(), max_threads().saturating_sub(1), &run);
    }
    #[cfg(target_arch = "wasm32")]
    for (range, part) in blocks {
        f(range, part);
    }
}

/// Threads to split a batch of `batch` products (`m x k` by `k x n`) over by whole
/// products: 1 when each product's rows split by themselves ([`for_row_blocks`]) or
/// when the whole batch is too little work for a second thread.
pub fn batch_threads(batch: usize, m: usize, n: usize, k: usize, mr: usize) -> usize {
    let one = m * n * k;
    if batch <= 1 || threads_for(one, m.div_ceil(mr)) > 1 {
        return 1;
    }
    threads_for(batch * one, batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_blocks_cover_every_row_once_on_tile_boundaries() {
        for (m, mr, blocks) in [(1, 4, 3), (10, 4, 2), (64, 8, 3), (7, 8, 4), (100, 6, 16)] {
            let n = 3;
            let mut c = vec![0.0f32; m * n];
            let got = row_blocks(&mut c, m, n, mr, blocks);
            let mut next = 0;
            for (rows, part) in &got {
                assert_eq!(rows.start, next);
                assert!(
                    rows.start % mr == 0,
                    "block start {} not on a tile",
                    rows.start
                );
                assert_eq!(part.len(), rows.len() * n);
                next = rows.end;
            }
            assert_eq!(next, m);
            assert!(got.len() <= blocks);
        }
    }
}
