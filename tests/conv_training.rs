//! Training through the convolution and pooling kernels: the `mnist-cnn` network
//! (`common::lenet`) fitted by plain SGD to one fixed batch has the same loss history on
//! the GPU as on the CPU, the same history twice on the GPU (deterministic kernels, no
//! atomics), and a falling loss on every device (the gradients point downhill).

mod common;

use common::gpu::gpu_device;
use common::lenet::LeNet;
use common::uniform;
use gradlab::nn::functional::{cross_entropy_logits, one_hot};
use gradlab::rng::Rng;
use gradlab::tensor::no_grad;
use gradlab::{Device, Tensor};

/// Relative agreement of the losses: the GPU's exp, log and tree-ordered sums differ from
/// the CPU's by ulps, and training compounds them slowly (as in `gpu_training.rs`).
const LOSS_TOL: f64 = 1e-5;
/// SGD steps taken.
const STEPS: usize = 12;
/// Learning rate.
const LR: f32 = 0.1;

/// The loss before each of [`STEPS`] SGD steps on one fixed, seeded batch.
fn losses(device: &Device) -> Vec<f64> {
    let mut rng = Rng::new(5);
    let mut net = LeNet::new(device, &mut rng);
    let batch = 16;
    let x = Tensor::from_slice(
        &uniform(&mut rng, batch * 784, 0.0, 1.0),
        &[batch, 1, 28, 28],
        device,
    );
    let labels: Vec<usize> = (0..batch).map(|_| rng.below(10)).collect();
    let t = one_hot(&labels, 10, device);
    let mut out = Vec::with_capacity(STEPS);
    for _ in 0..STEPS {
        let loss = cross_entropy_logits(&net.forward(&x), &t);
        let grads = loss.backward();
        // p <- p - lr * dL/dp, as new leaves.
        let step = |p: &Tensor| {
            let g = grads.get(p).expect("every parameter has a gradient");
            no_grad(|| p.sub(&g.mul_scalar(LR))).requiring_grad()
        };
        net = LeNet {
            c1: (step(&net.c1.0), step(&net.c1.1)),
            c2: (step(&net.c2.0), step(&net.c2.1)),
            fc: (step(&net.fc.0), step(&net.fc.1)),
        };
        out.push(loss.to_vec_blocking().expect("read")[0] as f64);
    }
    out
}

fn assert_falls(device: &Device, l: &[f64]) {
    let (first, last) = (l[0], l[l.len() - 1]);
    assert!(
        last < first,
        "on {}: the loss went from {first} to {last} in {STEPS} steps: {l:?}",
        device.label()
    );
}

#[test]
fn sgd_on_a_conv_net_lowers_the_loss_on_the_cpu() {
    assert_falls(&Device::Cpu, &losses(&Device::Cpu));
}

#[test]
fn conv_net_loss_history_on_the_gpu_matches_the_cpu_and_repeats_exactly() {
    let Some(gpu) = gpu_device() else { return };
    let cpu = losses(&Device::Cpu);
    let on_gpu = losses(&gpu);
    assert_falls(&gpu, &on_gpu);
    for (i, (c, g)) in cpu.iter().zip(&on_gpu).enumerate() {
        let err = (c - g).abs() / c.abs().max(1e-3);
        assert!(
            err <= LOSS_TOL,
            "step {}: loss {g} on the GPU, {c} on the CPU (relative {err:.2e} > {LOSS_TOL:.0e})",
            i + 1
        );
    }
    assert_eq!(losses(&gpu), on_gpu, "a second GPU run gave other losses");
}
