//! The browser path, tested: kernels run through the browser's WebGPU (headless
//! Chromium on SwiftShader, see webdriver.json) and are checked against the CPU backend
//! in the same page, on the same seeded inputs.
//!
//! Run with `make wasm-test` (`cargo test --target wasm32-unknown-unknown --test
//! browser_kernels`). The runner starts Chromium with WebGPU enabled, so a missing
//! WebGPU adapter is a failure here, never a skip. Natively this file is empty.

#![cfg(target_arch = "wasm32")]

use gradlab::backend::gpu::MatmulKernel;
use gradlab::experiment::{preset, Runner};
use gradlab::nn::ParamSet;
use gradlab::optim::{Optimizer, OptimizerConfig, OptimizerKind};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Elementwise ops: `|gpu - cpu| / max(1, |cpu|)`. WGSL allows a few ulps for exp,
/// tanh and division, and SwiftShader's are not the CPU's libm.
const TOL_ELEMENTWISE: f64 = 1e-5;
/// Sums and matmuls: `|gpu - cpu| / max(1, magnitude)` where the magnitude is the same
/// op on `|inputs|`, which bounds the rounding of any summation order.
const TOL_ACCUMULATE: f64 = 2e-5;
/// Parameters after Adam steps, relative to `max(1, |p|)`.
const TOL_ADAM: f64 = 1e-5;
/// Train loss of the `spiral` preset after each of the first steps, relative to
/// `max(1e-3, |cpu loss|)`: ulp differences in exp, log and tree-ordered sums compound
/// slowly over a few steps.
const TOL_LOSS: f64 = 1e-5;

thread_local! {
    // One device for the whole page: opening one compiles nothing but costs a round
    // trip through the browser, and tests run one after another.
    static GPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The browser's WebGPU device. Fails the test (never skips) when there is none: the
/// runner starts Chromium with `--enable-unsafe-webgpu`, so its absence is a real fault.
async fn gpu() -> Device {
    if let Some(d) = GPU.with(|c| c.borrow().clone()) {
        return d;
    }
    let navigator = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .unwrap_or(JsValue::UNDEFINED);
    let webgpu = !navigator.is_undefined()
        && js_sys::Reflect::get(&navigator, &JsValue::from_str("gpu"))
            .is_ok_and(|g| !g.is_undefined() && !g.is_null());
    assert!(
        webgpu,
        "WebGPU is not available in this browser (navigator.gpu is missing): the browser \
         tests need Chromium started with --enable-unsafe-webgpu \
         --use-webgpu-adapter=swiftshader (webdriver.json)"
    );
    let d = Device::gpu_async().await.unwrap_or_else(|e| {
        panic!(
            "navigator.gpu exists but no WebGPU device could be opened ({e}); the browser \
             tests need Chromium started with --enable-unsafe-webgpu \
             --use-webgpu-adapter=swiftshader (webdriver.json)"
        )
    });
    console_log!("browser GPU device: {}", d.label());
    GPU.with(|c| *c.borrow_mut() = Some(d.clone()));
    d
}

/// A tensor's values (a failed read fails the test, with the device's error).
async fn values(t: &Tensor, what: &str) -> Vec<f32> {
    t.to_vec().await.unwrap_or_else(|e| {
        panic!(
            "{what}: reading a tensor of shape {} failed: {e}",
            t.shape()
        )
    })
}

/// Seeded values in `[lo, hi)`.
fn uniform(rng: &mut Rng, len: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..len).map(|_| rng.range(lo, hi)).collect()
}

/// Asserts `|gpu - cpu| / max(1, scale[i]) <= tol` (scale defaults to `|cpu|`) and
/// returns the worst error; the message names the worst element.
fn check(what: &str, gpu: &[f32], cpu: &[f32], scale: Option<&[f32]>, tol: f64) -> f64 {
    assert_eq!(gpu.len(), cpu.len(), "{what}: GPU and CPU lengths differ");
    let mut worst = (0.0f64, 0usize);
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let s = scale.map_or(c.abs(), |s| s[i].abs()) as f64;
        let err = (g as f64 - c as f64).abs() / s.max(1.0);
        // A NaN error (NaN on one side) is the worst possible.
        let err = if err.is_nan() { f64::INFINITY } else { err };
        if err > worst.0 {
            worst = (err, i);
        }
    }
    let (err, i) = worst;
    assert!(
        err <= tol,
        "{what}: worst error {err:.3e} > tol {tol:.1e} at element {i} of {}: gpu {}, cpu {}",
        cpu.len(),
        gpu[i],
        cpu[i]
    );
    console_log!("{what}: worst error {err:.2e} (tol {tol:.0e})");
    err
}

/// Runs `f` on the GPU and on the CPU with the same inputs and checks the outputs;
/// with `accumulating`, errors are relative to `f` on `|inputs|` (computed on the CPU).
async fn parity(
    what: &str,
    inputs: &[(Vec<f32>, Vec<usize>)],
    tol: f64,
    accumulating: bool,
    f: impl Fn(&[Tensor]) -> Tensor,
) {
    let gpu_dev = gpu().await;
    let on = |device: &Device, abs: bool| {
        let ts: Vec<Tensor> = inputs
            .iter()
            .map(|(data, dims)| {
                let data: Vec<f32> = data
                    .iter()
                    .map(|v| if abs { v.abs() } else { *v })
                    .collect();
                Tensor::from_slice(&data, dims, device)
            })
            .collect();
        f(&ts)
    };
    let got = values(&on(&gpu_dev, false), what).await;
    let want = values(&on(&Device::Cpu, false), what).await;
    let magnitude = if accumulating {
        Some(values(&on(&Device::Cpu, true), what).await)
    } else {
        None
    };
    check(what, &got, &want, magnitude.as_deref(), tol);
}

#[wasm_bindgen_test]
async fn unary_ops_match_the_cpu() {
    let mut rng = Rng::new(1);
    // 3 x 333: not a multiple of any workgroup size.
    let x = vec![(uniform(&mut rng, 3 * 333, -4.0, 4.0), vec![3, 333])];
    parity("exp", &x, TOL_ELEMENTWISE, false, |t| t[0].exp()).await;
    parity("tanh", &x, TOL_ELEMENTWISE, false, |t| t[0].tanh()).await;
    parity("sigmoid", &x, TOL_ELEMENTWISE, false, |t| t[0].sigmoid()).await;
}

#[wasm_bindgen_test]
async fn broadcasting_binary_ops_match_the_cpu() {
    let mut rng = Rng::new(2);
    let a = uniform(&mut rng, 7 * 5, -3.0, 3.0);
    // Divisors away from zero: |b| in [0.5, 2).
    let b: Vec<f32> = uniform(&mut rng, 3, 0.5, 2.0)
        .into_iter()
        .map(|v| if rng.uniform() < 0.5 { -v } else { v })
        .collect();
    // [7, 1, 5] with [3, 1] broadcast to [7, 3, 5].
    let ins = vec![(a, vec![7, 1, 5]), (b, vec![3, 1])];
    parity("div [7,1,5] / [3,1]", &ins, TOL_ELEMENTWISE, false, |t| {
        t[0].div(&t[1])
    })
    .await;
    parity("maximum [7,1,5], [3,1]", &ins, 0.0, false, |t| {
        t[0].maximum(&t[1])
    })
    .await;
}

#[wasm_bindgen_test]
async fn reductions_over_an_axis_match_the_cpu() {
    let mut rng = Rng::new(3);
    // The reduced axis (300) spans more than one workgroup of the tree reduction.
    let x = vec![(uniform(&mut rng, 13 * 300 * 7, -2.0, 2.0), vec![13, 300, 7])];
    parity(
        "sum over axis 1 of [13,300,7]",
        &x,
        TOL_ACCUMULATE,
        true,
        |t| t[0].sum_axes(&[1], false),
    )
    .await;
    parity(
        "mean over axes 0,2 of [13,300,7]",
        &x,
        TOL_ACCUMULATE,
        true,
        |t| t[0].mean_axes(&[0, 2], false),
    )
    .await;
    // A maximum is exact whatever the order.
    parity("max over axis 1 of [13,300,7]", &x, 0.0, false, |t| {
        t[0].max_axes(&[1], false)
    })
    .await;
}

#[wasm_bindgen_test]
async fn transposed_matmuls_match_the_cpu_with_every_kernel() {
    let backend = gpu().await.gpu_backend().expect("a GPU device").clone();
    let mut rng = Rng::new(4);
    // C[m, n] = op(A) @ op(B) with m = 65, k = 67, n = 70: crosses 64 x 64 and 32 x 32
    // tile edges, and k leaves a partial group of four depths.
    let (m, k, n) = (65, 67, 70);
    let a_t = (uniform(&mut rng, k * m, -1.0, 1.0), vec![k, m]);
    let a = (uniform(&mut rng, m * k, -1.0, 1.0), vec![m, k]);
    let b_t = (uniform(&mut rng, n * k, -1.0, 1.0), vec![n, k]);
    let b = (uniform(&mut rng, k * n, -1.0, 1.0), vec![k, n]);
    for kernel in [
        MatmulKernel::Tiled,
        MatmulKernel::Plain,
        MatmulKernel::Register,
    ] {
        backend.set_matmul_kernel(kernel);
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let ins = vec![
                if ta { a_t.clone() } else { a.clone() },
                if tb { b_t.clone() } else { b.clone() },
            ];
            let what = format!("{kernel:?} matmul {m}x{k}x{n} trans_a={ta} trans_b={tb}");
            parity(&what, &ins, TOL_ACCUMULATE, true, |t| {
                t[0].matmul_t(&t[1], ta, tb)
            })
            .await;
        }
    }
    backend.set_matmul_kernel(MatmulKernel::Auto);
}

#[wasm_bindgen_test]
async fn gather_rows_matches_the_cpu_exactly() {
    let mut rng = Rng::new(5);
    let table = uniform(&mut rng, 50 * 9, -5.0, 5.0);
    // 23 indices with repeats, as f32 (the index type of the tensor API).
    let idx: Vec<f32> = (0..23).map(|_| rng.below(50) as f32).collect();
    let ins = vec![(table, vec![50, 9]), (idx, vec![23])];
    parity("gather_rows [50,9] by 23 rows", &ins, 0.0, false, |t| {
        t[0].gather_rows(&t[1])
    })
    .await;
}

/// The parameter after two Adam steps on `loss = sum(w * p^2)`.
async fn adam_steps(device: &Device, p0: &[f32], w: &[f32], dims: &[usize]) -> Vec<f32> {
    let mut params = ParamSet::new();
    params.push("0.weight", Tensor::from_slice(p0, dims, device));
    let mut opt = Optimizer::new(OptimizerConfig {
        kind: OptimizerKind::Adam,
        lr: 0.01,
        ..OptimizerConfig::default()
    });
    for _ in 0..2 {
        let grads = {
            let w = Tensor::from_slice(w, dims, device);
            params.get(0).square().mul(&w).sum_all().backward()
        };
        opt.step(&mut params, &grads)
            .unwrap_or_else(|e| panic!("Adam step on {}: {e}", device.label()));
    }
    values(params.get(0), "Adam").await
}

#[wasm_bindgen_test]
async fn adam_optimizer_steps_match_the_cpu() {
    let gpu = gpu().await;
    let mut rng = Rng::new(6);
    let dims = [37, 5];
    let p0 = uniform(&mut rng, 37 * 5, -2.0, 2.0);
    let w = uniform(&mut rng, 37 * 5, 0.1, 1.0);
    let got = adam_steps(&gpu, &p0, &w, &dims).await;
    let want = adam_steps(&Device::Cpu, &p0, &w, &dims).await;
    // The steps moved the parameters (else the comparison would prove nothing).
    assert!(
        want.iter().zip(&p0).any(|(a, b)| a != b),
        "Adam did not move p"
    );
    check("Adam, 2 steps on [37,5]", &got, &want, None, TOL_ADAM);
}

/// The parameters after two AdamW steps with clipping by global norm (the fused
/// `clip_sum_squares` and `clip_coefficient` kernels and the update's gradient scale) on
/// `loss = sum_k sum(w_k * p_k^2)` over eight tensors (two dispatches of six sums).
async fn clipped_adamw_steps(device: &Device, ps: &[Vec<f32>], ws: &[Vec<f32>]) -> Vec<f32> {
    let mut params = ParamSet::new();
    for (k, p) in ps.iter().enumerate() {
        params.push(
            &format!("{k}.weight"),
            Tensor::from_slice(p, &[p.len()], device),
        );
    }
    let mut opt = Optimizer::new(OptimizerConfig {
        kind: OptimizerKind::AdamW,
        lr: 0.01,
        weight_decay: 0.1,
        clip_norm: Some(0.5),
        ..OptimizerConfig::default()
    });
    for _ in 0..2 {
        let grads = {
            let mut loss: Option<Tensor> = None;
            for (k, w) in ws.iter().enumerate() {
                let w = Tensor::from_slice(w, &[w.len()], device);
                let term = params.get(k).square().mul(&w).sum_all();
                loss = Some(match loss {
                    Some(l) => l.add(&term),
                    None => term,
                });
            }
            loss.expect("eight terms").backward()
        };
        opt.step(&mut params, &grads)
            .unwrap_or_else(|e| panic!("AdamW step on {}: {e}", device.label()));
    }
    let mut out = Vec::new();
    for k in 0..ps.len() {
        out.extend(values(params.get(k), "AdamW").await);
    }
    out
}

#[wasm_bindgen_test]
async fn clipped_adamw_steps_match_the_cpu() {
    let gpu = gpu().await;
    let mut rng = Rng::new(9);
    let sizes = [1, 255, 256, 257, 1000, 3, 64, 2048];
    let ps: Vec<Vec<f32>> = sizes
        .iter()
        .map(|&n| uniform(&mut rng, n, -2.0, 2.0))
        .collect();
    let ws: Vec<Vec<f32>> = sizes
        .iter()
        .map(|&n| uniform(&mut rng, n, 0.1, 1.0))
        .collect();
    let got = clipped_adamw_steps(&gpu, &ps, &ws).await;
    let want = clipped_adamw_steps(&Device::Cpu, &ps, &ws).await;
    let start: Vec<f32> = ps.concat();
    assert!(
        want.iter().zip(&start).any(|(a, b)| a != b),
        "AdamW did not move the parameters"
    );
    check(
        "clipped AdamW, 2 steps on 8 tensors",
        &got,
        &want,
        None,
        TOL_ADAM,
    );
}

/// The train loss of the `spiral` preset after each of its first `steps` steps.
async fn spiral_losses(device: &Device, steps: usize) -> Vec<f64> {
    let config = preset("spiral").expect("the spiral preset exists");
    let mut r = Runner::new(config, device.clone())
        .unwrap_or_else(|e| panic!("spiral runner on {}: {e}", device.label()));
    let mut losses = Vec::with_capacity(steps);
    for _ in 0..steps {
        r.step()
            .unwrap_or_else(|e| panic!("spiral step on {}: {e}", device.label()));
        let p = r
            .record()
            .await
            .unwrap_or_else(|e| panic!("spiral evaluation on {}: {e}", device.label()));
        losses.push(p.train_loss);
    }
    losses
}

#[wasm_bindgen_test]
async fn spiral_training_steps_match_the_cpu() {
    let gpu = gpu().await;
    let steps = 5;
    let got = spiral_losses(&gpu, steps).await;
    let want = spiral_losses(&Device::Cpu, steps).await;
    let mut worst = (0.0f64, 0usize);
    for (i, (g, c)) in got.iter().zip(&want).enumerate() {
        let err = (g - c).abs() / c.abs().max(1e-3);
        let err = if err.is_nan() { f64::INFINITY } else { err };
        if err > worst.0 {
            worst = (err, i);
        }
    }
    let (err, i) = worst;
    assert!(
        err <= TOL_LOSS,
        "spiral: worst relative train-loss difference {err:.3e} > tol {TOL_LOSS:.0e} after \
         step {}: gpu {}, cpu {}\n gpu {got:?}\n cpu {want:?}",
        i + 1,
        got[i],
        want[i]
    );
    console_log!("spiral, {steps} steps: worst train-loss difference {err:.2e} (tol {TOL_LOSS:.0e}); cpu {want:?}");
}

#[wasm_bindgen_test]
async fn convolution_and_pooling_match_the_cpu() {
    let mut rng = Rng::new(7);
    // [2, 3, 9, 7] * [4, 3, 3, 3], stride 2, padding 1: windows overhang the padding.
    let x = (
        uniform(&mut rng, 2 * 3 * 9 * 7, -2.0, 2.0),
        vec![2, 3, 9, 7],
    );
    let w = (
        uniform(&mut rng, 4 * 3 * 3 * 3, -1.0, 1.0),
        vec![4, 3, 3, 3],
    );
    let b = (uniform(&mut rng, 4, -1.0, 1.0), vec![4]);
    let ins = vec![x.clone(), w, b];
    parity("conv2d stride 2 pad 1", &ins, TOL_ACCUMULATE, true, |t| {
        t[0].conv2d(&t[1], Some(&t[2]), 2, 1)
    })
    .await;
    let x = vec![x];
    parity("unfold2d 3x3 stride 2 pad 1", &x, 0.0, false, |t| {
        t[0].unfold2d((3, 3), 2, 1)
    })
    .await;
    parity("fold2d of unfold2d", &x, TOL_ACCUMULATE, true, |t| {
        t[0].unfold2d((3, 3), 2, 1).fold2d((9, 7), (3, 3), 2, 1)
    })
    .await;
    // Overlapping windows (stride < kernel): a maximum's gradient gathers from several.
    parity("max_pool2d kernel 3 stride 2", &x, 0.0, false, |t| {
        t[0].max_pool2d(3, 2)
    })
    .await;
    parity(
        "max_pool2d_backward kernel 3 stride 2",
        &x,
        TOL_ACCUMULATE,
        true,
        |t| {
            let pooled = t[0].max_pool2d(3, 2);
            t[0].max_pool2d_backward(&pooled, 3, 2)
        },
    )
    .await;
    parity(
        "avg_pool2d kernel 3 stride 2",
        &x,
        TOL_ACCUMULATE,
        true,
        |t| t[0].avg_pool2d(3, 2),
    )
    .await;
    parity(
        "avg_pool2d_backward kernel 3 stride 2",
        &x,
        TOL_ACCUMULATE,
        true,
        |t| t[0].avg_pool2d(3, 2).avg_pool2d_backward((9, 7), 3, 2),
    )
    .await;
}

/// `sum(f(x) * w)`'s gradient at `x` (the backward kernels through autograd).
fn grad_of(x: &Tensor, f: impl Fn(&Tensor) -> Tensor) -> Tensor {
    let x = x.requiring_grad();
    let y = f(&x);
    let w = Tensor::from_slice(
        &(0..y.numel())
            .map(|i| 0.5 + (i % 7) as f32 * 0.25)
            .collect::<Vec<_>>(),
        y.dims(),
        x.device(),
    );
    let grads = y.mul(&w).sum_all().backward();
    grads.get(&x).expect("a gradient reaches x").clone()
}

#[wasm_bindgen_test]
async fn transformer_kernels_match_the_cpu() {
    let mut rng = Rng::new(8);
    // GELU and its fused derivative.
    let x = vec![(uniform(&mut rng, 3 * 333, -6.0, 6.0), vec![3, 333])];
    parity("gelu", &x, TOL_ELEMENTWISE, false, |t| {
        t[0].unary(gradlab::op::UnaryOp::Gelu)
    })
    .await;
    parity("gelu backward", &x, TOL_ACCUMULATE, false, |t| {
        grad_of(&t[0], |x| x.unary(gradlab::op::UnaryOp::Gelu))
    })
    .await;
    // Masked softmax with a causal rule and a key mask, and its backward.
    let scores = (
        uniform(&mut rng, 2 * 3 * 5 * 5, -3.0, 3.0),
        vec![2, 3, 5, 5],
    );
    let mask = (
        vec![1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        vec![2, 5],
    );
    let ins = vec![scores, mask];
    parity("masked softmax", &ins, TOL_ACCUMULATE, false, |t| {
        t[0].masked_softmax(true, Some(&t[1]))
    })
    .await;
    parity(
        "masked softmax backward",
        &ins,
        TOL_ACCUMULATE,
        false,
        |t| grad_of(&t[0], |x| x.masked_softmax(true, Some(&t[1]))),
    )
    .await;
    // Layer norm and its backward for x, gamma and beta.
    let ins = vec![
        (uniform(&mut rng, 300 * 24, -2.0, 2.0), vec![300, 24]),
        (uniform(&mut rng, 24, 0.5, 1.5), vec![24]),
        (uniform(&mut rng, 24, -0.5, 0.5), vec![24]),
    ];
    parity("layer norm", &ins, TOL_ACCUMULATE, false, |t| {
        t[0].layer_norm(&t[1], &t[2], 1e-5)
    })
    .await;
    parity("layer norm backward", &ins, TOL_ACCUMULATE, false, |t| {
        grad_of(&t[0], |x| x.layer_norm(&t[1], &t[2], 1e-5))
    })
    .await;
    parity(
        "layer norm gamma gradient",
        &ins,
        TOL_ACCUMULATE,
        false,
        |t| grad_of(&t[1], |g| t[0].layer_norm(g, &t[2], 1e-5)),
    )
    .await;
    // A slice's gradient (zeros around it, one padding kernel), on a middle axis.
    let ins = vec![(uniform(&mut rng, 3 * 96 * 5, -2.0, 2.0), vec![3, 96, 5])];
    parity("slice backward", &ins, TOL_ELEMENTWISE, false, |t| {
        grad_of(&t[0], |x| x.narrow(1, 32, 32))
    })
    .await;
    // Cross-entropy over a vocabulary with ignored rows, and its backward.
    let targets: Vec<f32> = (0..300)
        .map(|i| if i % 9 == 0 { -1.0 } else { (i % 65) as f32 })
        .collect();
    let ins = vec![
        (uniform(&mut rng, 300 * 65, -3.0, 3.0), vec![300, 65]),
        (targets, vec![300]),
    ];
    parity("cross entropy", &ins, TOL_ACCUMULATE, false, |t| {
        t[0].cross_entropy_ids(&t[1])
    })
    .await;
    parity("cross entropy backward", &ins, TOL_ACCUMULATE, false, |t| {
        grad_of(&t[0], |x| x.cross_entropy_ids(&t[1]))
    })
    .await;
}
