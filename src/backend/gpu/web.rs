//! Web only: the browser's `GPUAdapterInfo` (wgpu's adapter name is empty on the web).
//!
//! The info is read from the device wgpu opened (`GPUDevice.adapterInfo`), so it names
//! the adapter that runs the kernels and the page asks the browser for an adapter once.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

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

/// `device.adapterInfo` of the browser's `GPUDevice` behind `device`: the adapter wgpu
/// requested, not a second one. Empty fields when the browser does not say (a browser
/// without `GPUDevice.adapterInfo`, or a device not on the WebGPU backend).
pub fn browser_adapter_info(device: &wgpu::Device) -> BrowserAdapterInfo {
    let Some(info) = device
        .as_webgpu()
        .and_then(|d| get(d.as_ref(), "adapterInfo"))
    else {
        return BrowserAdapterInfo::default();
    };
    BrowserAdapterInfo {
        vendor: text(&info, "vendor"),
        architecture: text(&info, "architecture"),
        description: text(&info, "description"),
    }
}
