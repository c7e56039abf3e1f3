//! Web only: the browser's `GPUAdapterInfo` (wgpu's adapter name is empty on the web).

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Fields of the browser's `GPUAdapterInfo` (empty strings where the browser hides them).
#[derive(Clone, Debug, Default)]
pub struct BrowserAdapterInfo {
    /// `vendor`, e.g. `google` or `nvidia`.
    pub vendor: String,
    /// `architecture`, e.g. `swiftshader` or `ampere`.
    pub architecture: String,
    /// `description`, often empty.
    pub description: String,
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn text(target: &JsValue, key: &str) -> String {
    get(target, key)
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// `navigator.gpu.requestAdapter({powerPreference: "high-performance"}).info`, or `None`
/// when the browser has no WebGPU or no adapter.
pub async fn browser_adapter_info() -> Option<BrowserAdapterInfo> {
    let navigator = get(&js_sys::global(), "navigator")?;
    let gpu = get(&navigator, "gpu")?;
    let request: Function = get(&gpu, "requestAdapter")?.dyn_into().ok()?;
    let options = Object::new();
    Reflect::set(
        &options,
        &JsValue::from_str("powerPreference"),
        &JsValue::from_str("high-performance"),
    )
    .ok()?;
    let promise: Promise = request.call1(&gpu, &options).ok()?.dyn_into().ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let info = get(&adapter, "info")?;
    Some(BrowserAdapterInfo {
        vendor: text(&info, "vendor"),
        architecture: text(&info, "architecture"),
        description: text(&info, "description"),
    })
}
