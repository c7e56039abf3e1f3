//! Adapter and device selection, the limits actually granted, adapter info for display,
//! and the error sink that device-lost and uncaptured-error callbacks write into.
//!
//! Nothing here panics: no adapter, no device, or a lost device become `Error::Gpu`.

use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};

/// What the adapter is, for display (`gradlab bench`, the page's backend badge).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GpuAdapterInfo {
    /// Adapter name from the driver (empty on the web, where browsers hide it).
    pub name: String,
    /// Vendor: the browser's `GPUAdapterInfo.vendor` on the web, a PCI id natively.
    pub vendor: String,
    /// Architecture from the browser's `GPUAdapterInfo.architecture` (web only).
    pub architecture: String,
    /// Graphics API under wgpu (`vulkan`, `metal`, `webgpu`, ...).
    pub backend: String,
    /// Discrete, integrated, virtual, cpu or other.
    pub device_type: String,
    /// Driver name and version, when known.
    pub driver: String,
}

impl GpuAdapterInfo {
    /// One line naming the adapter: its name, else vendor and architecture.
    pub fn label(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        let parts: Vec<&str> = [self.vendor.as_str(), self.architecture.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() {
            format!("{} adapter", self.backend)
        } else {
            parts.join(" ")
        }
    }

    /// A CPU running the kernels: lavapipe, SwiftShader (Chromium's WebGPU fallback,
    /// named by the browser's `architecture` when wgpu does not mark it as a CPU), any
    /// fallback adapter. There a barrier costs more than the global loads workgroup
    /// memory saves, so the matmul picks its register kernel (see
    /// [`super::MatmulKernel::pick`]).
    pub fn is_software(&self) -> bool {
        let swiftshader = |s: &str| s.to_ascii_lowercase().contains("swiftshader");
        self.device_type == "cpu" || swiftshader(&self.architecture) || swiftshader(&self.name)
    }
}

/// The first error reported by the device (lost device, validation error), kept until
/// the backend surfaces it as `Error::Gpu`. Shared with wgpu's callbacks, hence `Arc`.
#[derive(Clone, Debug, Default)]
pub struct ErrorSink(Arc<Mutex<Option<String>>>);

impl ErrorSink {
    /// Record `msg` unless an earlier error is already held (the first cause matters).
    pub fn record(&self, msg: String) {
        if let Ok(mut slot) = self.0.lock() {
            if slot.is_none() {
                *slot = Some(msg);
            }
        }
    }

    /// The held error, if any.
    pub fn get(&self) -> Option<Error> {
        self.0.lock().ok().and_then(|s| s.clone()).map(Error::Gpu)
    }

    /// `Err` with the held error, else `Ok`.
    pub fn check(&self) -> Result<()> {
        self.get().map_or(Ok(()), Err)
    }
}

/// An open device: what every GPU call takes.
#[derive(Debug)]
pub struct GpuContext {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The limits granted to the device.
    pub limits: wgpu::Limits,
    /// The adapter, for display.
    pub info: GpuAdapterInfo,
    /// Errors from callbacks.
    pub errors: ErrorSink,
}

impl GpuContext {
    /// Pick the high-performance adapter and open a device with the adapter's own limits
    /// (larger buffers than the defaults where the hardware allows). No adapter, or a
    /// device that cannot be opened, is an `Err` with a message.
    pub async fn new() -> Result<GpuContext> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle().with_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu(format!("no GPU adapter: {e}")))?;
        let limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("gradlab"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu(format!("the GPU adapter refused a device: {e}")))?;
        let errors = ErrorSink::default();
        // Without a handler, wgpu panics on an uncaptured error natively; record it instead.
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            sink.record(format!("device error: {e}"));
        }));
        let sink = errors.clone();
        device.set_device_lost_callback(move |reason, msg| {
            sink.record(format!("device lost ({reason:?}): {msg}"));
        });
        let info = adapter_info(&adapter, &device);
        Ok(GpuContext {
            limits: device.limits(),
            device,
            queue,
            info,
            errors,
        })
    }
}

/// Natively wgpu knows the adapter's name and driver.
#[cfg(not(target_arch = "wasm32"))]
fn adapter_info(adapter: &wgpu::Adapter, _device: &wgpu::Device) -> GpuAdapterInfo {
    let i = adapter.get_info();
    GpuAdapterInfo {
        name: i.name,
        vendor: format!("{:#06x}", i.vendor),
        architecture: String::new(),
        backend: i.backend.to_string(),
        device_type: format!("{:?}", i.device_type).to_lowercase(),
        driver: [i.driver, i.driver_info]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// On the web wgpu's name is empty: read vendor and architecture from the browser's
/// `GPUAdapterInfo` of the device just opened (through js-sys, so no extra web-sys
/// features are needed, and no second adapter request).
#[cfg(target_arch = "wasm32")]
fn adapter_info(adapter: &wgpu::Adapter, device: &wgpu::Device) -> GpuAdapterInfo {
    let i = adapter.get_info();
    let browser = super::web::browser_adapter_info(device);
    GpuAdapterInfo {
        name: if i.name.is_empty() {
            browser.description.clone()
        } else {
            i.name
        },
        vendor: browser.vendor,
        architecture: browser.architecture,
        backend: i.backend.to_string(),
        device_type: format!("{:?}", i.device_type).to_lowercase(),
        driver: i.driver,
    }
}
