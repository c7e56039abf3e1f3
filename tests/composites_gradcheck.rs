//! The composites of `nn::functional` (and `mean_axes`), which have no backward rules of
//! their own: forward values against f64 formulas written here from their definitions,
//! and gradients against central finite differences of those formulas, on every
//! device, and the GPU against the CPU backend; through the op table's helpers
//! (`check_forward`, `check_grad`, `check_gpu_parity`). Inputs avoid the kinks (abs and
//! max at 0, |p - t| at 0).

mod common;

use common::gpu::gpu_device;
use common::reference::{self as r, Ref};
use common::{
    assert_no_failures, away_from_zero, axis_subsets, check_forward, check_gpu_parity, check_grad,
    constant, diff, distinct, failures, on_each_device, uniform, Case, Tol,
};
use gradlab::nn::functional as f;
use gradlab::rng::Rng;
use gradlab::tensor::ReduceOp;
use gradlab::{Device, Tensor};

/// A case with the accumulation tolerance (the composites sum along an axis).
fn accumulating_case(
    name: impl Into<String>,
    inputs: Vec<common::Input>,
    run: impl Fn(&[Tensor]) -> Tensor + 'static,
    reference: impl Fn(&[Ref]) -> Ref + 'static,
) -> Case {
    Case::new(name, inputs, run, reference).tol(Tol::ACCUMULATE)
}

/// Flat positions of every line of `dims` along `axis`, one `Vec` per line.
fn lines(dims: &[usize], axis: usize) -> Vec<Vec<usize>> {
    (0..r::numel(dims))
        .filter(|&flat| r::unravel(flat, dims)[axis] == 0)
        .map(|flat| {
            let mut i = r::unravel(flat, dims);
            (0..dims[axis])
                .map(|k| {
                    i[axis] = k;
                    r::ravel(&i, dims)
                })
                .collect()
        })
        .collect()
}

/// `y[line] = g(x[line])` for every line along `axis`.
fn per_line(x: &Ref, axis: usize, g: impl Fn(&[f64]) -> Vec<f64>) -> Ref {
    let mut out = x.clone();
    for line in lines(&x.dims, axis) {
        let v: Vec<f64> = line.iter().map(|&i| x.data[i]).collect();
        for (&i, y) in line.iter().zip(g(&v)) {
            out.data[i] = y;
        }
    }
    out
}

/// `ln sum_j e^(v_j)`, shifted by the max for range.
fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

fn log_softmax_ref(x: &Ref, axis: usize) -> Ref {
    per_line(x, axis, |v| {
        let lse = log_sum_exp(v);
        v.iter().map(|x| x - lse).collect()
    })
}

fn softmax_ref(x: &Ref, axis: usize) -> Ref {
    let mut y = log_softmax_ref(x, axis);
    y.data.iter_mut().for_each(|v| *v = v.exp());
    y
}

fn mean_of(v: impl Iterator<Item = f64>) -> Ref {
    let v: Vec<f64> = v.collect();
    Ref::new(&[], vec![v.iter().sum::<f64>() / v.len() as f64])
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// GELU's tanh form, from its definition.
fn gelu(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh())
}

fn softmax_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for dims in [&[7usize][..], &[2, 3, 4]] {
        for axis in 0..dims.len() {
            let x = uniform(rng, r::numel(dims), -3.0, 3.0);
            cases.push(accumulating_case(
                format!("softmax {dims:?} axis {axis}"),
                vec![diff(dims, x.clone())],
                move |x| f::softmax(&x[0], axis),
                move |x| softmax_ref(&x[0], axis),
            ));
            cases.push(accumulating_case(
                format!("log_softmax {dims:?} axis {axis}"),
                vec![diff(dims, x)],
                move |x| f::log_softmax(&x[0], axis),
                move |x| log_softmax_ref(&x[0], axis),
            ));
        }
    }
    cases
}

fn loss_cases(rng: &mut Rng) -> Vec<Case> {
    let (b, c) = (4usize, 5usize);
    let logits = uniform(rng, b * c, -3.0, 3.0);
    let mut one_hot = vec![0.0; b * c];
    for row in 0..b {
        one_hot[row * c + rng.below(c)] = 1.0;
    }
    let soft = uniform(rng, b * c, 0.0, 1.0);
    // -(1/B) sum_bc t_bc log_softmax(x)_bc
    let ce = move |x: &[Ref]| {
        let lp = log_softmax_ref(&x[0], 1);
        let s: f64 = lp.data.iter().zip(&x[1].data).map(|(l, t)| l * t).sum();
        Ref::new(&[], vec![-s / b as f64])
    };
    let p = uniform(rng, 12, 0.05, 0.95);
    let t = uniform(rng, 12, 0.0, 1.0);
    let logit = away_from_zero(rng, 12, -3.0, 3.0, 0.1);
    let pred = distinct(rng, 12, -2.0, 2.0);
    // Targets at least 0.1 from the predictions, on either side (MAE's kink is p = t).
    let off = away_from_zero(rng, 12, -1.0, 1.0, 0.1);
    let target: Vec<f32> = pred.iter().zip(&off).map(|(p, o)| p + o).collect();
    let bce = |x: &[Ref]| {
        let terms = x[0].data.iter().zip(&x[1].data);
        let r = mean_of(terms.map(|(p, t)| t * p.ln() + (1.0 - t) * (1.0 - p).ln()));
        Ref::new(&[], vec![-r.data[0]])
    };
    vec![
        accumulating_case(
            "cross_entropy_logits [4, 5], one-hot targets",
            vec![diff(&[b, c], logits.clone()), constant(&[b, c], one_hot)],
            |x| f::cross_entropy_logits(&x[0], &x[1]),
            ce,
        ),
        accumulating_case(
            "cross_entropy_logits [4, 5], soft targets",
            vec![diff(&[b, c], logits), diff(&[b, c], soft)],
            |x| f::cross_entropy_logits(&x[0], &x[1]),
            ce,
        ),
        accumulating_case(
            "binary_cross_entropy [3, 4]",
            vec![diff(&[3, 4], p), diff(&[3, 4], t.clone())],
            |x| f::binary_cross_entropy(&x[0], &x[1]),
            bce,
        ),
        // Checked against the plain form -mean(t ln s(x) + (1 - t) ln(1 - s(x))).
        accumulating_case(
            "bce_with_logits [3, 4]",
            vec![diff(&[3, 4], logit), diff(&[3, 4], t)],
            |x| f::bce_with_logits(&x[0], &x[1]),
            move |x| {
                let s = Ref::new(&x[0].dims, x[0].data.iter().map(|&v| sigmoid(v)).collect());
                bce(&[s, x[1].clone()])
            },
        ),
        accumulating_case(
            "mse [12]",
            vec![diff(&[12], pred.clone()), diff(&[12], target.clone())],
            |x| f::mse(&x[0], &x[1]),
            |x| {
                mean_of(
                    x[0].data
                        .iter()
                        .zip(&x[1].data)
                        .map(|(p, t)| (p - t).powi(2)),
                )
            },
        ),
        accumulating_case(
            "mae [2, 6]",
            vec![diff(&[2, 6], pred), diff(&[2, 6], target)],
            |x| f::mae(&x[0], &x[1]),
            |x| mean_of(x[0].data.iter().zip(&x[1].data).map(|(p, t)| (p - t).abs())),
        ),
    ]
}

fn layer_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = vec![accumulating_case(
        "gelu [13]",
        vec![diff(&[13], uniform(rng, 13, -4.0, 4.0))],
        |x| f::gelu(&x[0]),
        |x| Ref::new(&x[0].dims, x[0].data.iter().map(|&v| gelu(v)).collect()),
    )];
    let eps = 1e-5;
    for dims in [&[4usize, 5][..], &[2, 3, 6]] {
        let c = dims[dims.len() - 1];
        cases.push(accumulating_case(
            format!("layer_norm {dims:?}"),
            vec![
                diff(dims, uniform(rng, r::numel(dims), -2.0, 2.0)),
                diff(&[c], uniform(rng, c, 0.5, 1.5)),
                diff(&[c], uniform(rng, c, -0.5, 0.5)),
            ],
            move |x| f::layer_norm(&x[0], &x[1], &x[2], eps as f32),
            move |x| {
                let last = x[0].dims.len() - 1;
                // (x - mean) / sqrt(var + eps), biased variance, then * gamma + beta.
                let z = per_line(&x[0], last, |v| {
                    let m = v.iter().sum::<f64>() / v.len() as f64;
                    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64;
                    v.iter().map(|x| (x - m) / (var + eps).sqrt()).collect()
                });
                let data = z.data.iter().enumerate();
                let data = data.map(|(i, v)| v * x[1].data[i % c] + x[2].data[i % c]);
                Ref::new(&z.dims, data.collect())
            },
        ));
    }
    // mean_axes: a sum scaled by 1/n, over every axis set.
    let dims = [2usize, 3, 4];
    for axes in axis_subsets(dims.len()) {
        let n: usize = axes.iter().map(|&a| dims[a]).product();
        let (ax, ax_ref) = (axes.clone(), axes.clone());
        cases.push(accumulating_case(
            format!("mean_axes {dims:?} over {axes:?}"),
            vec![diff(&dims, uniform(rng, 24, -2.0, 2.0))],
            move |x| x[0].mean_axes(&ax, true),
            move |x| {
                let s = r::reduce(ReduceOp::Sum, &x[0], &ax_ref);
                Ref::new(&s.dims, s.data.iter().map(|v| v / n as f64).collect())
            },
        ));
    }
    cases
}

fn all_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = softmax_cases(rng);
    cases.extend(loss_cases(rng));
    cases.extend(layer_cases(rng));
    cases
}

fn composites_match_on(device: &Device) {
    let mut rng = Rng::new(0xC0_4E);
    let cases = all_cases(&mut rng);
    let mut failed = failures(&cases, |c| check_forward(device, c));
    failed.extend(failures(&cases, |c| check_grad(device, c, &mut rng)));
    assert_no_failures(&failed, 2 * cases.len());
}

#[test]
fn composites_match_f64_formulas_and_finite_differences() {
    on_each_device(composites_match_on);
}

/// The composites on the GPU against the CPU backend, forward and gradients: the same
/// cases through the table's parity check.
#[test]
fn composites_on_the_gpu_match_the_cpu() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(0xC0_4E);
    let cases = all_cases(&mut rng);
    let failed = failures(&cases, |c| check_gpu_parity(&gpu, c, &mut rng).map(|_| ()));
    assert_no_failures(&failed, cases.len());
}
