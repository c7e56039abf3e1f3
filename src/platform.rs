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

/// Milliseconds from the time origin of this page or worker (`performance.now()`).
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    thread_local! {
        // Looked up once: the global scope's `performance` (a window's or a worker's).
        static PERFORMANCE: Option<web_sys::Performance> = global_property("performance")
            .and_then(|p| wasm_bindgen::JsCast::dyn_into(p).ok());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, web_sys::Performance::now))
}

/// Property `name` of the global scope (a window or a worker), when it is set.
#[cfg(target_arch = "wasm32")]
pub fn global_property(name: &str) -> Option<wasm_bindgen::JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &wasm_bindgen::JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// True when this code runs in a page (a `Window`), false in a worker.
#[cfg(target_arch = "wasm32")]
pub fn in_window() -> bool {
    web_sys::window().is_some()
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (a window's or a worker's).
    #[wasm_bindgen(js_name = setTimeout)]
    fn global_set_timeout(handler: &js_sys::Function, ms: i32) -> i32;
    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    fn global_clear_timeout(id: i32);
}

/// Calls `handler` after `ms` milliseconds, in a page or a worker; the timer's id.
#[cfg(target_arch = "wasm32")]
pub fn set_timeout(handler: &js_sys::Function, ms: i32) -> i32 {
    global_set_timeout(handler, ms)
}

/// Cancels the timer `id` of [`set_timeout`].
#[cfg(target_arch = "wasm32")]
pub fn clear_timeout(id: i32) {
    global_clear_timeout(id);
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
