//! The only home of `cfg(target_arch = "wasm32")` splits: spawning, blocking, clocks.

/// The page's IndexedDB store of its last run (browser only).
#[cfg(target_arch = "wasm32")]
pub mod idb;

/// Milliseconds from an arbitrary origin, monotonic.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds from the page's time origin (`performance.now()`).
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Native only: drive a future to completion on this thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// Run a future in the background (the browser's event loop).
#[cfg(target_arch = "wasm32")]
pub fn spawn<F: std::future::Future<Output = ()> + 'static>(f: F) {
    wasm_bindgen_futures::spawn_local(f);
}
