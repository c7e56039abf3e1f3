//! `bench_web`: the browser benchmark's wasm module (bench/web/, `make bench-web`). A
//! second entry point next to the lab's, so the lab's first load carries none of it:
//! the bench page loads this module and TensorFlow.js, and times gradlab's training
//! and matmul in a tight loop exactly as it times TensorFlow.js (see [`timing`]).
//! Natively it only says where it runs; its job table is tested natively.

// Natively the job table is only read by its tests (the page reads it in wasm).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod jobs;
#[cfg(target_arch = "wasm32")]
mod timing;

/// Web entry point: nothing to mount; the bench page calls the exports in [`timing`].
#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
}

/// Native entry point: a pointer to the command that runs this module in a browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "bench_web runs in a browser: `make bench-web` builds it and runs bench/web/driver.mjs"
    );
    std::process::exit(2);
}
