//! The GPU backend beyond the op vocabulary: fused optimizer kernels against the CPU's
//! update equations, in-place updates that never clobber shared buffers, dispatches too
//! large for one grid dimension, deterministic reductions, the counters of a warm step,
//! and errors that come back as values.

mod common;

use common::gpu::{gpu_device, values, worst_error};
use common::uniform;
use gradlab::backend::{Storage, UpdateRule, View};
use gradlab::rng::Rng;
use gradlab::tensor::{ReduceOp, UnaryOp};
use gradlab::{Device, Error, Tensor};

/// Elementwise f32 math (sqrt and division in Adam may differ by an ulp or two).
const TOL: f64 = 2e-6;

fn read(d: &Device, s: &Storage, len: usize) -> Vec<f32> {
    gradlab::platform::block_on(d.read(s, len)).expect("read")
}

fn sgd(momentum: f32, nesterov: bool, first_step: bool) -> UpdateRule {
    UpdateRule::Sgd {
        lr: 0.1,
        momentum,
        dampening: if nesterov { 0.0 } else { 0.1 },
        nesterov,
        first_step,
        l1: 0.01,
        l2: 0.02,
    }
}

fn adam(t: i32, decoupled_wd: f32) -> UpdateRule {
    let (b1, b2) = (0.9f32, 0.999f32);
    UpdateRule::Adam {
        lr: 0.01,
        beta1: b1,
        beta2: b2,
        eps: 1e-8,
        bias_correction1: (1.0 - (b1 as f64).powi(t)) as f32,
        bias_correction2_sqrt: (1.0 - (b2 as f64).powi(t)).sqrt() as f32,
        decoupled_wd,
        l1: if decoupled_wd == 0.0 { 0.01 } else { 0.0 },
        l2: if decoupled_wd == 0.0 { 0.02 } else { 0.0 },
    }
}

/// Three steps of `rules` on both devices from the same start; parameter and state
/// after each step within `TOL` of the CPU's.
fn update_matches(rules: &[UpdateRule], gpu: &Device) -> f64 {
    let len = 1000; // not a multiple of 256
    let mut rng = Rng::new(9);
    // Zeros included: sign(0) = 0 in the L1 term.
    let mut p0 = uniform(&mut rng, len, -1.0, 1.0);
    p0[..5].fill(0.0);
    let grads: Vec<Vec<f32>> = (0..rules.len())
        .map(|_| uniform(&mut rng, len, -1.0, 1.0))
        .collect();
    let run = |d: &Device| -> Vec<Vec<f32>> {
        let mut p = d.upload(&p0);
        let mut state: Vec<Storage> = (0..rules[0].state_len())
            .map(|_| d.fill(len, 0.0))
            .collect();
        let mut seen = Vec::new();
        for (rule, g) in rules.iter().zip(&grads) {
            let g = d.upload(g);
            let (np, ns) = d.update(rule, p, &g, None, state, len);
            seen.push(read(d, &np, len));
            seen.extend(ns.iter().map(|s| read(d, s, len)));
            (p, state) = (np, ns);
        }
        seen
    };
    let (cpu, gpu) = (run(&Device::Cpu), run(gpu));
    let mut worst = 0.0f64;
    for (k, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        let (err, i) = worst_error(g, c, |i| c[i].abs() as f64);
        assert!(
            err <= TOL,
            "{:?}: tensor {k} off by {err:.2e} > {TOL:.0e} (relative to max(1, |cpu|)) at {i}: gpu {} cpu {}",
            rules[0],
            g[i],
            c[i]
        );
        worst = worst.max(err);
    }
    worst
}

#[test]
fn fused_updates_match_the_cpu_equations() {
    let Some(gpu) = gpu_device() else { return };
    let cases: Vec<(&str, Vec<UpdateRule>)> = vec![
        ("sgd", vec![sgd(0.0, false, true); 3]),
        (
            "momentum",
            vec![
                sgd(0.9, false, true),
                sgd(0.9, false, false),
                sgd(0.9, false, false),
            ],
        ),
        (
            "nesterov",
            vec![
                sgd(0.9, true, true),
                sgd(0.9, true, false),
                sgd(0.9, true, false),
            ],
        ),
        ("adam", vec![adam(1, 0.0), adam(2, 0.0), adam(3, 0.0)]),
        ("adamw", vec![adam(1, 0.05), adam(2, 0.05), adam(3, 0.05)]),
    ];
    for (name, rules) in cases {
        let worst = update_matches(&rules, &gpu);
        println!("update {name:<9} worst error {worst:.2e} (tol {TOL:.0e})");
    }
}

#[test]
fn updates_copy_shared_buffers_instead_of_clobbering_them() {
    let Some(gpu) = gpu_device() else { return };
    let len = 300;
    let p0: Vec<f32> = (0..len).map(|i| i as f32 / 100.0).collect();
    let kept = Tensor::from_slice(&p0, &[len], &gpu);
    let grad = gpu.fill(len, 1.0);
    // Parameter shared with `kept`; m and v are one shared zeros buffer.
    let zeros = gpu.fill(len, 0.0);
    let state = vec![zeros.clone(), zeros.clone()];
    let (p, st) = gpu.update(
        &adam(1, 0.0),
        kept.storage().clone(),
        &grad,
        None,
        state,
        len,
    );
    assert_eq!(values(&kept), p0, "the shared parameter was overwritten");
    assert_eq!(
        read(&gpu, &zeros, len),
        vec![0.0; len],
        "the shared state was overwritten"
    );
    let cpu_state = vec![Device::Cpu.fill(len, 0.0), Device::Cpu.fill(len, 0.0)];
    let cpu = Device::Cpu;
    let (cp, cst) = cpu.update(
        &adam(1, 0.0),
        cpu.upload(&p0),
        &cpu.fill(len, 1.0),
        None,
        cpu_state,
        len,
    );
    for (g, c) in [(&p, &cp), (&st[0], &cst[0]), (&st[1], &cst[1])] {
        let (g, c) = (read(&gpu, g, len), read(&cpu, c, len));
        let (err, i) = worst_error(&g, &c, |i| c[i].abs() as f64);
        assert!(err <= TOL, "aliased update off by {err:.2e} at {i}");
    }
}

/// More than 65 535 workgroups in one dimension: elementwise kernels and reductions
/// fold them into a 2-D grid and must cover every element exactly once.
#[test]
fn large_dispatches_fold_into_a_two_dimensional_grid() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(3);
    // 65 600 rows of 300: more than 256 * 65 535 elements, and one workgroup per row.
    let (outer, inner) = (65_600, 300);
    let len = outer * inner;
    let x = uniform(&mut rng, len, -4.0, 4.0);
    let (xg, xc) = (gpu.upload(&x), Device::Cpu.upload(&x));
    let (g, c) = (
        gpu.unary(UnaryOp::Neg, &xg, len),
        Device::Cpu.unary(UnaryOp::Neg, &xc, len),
    );
    assert!(
        read(&gpu, &g, len) == read(&Device::Cpu, &c, len),
        "neg over {len} elements"
    );
    let g = read(&gpu, &gpu.reduce(ReduceOp::Sum, &xg, outer, inner), outer);
    let c = read(
        &Device::Cpu,
        &Device::Cpu.reduce(ReduceOp::Sum, &xc, outer, inner),
        outer,
    );
    // Rounding of any summation order is below 1e-5 * sum |x| (sum |x| ~ 600 here).
    let (err, i) = worst_error(&g, &c, |_| 4.0 * inner as f64);
    assert!(
        err <= 1e-5,
        "sum of {outer} rows off by {err:.2e} at row {i}"
    );
    // A strided copy (transpose) of the same size.
    let view = View {
        offset: 0,
        strides: [0, 0, 1, inner],
    };
    let out = [1, 1, inner, outer];
    let g = read(&gpu, &gpu.copy_view(&xg, view, out), outer * inner);
    let c = read(
        &Device::Cpu,
        &Device::Cpu.copy_view(&xc, view, out),
        outer * inner,
    );
    assert!(g == c, "transpose of {outer} x {inner}");
}

#[test]
fn reductions_and_matmuls_give_the_same_bits_every_run() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(4);
    let x = uniform(&mut rng, 100_000, -1.0, 1.0);
    let a = uniform(&mut rng, 200 * 300, -1.0, 1.0);
    let run = || {
        let t = Tensor::from_slice(&x, &[100_000], &gpu);
        let m = Tensor::from_slice(&a, &[200, 300], &gpu);
        let s = values(&t.sum_all());
        let p = values(&m.matmul_t(&m, false, true));
        (s, p)
    };
    let first = run();
    for _ in 0..3 {
        assert!(
            run() == first,
            "a GPU result changed between identical runs"
        );
    }
}

/// A small training step: forward, backward, an Adam update of every parameter.
fn step(gpu: &Device, params: &mut Vec<Tensor>, states: &mut [Vec<Storage>], t: i32) {
    // The graph is dropped before the update, so parameters are updated in place.
    let grads = {
        let x = Tensor::from_slice(&[0.5; 10 * 8], &[10, 8], gpu);
        let h = x.matmul(&params[0]).add(&params[1]).tanh();
        h.matmul(&params[2]).square().mean_all().backward()
    };
    let rule = adam(t, 0.0);
    let old = std::mem::take(params);
    for (p, st) in old.into_iter().zip(states.iter_mut()) {
        let g = grads.get(&p).expect("gradient").clone();
        let (shape, len) = (p.dims().to_vec(), p.numel());
        let storage = p.storage().clone();
        drop(p);
        let (np, ns) = gpu.update(&rule, storage, g.storage(), None, std::mem::take(st), len);
        *st = ns;
        params.push(Tensor::from_storage(np, shape.as_slice().into(), gpu).requiring_grad());
    }
    gpu.flush();
}

#[test]
fn a_warm_step_creates_nothing_and_submits_once() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(8);
    let shapes: [&[usize]; 3] = [&[8, 8], &[8], &[8, 1]];
    let mut params: Vec<Tensor> = shapes
        .iter()
        .map(|d| Tensor::parameter(&uniform(&mut rng, d.iter().product(), -1.0, 1.0), d, &gpu))
        .collect();
    let mut states: Vec<Vec<Storage>> = params
        .iter()
        .map(|p| vec![gpu.fill(p.numel(), 0.0), gpu.fill(p.numel(), 0.0)])
        .collect();
    // Warm-up: the first steps compile pipelines and fill the pool and the caches.
    for t in 1..=3 {
        step(&gpu, &mut params, &mut states, t);
    }
    let before = gpu.gpu_stats().expect("GPU stats");
    step(&gpu, &mut params, &mut states, 4);
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    println!("warm step: {d:?}");
    assert_eq!(d.buffers_created, 0, "a warm step created buffers: {d:?}");
    assert_eq!(
        d.pipelines_created, 0,
        "a warm step compiled pipelines: {d:?}"
    );
    assert_eq!(
        d.bind_groups_created, 0,
        "a warm step created bind groups: {d:?}"
    );
    assert_eq!(d.submits, 1, "a warm step must submit exactly once: {d:?}");
    assert!(d.dispatches > 10, "the step recorded its dispatches: {d:?}");
}

#[test]
fn device_failures_are_errors_not_panics() {
    // Fresh devices: the errors below are sticky and must not leak into other tests.
    let Some(_) = gpu_device() else { return };
    let dev = Device::gpu().expect("a second GPU device");
    let limit = dev
        .gpu_backend()
        .expect("GPU")
        .limits()
        .max_storage_buffer_binding_size;
    let too_big = (limit / 4 + 1) as usize;
    let s = dev.fill(too_big, 1.0);
    match gradlab::platform::block_on(dev.read(&s, 1)) {
        Err(Error::Gpu(msg)) => assert!(msg.contains("exceeds"), "unclear message: {msg}"),
        other => panic!("an oversized tensor must be a GPU error, got {other:?}"),
    }
    assert!(
        dev.error().is_some(),
        "the device keeps reporting its error"
    );

    let dev = Device::gpu().expect("a third GPU device");
    let x = dev.upload(&[1.0, 2.0]);
    dev.gpu_backend().expect("GPU").context().device.destroy();
    let y = dev.unary(UnaryOp::Exp, &x, 2);
    match gradlab::platform::block_on(dev.read(&y, 2)) {
        Err(Error::Gpu(msg)) => println!("lost device reported as: {msg}"),
        other => panic!("a destroyed device must give a GPU error, got {other:?}"),
    }
}

/// A recording longer than the auto-flush bound (8192 commands) submits on its own and
/// still computes in order.
#[test]
fn long_recordings_submit_themselves_in_order() {
    let Some(gpu) = gpu_device() else { return };
    let x: Vec<f32> = (0..300).map(|i| i as f32 - 150.0).collect();
    let before = gpu.gpu_stats().expect("GPU stats");
    let mut y = gpu.upload(&x);
    for _ in 0..9001 {
        y = gpu.unary(UnaryOp::Neg, &y, x.len());
    }
    let got = read(&gpu, &y, x.len());
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    let want: Vec<f32> = x.iter().map(|v| -v).collect();
    assert_eq!(got, want, "9001 negations in a row");
    assert!(
        d.submits >= 2,
        "a long recording must submit before the read: {d:?}"
    );
    // Buffers freed by the intermediate submit are reused: far fewer than 9001 exist.
    assert!(
        d.buffers_created < 9001,
        "no reuse across the automatic submit: {d:?}"
    );
}
