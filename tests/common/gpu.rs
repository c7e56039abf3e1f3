//! The GPU test device. Every GPU test gets its device from [`gpu_device`]: without an
//! adapter it prints a loud `SKIPPED` line and returns `None`, unless the environment
//! sets `GRADLAB_REQUIRE_GPU=1` (CI does), in which case it fails the test instead.

use gradlab::Device;
use std::cell::OnceCell;
use std::mem::ManuallyDrop;

thread_local! {
    // One device per test thread: `Device` is `Rc`-based (wgpu is !Send on the web) and
    // opening a device costs tens of milliseconds. It is never dropped: wgpu-core's
    // debug lock tracing uses a thread-local of its own, which is already gone when
    // thread-local destructors run, so dropping a device there aborts the test binary.
    static GPU: OnceCell<ManuallyDrop<Option<Device>>> = const { OnceCell::new() };
}

/// Whether the environment demands a GPU (`GRADLAB_REQUIRE_GPU=1`).
pub fn gpu_required() -> bool {
    std::env::var("GRADLAB_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// The GPU device, or `None` (with a loud message) when no adapter exists. Panics when
/// `GRADLAB_REQUIRE_GPU=1` and there is no adapter.
pub fn gpu_device() -> Option<Device> {
    GPU.with(|cell| {
        let device = cell.get_or_init(|| {
            ManuallyDrop::new(match Device::gpu() {
                Ok(d) => Some(d),
                Err(e) => {
                    assert!(
                        !gpu_required(),
                        "GRADLAB_REQUIRE_GPU=1 but no GPU device could be opened: {e}"
                    );
                    // Straight to the stderr handle: libtest captures `eprintln!` of
                    // passing tests, and this notice must be seen.
                    let _ = std::io::Write::write_all(
                        &mut std::io::stderr(),
                        format!(
                            "\n==========================================================\n\
                         SKIPPED: no GPU adapter ({e}).\n\
                         GPU tests did not run. Install mesa-vulkan-drivers (lavapipe)\n\
                         or set GRADLAB_REQUIRE_GPU=1 to make this a failure.\n\
                         ==========================================================\n"
                        )
                        .as_bytes(),
                    );
                    None
                }
            })
        });
        Option::clone(device)
    })
}

// ----- parity-only cases -----

use super::case::{Case, Domain, Input, Tol};
use super::check::check_parity_within;
use gradlab::rng::Rng;
use gradlab::Tensor;
use std::rc::Rc;

pub use super::case::constant as cst;
pub use super::case::diff as var;
pub use super::check::worst_error;
pub use super::read as values;

/// A [`Case`] without an f64 reference, for GPU parity only (the large matmul sizes of
/// `gpu_matmul.rs`, where finite differences would cost too much). The op table's
/// cases are plain [`Case`]s; this only keeps the parity-only constructor.
pub struct PCase(pub Case);

impl PCase {
    /// A parity-only case; inputs made with [`var`] have their gradients compared.
    pub fn new(
        name: impl Into<String>,
        inputs: Vec<Input>,
        run: impl Fn(&[Tensor]) -> Tensor + 'static,
    ) -> PCase {
        PCase(Case {
            name: name.into(),
            inputs,
            run: Rc::new(run),
            reference: None,
            tol: Tol::ELEMENTWISE,
            magnitude: None,
            domain: Domain::Edges,
        })
    }

    /// The same case whose forward error is taken relative to `magnitude(|inputs|)`.
    pub fn accumulating(self, magnitude: impl Fn(&[Tensor]) -> Tensor + 'static) -> PCase {
        PCase(Case {
            magnitude: Some(Rc::new(magnitude)),
            ..self.0
        })
    }
}

/// Run `case` on the CPU and on `gpu` with explicit tolerances (forward, gradient); see
/// [`super::check::check_gpu_parity`] for what is compared. Returns the worst errors.
pub fn check_parity(
    gpu: &Device,
    case: &PCase,
    tol: f64,
    grad_tol: f64,
    rng: &mut Rng,
) -> Result<(f64, f64), String> {
    check_parity_within(gpu, &case.0, tol, grad_tol, rng)
}
