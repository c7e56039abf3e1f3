//! The health check at the backend level: the GPU checks three parameters (and their
//! gradients) per dispatch, one workgroup each, and must write exactly the status of the
//! CPU twin (`crates/kernels/src/backend/cpu/health.rs`, one parameter at a time) for any number of
//! parameters, any position of the offending value, any mix of parameters with and
//! without gradients, and across steps (a slot is written once, at its first step).

mod common;

use common::gpu::gpu_device;
use gradlab::backend::health::{first_non_finite, FiniteCheck, NonFiniteIn, HEALTH_SLOT};
use gradlab::backend::Storage;
use gradlab::platform::block_on;
use gradlab::Device;

/// Lengths of the parameters: a single element, rows shorter and longer than the
/// kernel's 256 lanes (so lanes loop), and one of exactly 256.
const LENS: [usize; 7] = [1, 300, 5, 513, 256, 64, 1000];

/// Where a non-finite value is put before a check.
#[derive(Clone, Copy, Debug)]
enum Poison {
    /// `param[slot][at] = value`.
    Param(usize, usize, f32),
    /// `grad[slot][at] = value`.
    Grad(usize, usize, f32),
}

/// Parameters and gradients (finite, distinct values) with `poison` applied.
fn host_values(n: usize, poison: &[Poison]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let fill = |k: usize, salt: f32| -> Vec<f32> {
        (0..LENS[k])
            .map(|i| (i as f32 * 0.37 + salt).sin() * 3.0)
            .collect()
    };
    let mut params: Vec<Vec<f32>> = (0..n).map(|k| fill(k, k as f32)).collect();
    let mut grads: Vec<Vec<f32>> = (0..n).map(|k| fill(k, 10.0 + k as f32)).collect();
    for p in poison {
        match *p {
            Poison::Param(k, at, v) => params[k][at] = v,
            Poison::Grad(k, at, v) => grads[k][at] = v,
        }
    }
    (params, grads)
}

/// Run the check of `n` parameters at `step` on `device`, starting from `status`; the
/// slots in `no_grad` are checked without their gradients.
fn check(
    device: &Device,
    status: Storage,
    n: usize,
    poison: &[Poison],
    no_grad: &[usize],
    step: u64,
) -> Storage {
    let (params, grads) = host_values(n, poison);
    let params: Vec<Storage> = params.iter().map(|v| device.upload(v)).collect();
    let grads: Vec<Storage> = grads.iter().map(|v| device.upload(v)).collect();
    let checks: Vec<FiniteCheck<'_, Storage>> = (0..n)
        .map(|k| FiniteCheck {
            slot: k,
            param: &params[k],
            grad: (!no_grad.contains(&k)).then_some(&grads[k]),
            len: LENS[k],
        })
        .collect();
    device.check_finite(status, &checks, step)
}

fn read(device: &Device, s: &Storage, n: usize) -> Vec<f32> {
    block_on(device.read(s, n * HEALTH_SLOT)).expect("read the status")
}

/// One scenario: a sequence of checks (poison, slots without gradient, step) on a
/// fresh status; returns the status read back after the last.
type Scenario = Vec<(Vec<Poison>, Vec<usize>, u64)>;

fn run(device: &Device, n: usize, scenario: &Scenario) -> Vec<f32> {
    let mut status = device.fill(n * HEALTH_SLOT, 0.0);
    for (poison, no_grad, step) in scenario {
        status = check(device, status, n, poison, no_grad, *step);
    }
    read(device, &status, n)
}

/// Scenarios for `n` parameters: clean; each slot's parameter or gradient poisoned
/// (first and last element, NaN and both infinities); both of one slot (the parameter
/// wins); two slots at once; a poisoned gradient left out of the check; and a second
/// step that must not overwrite a slot written at the first.
fn scenarios(n: usize) -> Vec<Scenario> {
    let mut v: Vec<Scenario> = vec![vec![(vec![], vec![], 3)]];
    for (k, &len) in LENS.iter().enumerate().take(n) {
        let last = len - 1;
        v.push(vec![(vec![Poison::Param(k, last, f32::NAN)], vec![], 7)]);
        v.push(vec![(vec![Poison::Grad(k, 0, f32::INFINITY)], vec![], 7)]);
        v.push(vec![(
            vec![Poison::Grad(k, last, f32::NEG_INFINITY)],
            vec![],
            70_000,
        )]);
        v.push(vec![(
            vec![
                Poison::Param(k, 0, f32::INFINITY),
                Poison::Grad(k, 0, f32::NAN),
            ],
            vec![],
            2,
        )]);
        v.push(vec![(vec![Poison::Grad(k, 0, f32::NAN)], vec![k], 4)]);
        v.push(vec![
            (vec![Poison::Grad(k, 0, f32::NAN)], vec![], 5),
            (vec![Poison::Param(k, 0, f32::NAN)], vec![], 6),
        ]);
        let other = (k + 4) % n;
        if other != k {
            v.push(vec![(
                vec![
                    Poison::Param(k, 0, f32::NAN),
                    Poison::Grad(other, 0, f32::INFINITY),
                ],
                vec![],
                9,
            )]);
        }
    }
    v
}

#[test]
fn the_batched_gpu_check_writes_the_cpu_twins_status() {
    let Some(gpu) = gpu_device() else { return };
    for n in 1..=LENS.len() {
        for scenario in scenarios(n) {
            let cpu = run(&Device::Cpu, n, &scenario);
            let got = run(&gpu, n, &scenario);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&got),
                bits(&cpu),
                "{n} parameters, {scenario:?}: GPU status {got:?}, CPU {cpu:?}"
            );
        }
    }
}

#[test]
fn the_status_names_the_slot_the_kind_and_the_first_step() {
    // Closed-form expectations, on every device: one poisoned value gives its own slot,
    // kind and step (a gradient's step is the next one); a later check keeps it.
    for device in common::devices() {
        for n in [1, 3, 4, 7] {
            for k in 0..n {
                let scenario = vec![
                    (vec![Poison::Grad(k, 0, f32::NAN)], vec![], 5),
                    (vec![Poison::Param((k + 1) % n, 0, f32::NAN)], vec![], 6),
                ];
                let status = run(&device, n, &scenario);
                let first = first_non_finite(&status).expect("a slot is set");
                assert_eq!(
                    (first.slot, first.what, first.step),
                    (k, NonFiniteIn::Gradient, 6),
                    "{n} parameters, gradient {k} on {}",
                    device.label()
                );
            }
        }
    }
}

#[test]
fn one_gpu_dispatch_checks_three_parameters() {
    let Some(gpu) = gpu_device() else { return };
    for n in 1..=LENS.len() {
        let status = gpu.fill(n * HEALTH_SLOT, 0.0);
        let (params, grads) = host_values(n, &[]);
        let params: Vec<Storage> = params.iter().map(|v| gpu.upload(v)).collect();
        let grads: Vec<Storage> = grads.iter().map(|v| gpu.upload(v)).collect();
        let checks: Vec<FiniteCheck<'_, Storage>> = (0..n)
            .map(|k| FiniteCheck {
                slot: k,
                param: &params[k],
                grad: Some(&grads[k]),
                len: LENS[k],
            })
            .collect();
        let before = gpu.gpu_stats().expect("stats");
        let status = gpu.check_finite(status, &checks, 1);
        let d = gpu.gpu_stats().expect("stats").since(&before);
        assert_eq!(
            d.dispatches as usize,
            n.div_ceil(3),
            "{n} parameters: {d:?}"
        );
        assert!(first_non_finite(&read(&gpu, &status, n)).is_none());
    }
}
