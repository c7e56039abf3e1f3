//! Finding WebGPU: the browser's adapter (vendor and architecture from its
//! `GPUAdapterInfo`, which wgpu does not expose on the web) and the GPU device.

use crate::backend::gpu::GpuBackend;
use crate::error::Error;
use crate::experiment::{preset, Runner};
use crate::Device;
use js_sys::{Function, Promise, Reflect};
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
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

/// Opens the GPU backend (wgpu on the browser's WebGPU) and checks it against the CPU.
async fn open_device() -> Result<Device, String> {
    let dev = GpuBackend::new()
        .await
        .map(|g| Device::Gpu(Rc::new(g)))
        .map_err(|e| format!("the WebGPU device could not be opened ({e})"))?;
    self_test(&dev).await?;
    Ok(dev)
}

/// Longest wait for the self-test's readback (software adapters compile slowly).
const SELF_TEST_TIMEOUT_MS: i32 = 30_000;

/// A few training steps of a small preset on `dev` and on the CPU reference: the losses
/// must agree, or the GPU is not used (a broken driver must not paint garbage).
async fn self_test(dev: &Device) -> Result<(), String> {
    let mut config = preset("circle").ok_or("the self-test preset is missing")?;
    config.samples = 40;
    let fail = |e: Error| format!("the WebGPU self-test failed ({e})");
    let mut gpu = Runner::new(config.clone(), dev.clone()).map_err(fail)?;
    let mut cpu = Runner::new(config, Device::Cpu).map_err(fail)?;
    gpu.train_steps(2).map_err(fail)?;
    cpu.train_steps(2).map_err(fail)?;
    let got = with_timeout(SELF_TEST_TIMEOUT_MS, gpu.evaluate())
        .await
        .ok_or_else(|| "the WebGPU self-test got no answer from the GPU".to_string())?
        .map_err(fail)?;
    let want = cpu.evaluate().await.map_err(fail)?;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-3 * (1.0 + b.abs());
    if close(got.train_loss, want.train_loss) && close(got.test_loss, want.test_loss) {
        Ok(())
    } else {
        Err(format!(
            "the WebGPU self-test disagreed with the CPU (loss {} vs {})",
            got.train_loss, want.train_loss
        ))
    }
}

/// `f`'s output, or `None` when `ms` milliseconds pass first.
pub async fn with_timeout<T>(ms: i32, f: impl Future<Output = T>) -> Option<T> {
    let mut f = std::pin::pin!(f);
    let mut timer = Timer::new(ms);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = f.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if std::pin::Pin::new(&mut timer.done).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

/// A `setTimeout` as a future; cleared when dropped, so finished waits leave no timers.
struct Timer {
    id: Option<i32>,
    done: JsFuture,
}

impl Timer {
    fn new(ms: i32) -> Timer {
        let mut id = None;
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                id = w
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                    .ok();
            }
        });
        Timer {
            id,
            done: JsFuture::from(promise),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    }
}
