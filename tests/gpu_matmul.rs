//! Every matmul kernel (the plain reference, the tiled one, the register-blocked one for
//! software adapters) against the CPU backend,
//! forward and backward, over sizes that cross tile boundaries (1 x 1, 17 x 33 x 65,
//! 256 x 512 x 128), batched products, every transpose variant, shapes with and without
//! vec4-aligned rows, and a batch so large that the workgroups need a 2-D grid.

mod common;

use common::gpu::{check_parity, gpu_device, var, PCase};
use common::uniform;
use gradlab::backend::gpu::{GpuAdapterInfo, MatmulKernel};
use gradlab::backend::MatmulDims;
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Forward error relative to `max(1, (|A| @ |B|)[i])`, which bounds the rounding of any
/// summation order (the kernels add in the CPU's order but may fuse multiply-adds).
const TOL: f64 = 1e-5;
/// Gradients (matmuls of the output gradient), relative to their max norm.
const TOL_GRAD: f64 = 5e-5;

const TRANSPOSES: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

/// `op(A) @ op(B)` of `batch` products of `m x k` by `k x n` (batch 0: rank-2 operands).
fn case(
    rng: &mut Rng,
    batch: usize,
    (m, k, n): (usize, usize, usize),
    (ta, tb): (bool, bool),
) -> PCase {
    let lead: Vec<usize> = if batch == 0 { vec![] } else { vec![batch] };
    let dims = |r: usize, c: usize| -> Vec<usize> { lead.iter().copied().chain([r, c]).collect() };
    let da = if ta { dims(k, m) } else { dims(m, k) };
    let db = if tb { dims(n, k) } else { dims(k, n) };
    let count = |d: &[usize]| d.iter().product::<usize>();
    let a = uniform(rng, count(&da), -1.0, 1.0);
    let b = uniform(rng, count(&db), -1.0, 1.0);
    PCase::new(
        format!("matmul_t({ta}, {tb}) batch {batch}, {m}x{k}x{n}"),
        vec![var(&da, a), var(&db, b)],
        move |t| t[0].matmul_t(&t[1], ta, tb),
    )
    .accumulating(move |t| t[0].matmul_t(&t[1], ta, tb))
}

fn with_kernel(gpu: &Device, kernel: MatmulKernel, sizes: &[(usize, (usize, usize, usize))]) {
    let backend = gpu.gpu_backend().expect("a GPU device");
    backend.set_matmul_kernel(kernel);
    let mut rng = Rng::new(77);
    let mut failures = Vec::new();
    let (mut fwd, mut grad) = (0.0f64, 0.0f64);
    for &(batch, mkn) in sizes {
        for t in TRANSPOSES {
            match check_parity(gpu, &case(&mut rng, batch, mkn, t), TOL, TOL_GRAD, &mut rng) {
                Ok((f, g)) => {
                    fwd = fwd.max(f);
                    grad = grad.max(g);
                }
                Err(e) => failures.push(e),
            }
        }
    }
    backend.set_matmul_kernel(MatmulKernel::Auto);
    println!("{kernel:?} matmul: worst forward {fwd:.2e} (tol {TOL:.0e}), worst gradient {grad:.2e} (tol {TOL_GRAD:.0e})");
    assert!(
        failures.is_empty(),
        "{kernel:?} matmul failed {} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// 1 x 1, odd sizes crossing 16- and 64-wide tiles, vec4-aligned and not, batched,
/// an exact tile, an empty inner dimension and an empty output.
const SIZES: &[(usize, (usize, usize, usize))] = &[
    (0, (1, 1, 1)),
    (0, (17, 33, 65)),
    (0, (256, 512, 128)),
    (3, (17, 20, 9)),
    (2, (64, 64, 64)),
    (0, (5, 0, 3)),
    (2, (0, 4, 3)),
];

#[test]
fn plain_matmul_matches_the_cpu_reference() {
    let Some(gpu) = gpu_device() else { return };
    with_kernel(&gpu, MatmulKernel::Plain, SIZES);
}

#[test]
fn tiled_matmul_matches_the_cpu_reference() {
    let Some(gpu) = gpu_device() else { return };
    with_kernel(&gpu, MatmulKernel::Tiled, SIZES);
}

#[test]
fn register_matmul_matches_the_cpu_reference() {
    let Some(gpu) = gpu_device() else { return };
    with_kernel(&gpu, MatmulKernel::Register, SIZES);
}

#[test]
fn auto_matmul_matches_the_cpu_reference() {
    let Some(gpu) = gpu_device() else { return };
    with_kernel(&gpu, MatmulKernel::Auto, &SIZES[..4]);
}

/// 65 600 products need more than 65 535 workgroups in one dimension: the dispatch
/// folds them into a 2-D grid, whose overshoot the kernels must ignore.
#[test]
fn huge_batches_use_a_two_dimensional_grid() {
    let Some(gpu) = gpu_device() else { return };
    let backend = gpu.gpu_backend().expect("a GPU device");
    let mut rng = Rng::new(5);
    let batch = 65_600;
    // One size per kernel: a 256-thread tiled workgroup costs ~80 us on lavapipe.
    for (kernel, s) in [
        (MatmulKernel::Plain, 2),
        (MatmulKernel::Tiled, 1),
        (MatmulKernel::Register, 3),
    ] {
        backend.set_matmul_kernel(kernel);
        let a = uniform(&mut rng, batch * s * s, -1.0, 1.0);
        let b = uniform(&mut rng, batch * s * s, -1.0, 1.0);
        let run = |d: &Device| {
            let x = Tensor::from_slice(&a, &[batch, s, s], d);
            let y = Tensor::from_slice(&b, &[batch, s, s], d);
            x.matmul_t(&y, false, true).to_vec_blocking().expect("read")
        };
        let (g, c) = (run(&gpu), run(&Device::Cpu));
        // |A| @ |B| <= s for entries in [-1, 1].
        let (err, i) = common::gpu::worst_error(&g, &c, |_| s as f64);
        assert!(
            err <= TOL,
            "{kernel:?} batch {batch} of {s}x{s}: error {err:.2e} > {TOL:.0e} at {i}"
        );
    }
    backend.set_matmul_kernel(MatmulKernel::Auto);
}

/// `auto` is chosen by adapter: the register kernel on a software adapter (wgpu's CPU
/// device type, or SwiftShader named by the browser's `GPUAdapterInfo.architecture` or
/// the driver's adapter name); on GPU hardware tiled for large products and plain for
/// small ones. No GPU needed.
#[test]
fn auto_picks_the_register_kernel_on_software_adapters_only() {
    let dims = |m, k, n| MatmulDims {
        batch: 1,
        m,
        k,
        n,
        trans_a: false,
        trans_b: false,
    };
    let (big, small) = (dims(256, 256, 256), dims(32, 16, 2));
    for d in [&big, &small] {
        assert_eq!(MatmulKernel::Auto.pick(d, true), MatmulKernel::Register);
        assert_eq!(MatmulKernel::Plain.pick(d, true), MatmulKernel::Plain);
        assert_eq!(MatmulKernel::Tiled.pick(d, true), MatmulKernel::Tiled);
    }
    assert_eq!(MatmulKernel::Auto.pick(&big, false), MatmulKernel::Tiled);
    assert_eq!(MatmulKernel::Auto.pick(&small, false), MatmulKernel::Plain);

    let adapter = |name: &str, architecture: &str, device_type: &str| GpuAdapterInfo {
        name: name.into(),
        architecture: architecture.into(),
        device_type: device_type.into(),
        ..GpuAdapterInfo::default()
    };
    assert!(adapter("", "swiftshader", "other").is_software());
    assert!(adapter("SwiftShader Device (Subzero)", "", "other").is_software());
    assert!(adapter("llvmpipe (LLVM 15.0.6, 256 bits)", "", "cpu").is_software());
    assert!(!adapter("", "ampere", "other").is_software());
    assert!(!adapter("NVIDIA H200", "", "discretegpu").is_software());
}
