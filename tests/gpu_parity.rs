//! Every op of the vocabulary on the GPU against the CPU backend, forward and backward
//! (gradients from `backward()` on both devices), over every case of the op table
//! (`common::cases`): shapes that are not multiples of the workgroup size, broadcasting
//! edges, size-1 and empty dimensions, ties, NaN conditions and hostile indices. The
//! table matches exhaustively over `OpKind`, so a new op cannot be missed. Large matmul
//! sizes and both matmul kernels are in `gpu_matmul.rs`.

mod common;

use common::cases::check_table;
use common::gpu::gpu_device;
use common::{check_gpu_parity, Case, PARITY_GRAD_TOL};
use gradlab::rng::Rng;
use gradlab::tensor::OpKind;
use gradlab::Device;

/// The worst errors of one op's cases.
struct Worst {
    kind: OpKind,
    cases: usize,
    forward: f64,
    forward_tol: f64,
    gradient: f64,
}

fn parity_on(gpu: &Device) {
    let mut rng = Rng::new(2024);
    let mut worst: Vec<Worst> = Vec::new();
    let (failed, total) = check_table(
        |_| true,
        |kind, case: &Case| {
            if worst.last().is_none_or(|w| w.kind != kind) {
                worst.push(Worst {
                    kind,
                    cases: 0,
                    forward: 0.0,
                    forward_tol: 0.0,
                    gradient: 0.0,
                });
            }
            let w = worst.last_mut().expect("pushed above");
            w.cases += 1;
            w.forward_tol = w.forward_tol.max(case.tol.parity);
            let (f, g) = check_gpu_parity(gpu, case, &mut rng)?;
            w.forward = w.forward.max(f);
            w.gradient = w.gradient.max(g);
            Ok(())
        },
    );
    for w in &worst {
        println!(
            "{:<22} {:>3} cases  worst forward {:.2e} (tol <= {:.0e})  worst gradient {:.2e} (tol {PARITY_GRAD_TOL:.0e})",
            w.kind.name(),
            w.cases,
            w.forward,
            w.forward_tol,
            w.gradient,
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {total} GPU parity cases failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn every_op_matches_the_cpu_reference_forward_and_backward() {
    let Some(gpu) = gpu_device() else { return };
    parity_on(&gpu);
}

/// The parity check must fail when the devices disagree: in forward values, and in
/// which inputs a gradient reaches.
#[test]
fn parity_check_rejects_a_device_that_differs() {
    let Some(gpu) = gpu_device() else { return };
    let x = || vec![common::diff(&[3], vec![0.5, 1.0, 1.5])];
    let reference = |x: &[common::reference::Ref]| x[0].clone();
    let wrong_value = Case::new(
        "exp on the CPU, tanh on the GPU",
        x(),
        |t| {
            if t[0].device().is_gpu() {
                t[0].tanh()
            } else {
                t[0].exp()
            }
        },
        reference,
    );
    let cut_gradient = Case::new(
        "a gradient on the CPU only",
        x(),
        |t| {
            if t[0].device().is_gpu() {
                t[0].detach().exp()
            } else {
                t[0].exp()
            }
        },
        reference,
    );
    let mut rng = Rng::new(3);
    for case in [&wrong_value, &cut_gradient] {
        assert!(
            check_gpu_parity(&gpu, case, &mut rng).is_err(),
            "{} passed",
            case.name
        );
    }
}
