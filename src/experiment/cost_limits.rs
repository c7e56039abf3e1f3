//! The cost half of the limit table (re-exported by `limits`): how much work a run may
//! ask for by default, and the hard ceilings a device can hold.

/// How much work a run may ask for before it needs the person's confirmation (the page)
/// or `--allow-large` (the CLI). Chosen so every preset is at least twice under each
/// (see `tests/cost_model.rs`; the MLP presets are more than 20 times under), and so that
/// one step stays tens of milliseconds natively on the CPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostLimits {
    /// FLOPs of one training step (forward, backward and optimizer).
    pub step_flops: f64,
    /// FLOPs of one evaluation (train and test sets forward, and the page's view).
    pub eval_flops: f64,
    /// Bytes held at the peak of a step or an evaluation (parameters, gradients,
    /// optimizer state, data on the device, activations).
    pub held_bytes: u64,
    /// Bytes of the largest single buffer.
    pub buffer_bytes: u64,
}

/// The default cost limits. Natively the CPU backend multiplies at about 20 to 30
/// GFLOP/s, the page's wasm CPU backend several times slower (the page's CPU has its own,
/// harder ceilings, [`PAGE_CPU_STEP_FLOPS`] and the rest); 500 MFLOP a step is then about
/// 20 ms natively, the size of a LeNet step on MNIST batches (about 180 MFLOP) with room,
/// and a 512 MiB working set fits a desktop tab (MNIST's LeNet holds about 150 MiB). An evaluation reads at most
/// `EVAL_TRAIN_ROWS` and `EVAL_TEST_ROWS` rows, so its limit bounds the model, not the data.
pub const DEFAULT_COST_LIMITS: CostLimits = CostLimits {
    step_flops: 500e6,
    eval_flops: 8e9,
    held_bytes: 512 * MIB,
    buffer_bytes: 128 * MIB,
};

/// One mebibyte.
pub const MIB: u64 = 1 << 20;
/// One gibibyte.
pub const GIB: u64 = 1 << 30;

/// Everything a wasm32 module can address: 4 GiB.
pub const WASM32_MEMORY_BYTES: u64 = 4 * GIB;

/// The most work of ONE CPU step in the page. The page trains on the main thread, so a
/// step is never split: at a few GFLOP/s of wasm a 1 GFLOP step holds the page for a
/// good part of a second; anything more is refused on the CPU backend even with the
/// person's confirmation (the GPU backend does not block the page while it works).
pub const PAGE_CPU_STEP_FLOPS: f64 = 1e9;

/// The most work of ONE evaluation on the page's CPU backend (same reason as
/// [`PAGE_CPU_STEP_FLOPS`]; an evaluation runs as one piece too).
pub const PAGE_CPU_EVAL_FLOPS: f64 = 4e9;

/// The most values ONE CPU step in the page may stream through elementwise kernels.
/// FLOPs undercount thin layers over many rows: 100,000 rows through a 2-4-2 network is
/// 15 MFLOP a step but 3.4 million values, each written, read back and freed several
/// times; measured natively at about 90 ms a step with its evaluation (`gradlab run`),
/// several times that in wasm. A million values keep a step near a frame's budget.
pub const PAGE_CPU_STEP_VALUES: u64 = 1_000_000;

/// The most values ONE evaluation in the page may stream through elementwise kernels on
/// the CPU (same reason as [`PAGE_CPU_STEP_VALUES`]; no backward, so four times more).
pub const PAGE_CPU_EVAL_VALUES: u64 = 4_000_000;

/// What the device can hold at all: over any of these a run never starts, whatever
/// the person confirms. Built by the caller from what it knows about its device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ceiling {
    /// Memory the process may use for the run (wasm32: 4 GiB; natively the caller's
    /// choice, e.g. part of the machine's memory).
    pub memory_bytes: u64,
    /// The GPU adapter's `maxBufferSize`, when the run is on a GPU.
    pub max_buffer_size: Option<u64>,
    /// The GPU adapter's `maxStorageBufferBindingSize`, when the run is on a GPU.
    pub max_storage_buffer_binding_size: Option<u64>,
    /// FLOPs of one step that must not be exceeded (the page's CPU backend).
    pub step_flops: Option<f64>,
    /// FLOPs of one evaluation that must not be exceeded (the page's CPU backend).
    pub eval_flops: Option<f64>,
    /// Values one step may stream through elementwise kernels (the page's CPU backend).
    pub step_values: Option<u64>,
    /// Values one evaluation may stream through elementwise kernels (the page's CPU
    /// backend).
    pub eval_values: Option<u64>,
}

impl Ceiling {
    /// A native process allowed `memory_bytes`, on the CPU.
    pub fn native(memory_bytes: u64) -> Ceiling {
        Ceiling {
            memory_bytes,
            max_buffer_size: None,
            max_storage_buffer_binding_size: None,
            step_flops: None,
            eval_flops: None,
            step_values: None,
            eval_values: None,
        }
    }

    /// The page on the CPU backend: wasm32's 4 GiB, and the per-step and
    /// per-evaluation work the main thread can do without freezing.
    pub fn page_cpu() -> Ceiling {
        Ceiling {
            step_flops: Some(PAGE_CPU_STEP_FLOPS),
            eval_flops: Some(PAGE_CPU_EVAL_FLOPS),
            step_values: Some(PAGE_CPU_STEP_VALUES),
            eval_values: Some(PAGE_CPU_EVAL_VALUES),
            ..Ceiling::native(WASM32_MEMORY_BYTES)
        }
    }

    /// The page on the GPU backend: wasm32's 4 GiB (the data also lives on the host) and
    /// the adapter's buffer limits, as read from `GPUAdapter.limits`.
    pub fn page_gpu(max_buffer_size: u64, max_storage_buffer_binding_size: u64) -> Ceiling {
        Ceiling::native(WASM32_MEMORY_BYTES)
            .with_gpu(max_buffer_size, max_storage_buffer_binding_size)
    }

    /// This ceiling with a GPU's buffer limits added.
    pub fn with_gpu(self, max_buffer_size: u64, max_storage_buffer_binding_size: u64) -> Ceiling {
        Ceiling {
            max_buffer_size: Some(max_buffer_size),
            max_storage_buffer_binding_size: Some(max_storage_buffer_binding_size),
            ..self
        }
    }
}
