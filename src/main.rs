//! The gradlab binary: in the browser it mounts the playground page; natively it is
//! the command line.

/// Web entry point: mount the page (everything else lives in `gradlab::ui`). The same
/// module also starts in the training worker (`www/train_worker.js`), where there is
/// no window and nothing is mounted: the worker calls [`worker_main`].
#[cfg(target_arch = "wasm32")]
fn main() {
    if gradlab::platform::in_window() {
        gradlab::ui::mount();
    }
}

/// The training worker's entry point (see `gradlab::ui::worker`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn worker_main() {
    gradlab::ui::worker::worker_main();
}

/// Native entry point: the command line (`gradlab::cli`), exiting with its code.
#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    gradlab::cli::main()
}

/// Natively, mimalloc instead of the C library's allocator. A training step frees and
/// allocates the same tensor sizes every step; glibc's malloc handed large ones back to
/// the system and faulted fresh pages in each time (page faults were most of the
/// difference: 5,584 for the `matmul-256` benchmark against 169 with mimalloc). Measured
/// with `gradlab bench` (alternating rounds, 2026-12-02): matmul n = 256 1.30x on one
/// thread, the big MLP 1.12x, and on two threads the big MLP 1.23x over glibc.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
