//! The composites of the transformer: multi-head attention against a naive f64 loop
//! (forward, finite-difference gradients, GPU parity), masked keys getting exactly zero
//! weight, and the fused GELU and layer norm keeping the composed forms' CPU bits.

mod common;

use common::reference::Ref;
use common::{check_forward, check_gpu_parity, check_grad, diff, gpu::gpu_device, no_grad};
use common::{on_each_device, read, uniform, Case, Tol};
use gradlab::nn::functional::{attention, attention_with_weights, gelu, layer_norm};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Textbook multi-head attention in f64: for each batch, head and query, softmax over
/// the visible keys of `q.k / sqrt(dh)`, times `v`; no visible key gives zeros.
fn naive_attention(
    q: &Ref,
    k: &Ref,
    v: &Ref,
    heads: usize,
    causal: bool,
    mask: Option<&Ref>,
) -> Ref {
    let (b, tq, d) = (q.dims[0], q.dims[1], q.dims[2]);
    let tk = k.dims[1];
    let dh = d / heads;
    let mut out = vec![0.0; b * tq * d];
    for bi in 0..b {
        for h in 0..heads {
            for i in 0..tq {
                let visible: Vec<usize> = (0..tk)
                    .filter(|&j| !causal || j + tq <= i + tk)
                    .filter(|&j| mask.is_none_or(|m| m.data[bi * tk + j] != 0.0))
                    .collect();
                let score = |j: usize| {
                    (0..dh)
                        .map(|c| {
                            q.data[(bi * tq + i) * d + h * dh + c]
                                * k.data[(bi * tk + j) * d + h * dh + c]
                        })
                        .sum::<f64>()
                        / (dh as f64).sqrt()
                };
                let scores: Vec<f64> = visible.iter().map(|&j| score(j)).collect();
                let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = scores.iter().map(|s| (s - m).exp()).sum();
                for (&j, s) in visible.iter().zip(&scores) {
                    let w = (s - m).exp() / z;
                    for c in 0..dh {
                        out[(bi * tq + i) * d + h * dh + c] +=
                            w * v.data[(bi * tk + j) * d + h * dh + c];
                    }
                }
            }
        }
    }
    Ref::new(&[b, tq, d], out)
}

/// Attention cases: self-attention, causal, a longer key sequence, a key mask with a
/// fully masked batch entry.
fn cases(rng: &mut Rng) -> Vec<Case> {
    let rows: [(usize, usize, usize, usize, usize, bool, bool); 4] = [
        (2, 5, 5, 8, 2, false, false),
        (2, 4, 4, 6, 3, true, false),
        (1, 3, 6, 4, 1, true, false),
        (2, 4, 5, 8, 4, false, true),
    ];
    rows.iter()
        .map(|&(b, tq, tk, d, heads, causal, masked)| {
            let mut inputs = vec![
                diff(&[b, tq, d], uniform(rng, b * tq * d, -1.5, 1.5)),
                diff(&[b, tk, d], uniform(rng, b * tk * d, -1.5, 1.5)),
                diff(&[b, tk, d], uniform(rng, b * tk * d, -1.5, 1.5)),
            ];
            if masked {
                let mut m = vec![1.0; b * tk];
                m[1] = 0.0;
                m[tk..].iter_mut().for_each(|x| *x = 0.0);
                inputs.push(no_grad(&[b, tk], m));
            }
            Case::new(
                format!("attention b{b} q{tq} k{tk} d{d} h{heads} causal {causal} mask {masked}"),
                inputs,
                move |x| attention(&x[0], &x[1], &x[2], heads, causal, x.get(3)),
                move |x| naive_attention(&x[0], &x[1], &x[2], heads, causal, x.get(3)),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

#[test]
fn attention_matches_a_naive_loop_forward_and_in_gradients() {
    on_each_device(|d| {
        let mut rng = Rng::new(77);
        for case in cases(&mut Rng::new(1)) {
            check_forward(d, &case).unwrap();
            check_grad(d, &case, &mut rng).unwrap();
        }
    });
    if let Some(gpu) = gpu_device() {
        let mut rng = Rng::new(78);
        for case in cases(&mut Rng::new(1)) {
            check_gpu_parity(&gpu, &case, &mut rng).unwrap();
        }
    }
}

#[test]
fn masked_keys_get_exactly_zero_weight_and_masked_rows_no_nan() {
    on_each_device(|d| {
        let mut rng = Rng::new(3);
        let (b, t, dim) = (2, 4, 4);
        let t3 = |rng: &mut Rng| {
            Tensor::from_slice(&uniform(rng, b * t * dim, -3.0, 3.0), &[b, t, dim], d)
        };
        let (q, k, v) = (t3(&mut rng), t3(&mut rng), t3(&mut rng));
        let mask = Tensor::from_slice(&[1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], &[b, t], d);
        let (out, w) = attention_with_weights(&q, &k, &v, 2, true, Some(&mask));
        let (out, w) = (read(&out), read(&w));
        for h in 0..2 {
            for i in 0..t {
                for j in 0..t {
                    let w0 = w[((h) * t + i) * t + j];
                    let w1 = w[((2 + h) * t + i) * t + j];
                    if j == 1 || j > i {
                        assert_eq!(
                            w0.to_bits(),
                            0,
                            "masked key {j} of query {i} has weight {w0}"
                        );
                    }
                    assert_eq!(
                        w1.to_bits(),
                        0,
                        "a fully masked batch entry has weight {w1}"
                    );
                }
            }
        }
        assert!(out.iter().all(|x| x.is_finite()));
        assert!(
            out[t * dim..].iter().all(|&x| x == 0.0),
            "no visible key gives zeros"
        );
    });
}

/// GELU as it was composed from primitives before the fused op.
fn composed_gelu(x: &Tensor) -> Tensor {
    let c = (2.0f64 / std::f64::consts::PI).sqrt() as f32;
    let inner = x.add(&x.mul(x).mul(x).mul_scalar(0.044715)).mul_scalar(c);
    x.mul(&inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

#[test]
fn fused_gelu_keeps_the_composed_cpu_bits_forward_and_backward() {
    assert_eq!(
        gradlab::op::GELU_C,
        (2.0f64 / std::f64::consts::PI).sqrt() as f32
    );
    let mut rng = Rng::new(12);
    let mut xs = uniform(&mut rng, 4000, -10.0, 10.0);
    xs.extend([0.0, -0.0, 1e-20, -1e-20, 30.0, -30.0]);
    let n = xs.len();
    let g = uniform(&mut rng, n, -2.0, 2.0);
    let run = |f: &dyn Fn(&Tensor) -> Tensor| {
        let x = Tensor::parameter(&xs, &[n], &Device::Cpu);
        let y = f(&x);
        let grads = y
            .mul(&Tensor::from_slice(&g, &[n], &Device::Cpu))
            .sum_all()
            .backward();
        (read(&y), read(grads.get(&x).unwrap()))
    };
    let (fy, fg) = run(&gelu);
    let (cy, cg) = run(&composed_gelu);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&fy), bits(&cy), "forward bits differ");
    assert_eq!(bits(&fg), bits(&cg), "gradient bits differ");
}

/// Layer norm as it was composed from primitives before the fused op.
fn composed_layer_norm(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f32) -> Tensor {
    let a = x.rank() - 1;
    let mean = x.mean_axes(&[a], true);
    let centered = x.sub(&mean);
    let var = centered.square().mean_axes(&[a], true);
    centered
        .div(&var.add_scalar(eps).sqrt())
        .mul(gamma)
        .add(beta)
}

#[test]
fn fused_layer_norm_keeps_the_composed_cpu_forward_bits() {
    let mut rng = Rng::new(21);
    let d = &Device::Cpu;
    let x = Tensor::from_slice(&uniform(&mut rng, 6 * 37, -4.0, 4.0), &[2, 3, 37], d);
    let gamma = Tensor::from_slice(&uniform(&mut rng, 37, 0.5, 1.5), &[37], d);
    let beta = Tensor::from_slice(&uniform(&mut rng, 37, -1.0, 1.0), &[37], d);
    let fused = read(&layer_norm(&x, &gamma, &beta, 1e-5));
    let composed = read(&composed_layer_norm(&x, &gamma, &beta, 1e-5));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&fused), bits(&composed));
}
