//! Finding WebGPU: the browser's adapter (vendor and architecture from its
//! `GPUAdapterInfo`, which wgpu does not expose on the web) and the GPU device.

use crate::Device;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the search for WebGPU found.
pub struct GpuProbe {
    /// `vendor architecture` of the browser's adapter, when there is one.
    pub adapter: Option<String>,
    /// The GPU device, or why there is none.
    pub device: Result<Device, String>,
}

/// Looks for a WebGPU adapter and opens the GPU backend on it.
pub async fn probe() -> GpuProbe {
    match adapter_label().await {
        Ok(label) => GpuProbe {
            adapter: Some(label),
            device: open_device().await,
        },
        Err(why) => GpuProbe {
            adapter: None,
            device: Err(why),
        },
    }
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(key)).map_err(|e| format!("reading {key}: {e:?}"))
}

/// `navigator.gpu.requestAdapter()`, then the adapter's `info.vendor` and
/// `info.architecture`.
async fn adapter_label() -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let gpu = get(&window.navigator(), "gpu")?;
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser does not offer WebGPU (navigator.gpu is missing)".into());
    }
    let request: Function = get(&gpu, "requestAdapter")?
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|e| format!("requestAdapter failed: {e:?}"))?
        .dyn_into()
        .map_err(|_| "requestAdapter did not return a promise".to_string())?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU is present but found no adapter".into());
    }
    let info = get(&adapter, "info")?;
    let field = |k| {
        get(&info, k)
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let parts: Vec<String> = [field("vendor"), field("architecture")]
        .into_iter()
        .flatten()
        .collect();
    Ok(if parts.is_empty() {
        "unknown adapter".to_string()
    } else {
        parts.join(" ")
    })
}

/// Opens the GPU backend.
async fn open_device() -> Result<Device, String> {
    Err("the WebGPU backend is not part of this build yet".into())
}
