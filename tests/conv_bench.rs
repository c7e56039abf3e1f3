//! Timing of the `mnist-cnn` network (LeNet-like: conv(8, 5, pad 2), relu, maxpool 2,
//! conv(16, 5), relu, maxpool 2, flatten, dense(10)) built from the tensor ops: one
//! training step's forward and backward at batch 64 on 28x28 inputs, and the one-image
//! forward of the page's draw-a-digit pad, on the CPU and (when present) the GPU.
//! Ignored by default; run on purpose:
//! `cargo test --release --test conv_bench -- --ignored --nocapture`.

mod common;

use common::gpu::gpu_device;
use common::lenet::LeNet;
use common::uniform;
use gradlab::nn::functional::{cross_entropy_logits, one_hot};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};
use std::time::Instant;

/// Best of `reps` wall times of `f`, in milliseconds.
fn best_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn time_on(device: &Device) {
    let mut rng = Rng::new(7);
    let net = LeNet::new(device, &mut rng);
    let batch = 64;
    let x = Tensor::from_slice(
        &uniform(&mut rng, batch * 784, 0.0, 1.0),
        &[batch, 1, 28, 28],
        device,
    );
    let labels: Vec<usize> = (0..batch).map(|i| i % 10).collect();
    let t = one_hot(&labels, 10, device);
    // Forward and backward, waiting for every gradient (the GPU computes asynchronously).
    let step = || {
        let loss = cross_entropy_logits(&net.forward(&x), &t);
        let grads = loss.backward();
        let gs: Vec<&Tensor> = net
            .params()
            .iter()
            .map(|p| grads.get(p).expect("gradient"))
            .collect();
        let mut all = vec![&loss];
        all.extend(gs);
        let v = gradlab::platform::block_on(Tensor::read_all(&all)).expect("read");
        assert!(v[0][0].is_finite(), "loss {}", v[0][0]);
    };
    step();
    let train = best_ms(5, step);
    let one = Tensor::from_slice(&uniform(&mut rng, 784, 0.0, 1.0), &[1, 1, 28, 28], device);
    let infer = || {
        let y = gradlab::tensor::no_grad(|| net.forward(&one));
        let v = gradlab::platform::block_on(y.to_vec()).expect("read");
        assert_eq!(v.len(), 10);
    };
    infer();
    let single = best_ms(10, infer);
    println!(
        "mnist-cnn on {}: forward+backward, batch {batch}: {train:.1} ms; forward of one image: {single:.2} ms",
        device.label()
    );
}

#[test]
#[ignore = "a timing, run on purpose with --ignored --nocapture"]
fn mnist_cnn_step_and_single_image_forward_times() {
    // A yardstick measured in the same minute: on a shared machine the times above
    // scale with its load, and this rate says by how much.
    let mut rng = Rng::new(1);
    let a = Tensor::from_slice(
        &uniform(&mut rng, 256 * 256, -1.0, 1.0),
        &[256, 256],
        &Device::Cpu,
    );
    let ms = best_ms(5, || {
        let _ = a.matmul(&a);
    });
    println!(
        "yardstick: CPU matmul n = 256 at {:.1} GFLOP/s",
        2.0 * 256f64.powi(3) / (ms * 1e6)
    );
    time_on(&Device::Cpu);
    if let Some(gpu) = gpu_device() {
        time_on(&gpu);
    }
}
