//! Finding WebGPU: the GPU backend opened on the browser's adapter (named by its
//! vendor and architecture), checked against the CPU before the page uses it.

use crate::backend::gpu::GpuBackend;
use crate::error::Error;
use crate::experiment::{preset, Runner};
use crate::Device;
use js_sys::{Promise, Reflect};
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// What the search for WebGPU found.
pub struct GpuProbe {
    /// `vendor architecture` of the browser's adapter, when there is one.
    pub adapter: Option<String>,
    /// The GPU device, or why there is none.
    pub device: Result<Device, String>,
}

/// Opens the GPU backend on the browser's WebGPU adapter and checks it against the CPU.
/// The backend's own adapter request is the only one: its adapter info (the browser's
/// vendor and architecture) names the adapter here.
pub async fn probe() -> GpuProbe {
    if !has_webgpu() {
        return GpuProbe {
            adapter: None,
            device: Err("this browser does not offer WebGPU (navigator.gpu is missing)".into()),
        };
    }
    let dev = match GpuBackend::new().await {
        Ok(g) => Device::Gpu(Rc::new(g)),
        Err(e) => {
            return GpuProbe {
                adapter: None,
                device: Err(format!("the WebGPU device could not be opened ({e})")),
            }
        }
    };
    let adapter = Some(dev.label());
    GpuProbe {
        adapter,
        device: self_test(&dev).await.map(|()| dev),
    }
}

/// Whether `navigator.gpu` exists (a property check; no adapter is requested), in a
/// page or a worker (Chromium offers WebGPU in both).
pub fn has_webgpu() -> bool {
    crate::platform::global_property("navigator")
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("gpu")).ok())
        .is_some_and(|g| !g.is_undefined() && !g.is_null())
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
        // The global timer: a window's or a worker's.
        let promise = Promise::new(&mut |resolve, _| {
            id = Some(crate::platform::set_timeout(&resolve, ms));
        });
        Timer {
            id,
            done: JsFuture::from(promise),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            crate::platform::clear_timeout(id);
        }
    }
}
