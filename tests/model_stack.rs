//! The layer stack (`nn::Sequential` built from `nn::Layer`s): forward values against
//! f64 references written here from the layers' definitions, gradients of every input
//! and parameter against central finite differences, the GPU against the CPU, PyTorch's
//! parameter names, dropout's modes, shape errors that name the layer, and the MLP
//! shorthand training exactly like the same stack written out.

mod common;

use common::gpu::gpu_device;
use common::reference::{self as r, Ref};
use common::{check_forward, check_gpu_parity, check_grad, constant, diff, uniform, Case, Tol};
use gradlab::experiment::{validate, DataSource, ExperimentConfig, Runner};
use gradlab::nn::{parse_stack, Activation, Layer, Mode, Module, Sequential};
use gradlab::platform::block_on;
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// A stack whose parameters are the case's inputs after the first (in parameter order).
fn stack_case(
    name: &str,
    text: &str,
    input_shape: &[usize],
    inputs: Vec<common::Input>,
    reference: impl Fn(&[Ref]) -> Ref + 'static,
) -> Case {
    let layers = parse_stack(text).unwrap();
    let shape = input_shape.to_vec();
    Case::new(
        name,
        inputs,
        move |xs: &[Tensor]| {
            let device = xs[0].device();
            let mut model =
                Sequential::new(&layers, &shape, &mut Rng::new(0), device).expect("shapes fit");
            for (i, p) in xs[1..].iter().enumerate() {
                model.params_mut().set(i, p.clone());
            }
            model.forward(&xs[0])
        },
        reference,
    )
    .tol(Tol::ACCUMULATE)
}

/// `x @ w^T + b` on the last axis of `x` (rows = everything before it).
fn dense(x: &Ref, w: &Ref, b: &Ref) -> Ref {
    let (n_in, n_out) = (w.dims[1], w.dims[0]);
    let rows = x.data.len() / n_in;
    let mut out = Vec::with_capacity(rows * n_out);
    for row in x.data.chunks(n_in) {
        for o in 0..n_out {
            let dot: f64 = (0..n_in).map(|i| row[i] * w.data[o * n_in + i]).sum();
            out.push(dot + b.data[o]);
        }
    }
    let mut dims = x.dims.clone();
    *dims.last_mut().unwrap() = n_out;
    Ref::new(&dims, out)
}

/// PyTorch's layer norm over the last axis (biased variance, eps 1e-5).
fn layer_norm(x: &Ref, g: &Ref, b: &Ref) -> Ref {
    let n = *x.dims.last().unwrap();
    let mut out = Vec::new();
    for row in x.data.chunks(n) {
        let mean = row.iter().sum::<f64>() / n as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        for (i, v) in row.iter().enumerate() {
            out.push((v - mean) / (var + 1e-5).sqrt() * g.data[i] + b.data[i]);
        }
    }
    Ref::new(&x.dims, out)
}

fn map(x: &Ref, f: impl Fn(f64) -> f64) -> Ref {
    Ref::new(&x.dims, x.data.iter().map(|&v| f(v)).collect())
}

/// GELU's tanh form, from its definition.
fn gelu(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
}

fn cases() -> Vec<Case> {
    let mut rng = Rng::new(17);
    let mut u = |n: usize, lo: f32, hi: f32| uniform(&mut rng, n, lo, hi);
    let residual = stack_case(
        "res(layernorm,dense(3),gelu),tanh,dense(2)",
        "res(layernorm,dense(3),gelu),tanh,dense(2)",
        &[3],
        vec![
            diff(&[4, 3], u(12, -2.0, 2.0)),
            diff(&[3], u(3, 0.5, 1.5)),
            diff(&[3], u(3, -0.5, 0.5)),
            diff(&[3, 3], u(9, -1.0, 1.0)),
            diff(&[3], u(3, -0.5, 0.5)),
            diff(&[2, 3], u(6, -1.0, 1.0)),
            diff(&[2], u(2, -0.5, 0.5)),
        ],
        |x: &[Ref]| {
            let body = map(&dense(&layer_norm(&x[0], &x[1], &x[2]), &x[3], &x[4]), gelu);
            let h = r::binary(gradlab::tensor::BinaryOp::Add, &x[0], &body);
            dense(&map(&h, f64::tanh), &x[5], &x[6])
        },
    );
    // Ids 0..5 as exact integers; the table and the dense layer get gradients.
    let ids: Vec<f32> = [0, 4, 2, 2, 1, 3, 0, 4].iter().map(|&v| v as f32).collect();
    let embedding = stack_case(
        "embed(5,3),flatten,dense(2)",
        "embed(5,3),flatten,dense(2)",
        &[4],
        vec![
            constant(&[2, 4], ids),
            diff(&[5, 3], u(15, -1.0, 1.0)),
            diff(&[2, 12], u(24, -1.0, 1.0)),
            diff(&[2], u(2, -0.5, 0.5)),
        ],
        |x: &[Ref]| {
            let rows: Vec<f64> = x[0]
                .data
                .iter()
                .flat_map(|&id| x[1].data[id as usize * 3..id as usize * 3 + 3].to_vec())
                .collect();
            dense(&Ref::new(&[2, 12], rows), &x[2], &x[3])
        },
    );
    // A dense layer on the last axis of a sequence, then layer norm there.
    let sequence = stack_case(
        "dense(4),layernorm,relu on [2, 3, 2]",
        "dense(4),layernorm,sigmoid,flatten,dense(1)",
        &[3, 2],
        vec![
            diff(&[2, 6], u(12, -2.0, 2.0)),
            diff(&[4, 2], u(8, -1.0, 1.0)),
            diff(&[4], u(4, -0.5, 0.5)),
            diff(&[4], u(4, 0.5, 1.5)),
            diff(&[4], u(4, -0.5, 0.5)),
            diff(&[1, 12], u(12, -1.0, 1.0)),
            diff(&[1], u(1, -0.5, 0.5)),
        ],
        |x: &[Ref]| {
            let seq = Ref::new(&[2, 3, 2], x[0].data.clone());
            let h = layer_norm(&dense(&seq, &x[1], &x[2]), &x[3], &x[4]);
            let h = map(&h, |v| 1.0 / (1.0 + (-v).exp()));
            dense(&Ref::new(&[2, 12], h.data), &x[5], &x[6])
        },
    );
    vec![residual, embedding, sequence]
}

#[test]
fn stacks_match_their_f64_definitions_and_finite_differences() {
    common::on_each_device(|device| {
        let mut rng = Rng::new(5);
        for case in cases() {
            check_forward(device, &case).unwrap();
            check_grad(device, &case, &mut rng).unwrap();
        }
    });
}

#[test]
fn stacks_on_the_gpu_match_the_cpu() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(6);
    for case in cases() {
        check_gpu_parity(&gpu, &case, &mut rng).unwrap();
    }
}

#[test]
fn parameters_are_named_like_pytorch_sequential() {
    let layers =
        parse_stack("dense(4),relu,res(layernorm,dense(4)),dropout(0.5),dense(2)").unwrap();
    let model = Sequential::new(&layers, &[3], &mut Rng::new(1), &Device::Cpu).unwrap();
    let names: Vec<(&str, Vec<usize>)> = model
        .params()
        .iter()
        .map(|(n, t)| (n, t.dims().to_vec()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("0.weight", vec![4, 3]),
            ("0.bias", vec![4]),
            ("2.0.weight", vec![4]),
            ("2.0.bias", vec![4]),
            ("2.1.weight", vec![4, 4]),
            ("2.1.bias", vec![4]),
            ("4.weight", vec![2, 4]),
            ("4.bias", vec![2]),
        ]
    );
}

#[test]
fn dropout_is_seeded_in_training_and_the_identity_in_evaluation() {
    let layers = vec![Layer::Dropout { p: 0.25 }];
    let model = Sequential::new(&layers, &[400], &mut Rng::new(1), &Device::Cpu).unwrap();
    let x = Tensor::ones(&[1, 400], &Device::Cpu);
    let run = |mode| common::read(&model.forward_mode(&x, mode));
    assert_eq!(run(Mode::Eval), vec![1.0; 400]);
    let a = run(Mode::Train { seed: 3 });
    assert_eq!(a, run(Mode::Train { seed: 3 }), "same seed, same mask");
    assert_ne!(
        a,
        run(Mode::Train { seed: 4 }),
        "another seed, another mask"
    );
    // Inverted dropout: kept values scaled by 1 / (1 - p), about p of them zeroed.
    assert!(a.iter().all(|&v| v == 0.0 || v == 1.0 / 0.75));
    let dropped = a.iter().filter(|&&v| v == 0.0).count();
    assert!((60..=140).contains(&dropped), "{dropped} of 400 dropped");
}

fn with_model(data: DataSource, text: &str) -> ExperimentConfig {
    ExperimentConfig {
        data,
        model: Some(parse_stack(text).unwrap()),
        ..ExperimentConfig::default()
    }
}

#[test]
fn a_stack_that_does_not_fit_its_data_names_the_layer_and_both_shapes() {
    use gradlab::data::RealSet;
    let digits = DataSource::Real(RealSet::Digits);
    for (text, says) in [
        (
            "dense(10)",
            "the model gives [1, 8, 10] per example but the task needs [10]",
        ),
        (
            "flatten,dense(10),res(relu,conv(2,3)),dense(10)",
            "layer 2.1 (conv(2,3)) got shape [10]",
        ),
        (
            "flatten,dense(10),res(dense(5)),dense(10)",
            "layer 2 (res(dense(5))) got shape [10]: the block gives [5], which cannot be added",
        ),
        (
            "flatten,embed(9,2),flatten,dense(10)",
            "layer 1 (embed(9,2)) needs token ids, but digits holds real values",
        ),
        ("flatten,dense(16),relu,dense(3)", "needs [10]"),
        (
            "conv(4,9),flatten,dense(10)",
            "layer 0 (conv(4,9)) got shape [1, 8, 8]",
        ),
        ("flatten,maxpool(2),dense(10)", "needs an image"),
        (
            "flatten,dense(2000),dense(10)",
            "layer 1 (dense(2000)): hidden[i] must be in 1..=1024",
        ),
        (
            "flatten,dropout(1),dense(10)",
            "dropout p must be in [0, 1)",
        ),
    ] {
        let e = validate(&with_model(digits, text)).unwrap_err().to_string();
        assert!(e.contains(says), "{text}: {e}");
    }
    let fits = with_model(digits, "conv(4,3,1,1),relu,maxpool(2),flatten,dense(10)");
    assert_eq!(validate(&fits), Ok(()));
}

#[test]
fn the_mlp_shorthand_trains_exactly_like_its_stack_written_out() {
    let shorthand = ExperimentConfig {
        hidden: vec![6, 3],
        activations: vec![Activation::Relu, Activation::Gelu],
        budget: gradlab::experiment::Budget::Steps(12),
        ..ExperimentConfig::default()
    };
    let written = ExperimentConfig {
        model: Some(parse_stack("dense(6),relu,dense(3),gelu,dense(2)").unwrap()),
        ..shorthand.clone()
    };
    let train = |c: ExperimentConfig| {
        let mut r = Runner::new(c, Device::Cpu).unwrap();
        block_on(r.run(|_, _| {})).unwrap();
        block_on(r.weights()).unwrap()
    };
    assert_eq!(train(shorthand), train(written));
}
