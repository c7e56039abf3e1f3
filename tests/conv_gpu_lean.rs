//! The sliding-window kernels keep the GPU's per-step path lean: once warm, a forward
//! and backward pass of the `mnist-cnn` network (convolutions, pooling, their
//! gradients) creates no buffers, compiles no pipelines, creates no bind groups and is
//! submitted once. (The runner-level check of the CNN preset joins
//! `gpu_lean_step.rs` with the layer stack.)

mod common;

use common::gpu::gpu_device;
use common::lenet::LeNet;
use common::uniform;
use gradlab::nn::functional::{cross_entropy_logits, one_hot};
use gradlab::rng::Rng;
use gradlab::Tensor;

#[test]
fn a_warm_conv_net_step_creates_nothing_and_submits_once() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(3);
    let net = LeNet::new(&gpu, &mut rng);
    let batch = 8;
    let x = Tensor::from_slice(
        &uniform(&mut rng, batch * 784, 0.0, 1.0),
        &[batch, 1, 28, 28],
        &gpu,
    );
    let labels: Vec<usize> = (0..batch).collect();
    let t = one_hot(&labels, 10, &gpu);
    let step = || {
        let loss = cross_entropy_logits(&net.forward(&x), &t);
        let grads = loss.backward();
        assert_eq!(
            grads.len(),
            net.params().len(),
            "every parameter gets a gradient"
        );
        drop(grads);
        drop(loss);
        gpu.flush();
    };
    for _ in 0..3 {
        step();
    }
    let before = gpu.gpu_stats().expect("GPU stats");
    step();
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    println!("one warm conv-net step: {d:?}");
    assert_eq!(d.buffers_created, 0, "a warm step created buffers: {d:?}");
    assert_eq!(
        d.pipelines_created, 0,
        "a warm step compiled pipelines: {d:?}"
    );
    assert_eq!(
        d.bind_groups_created, 0,
        "a warm step created bind groups: {d:?}"
    );
    assert_eq!(d.submits, 1, "a warm step must submit once: {d:?}");
    assert!(d.dispatches > 0, "the step recorded no work: {d:?}");
    // And it computed something: the loss of a fresh step is finite.
    let loss = cross_entropy_logits(&net.forward(&x), &t);
    let v = loss.to_vec_blocking().expect("read");
    assert!(v[0].is_finite(), "loss {}", v[0]);
}
