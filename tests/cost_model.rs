//! The cost model against counts done by hand from the layer sizes, against the
//! parameters of built models, and the verdicts on presets and enormous configs.

use gradlab::backend::Device;
use gradlab::data::{FeatureSet, Pattern2d, Regression1d};
use gradlab::experiment::limits::{Ceiling, DEFAULT_COST_LIMITS, GIB, PAGE_CPU_STEP_FLOPS};
use gradlab::experiment::{
    assess, decode_link, judge, optimizer_ops, presets, BackendChoice, Budget, Cost, DataSource,
    ExperimentConfig, LossKind, Measure, Runner, Verdict,
};
use gradlab::nn::{Activation, Module};
use gradlab::optim::{OptimizerConfig, OptimizerKind};

/// A regression MLP with linear activations, SGD and MSE: every term has a closed form.
fn linear_mlp(hidden: &[usize], batch: usize) -> ExperimentConfig {
    ExperimentConfig {
        data: DataSource::Regression1d(Regression1d::Sine),
        samples: 200,
        test_fraction: 0.25,
        hidden: hidden.to_vec(),
        activations: vec![Activation::Linear; hidden.len()],
        loss: LossKind::Mse,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Sgd,
            lr: 0.01,
            ..OptimizerConfig::default()
        },
        batch_size: batch,
        budget: Budget::Steps(10),
        ..ExperimentConfig::default()
    }
}

#[test]
fn a_linear_mlp_costs_its_matmuls_biases_and_loss_by_hand() {
    // 1 -> 8 -> 3 -> 1, batch 16: 150 train rows, 50 test rows.
    let c = linear_mlp(&[8, 3], 16);
    let cost = Cost::of(&c);
    let b = 16.0;
    let pairs = [(1.0, 8.0), (8.0, 3.0), (3.0, 1.0)];
    // Forward: 2 B i o per matmul, B o per bias; MSE: difference, square, mean (3 B).
    let matmul: f64 = pairs.iter().map(|(i, o)| 2.0 * b * i * o).sum();
    let bias: f64 = pairs.iter().map(|(_, o)| b * o).sum();
    let loss = 3.0 * b;
    assert_eq!(cost.step_forward_flops, matmul + bias + loss);
    // Backward: two matmuls per layer (dX and dW), the bias gradient's row sum, and
    // two ops per element of each loss op.
    assert_eq!(cost.step_backward_flops, 2.0 * matmul + bias + 2.0 * loss);
    // Parameters: 1*8+8 + 8*3+3 + 3*1+1 = 47; SGD does 7 ops on each.
    assert_eq!(cost.params, 47);
    assert_eq!(cost.step_optimizer_flops, 47.0 * 7.0);
    assert_eq!(optimizer_ops(&c.optimizer), 7);
    assert_eq!(cost.optimizer_state_bytes, 0);
    // One evaluation: 200 rows forward (matmuls, biases, loss) per row.
    let per_row = (matmul + bias + loss) / b;
    assert_eq!(cost.eval_flops, 200.0 * per_row);
    // The page's curve: 120 inputs through the model (no loss).
    assert_eq!(cost.view_flops, 120.0 * (matmul + bias) / b);
    // Kept for backward: batch x (1 input + 1 target + 2 per layer output + 2 of the
    // loss) values of 4 bytes.
    let kept = 1 + 1 + 2 * (8 + 3 + 1) + 2;
    assert_eq!(cost.activation_bytes, 4 * 16 * kept);
    assert_eq!(cost.param_bytes, 4 * 47);
    assert_eq!(cost.data_bytes, 4 * 200 * 2);
    // The largest buffer: 150 train rows of the widest layer (8).
    assert_eq!(cost.largest_buffer_bytes, 4 * 150 * 8);
    // The budget: 10 steps, evaluated once per epoch (10 batches of 16 in 150 rows)
    // plus the start: 2 evaluations.
    assert_eq!(cost.run_steps, 10);
    assert_eq!(
        cost.run_flops,
        10.0 * cost.step_flops() + 2.0 * cost.eval_flops
    );
}

#[test]
fn activations_adam_and_cross_entropy_add_their_elementwise_terms() {
    // 2-D circle, features x1, x2 -> 5 tanh -> 2 classes, Adam, batch 10.
    let c = ExperimentConfig {
        data: DataSource::Classify2d(Pattern2d::Circle),
        features: FeatureSet::default(),
        hidden: vec![5],
        activations: vec![Activation::Tanh],
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Adam,
            ..OptimizerConfig::default()
        },
        batch_size: 10,
        ..ExperimentConfig::default()
    };
    let cost = Cost::of(&c);
    let b = 10.0;
    // Layer 1: 2 B 2 5 + B 5 + B 5 (tanh); layer 2: 2 B 5 2 + B 2; cross-entropy: 7 B 2.
    let fwd = 2.0 * b * 10.0 + b * 5.0 + b * 5.0 + 2.0 * b * 10.0 + b * 2.0 + 7.0 * b * 2.0;
    assert_eq!(cost.step_forward_flops, fwd);
    let bwd = 4.0 * b * 10.0 + b * 5.0 + 2.0 * b * 5.0 + 4.0 * b * 10.0 + b * 2.0 + 14.0 * b * 2.0;
    assert_eq!(cost.step_backward_flops, bwd);
    // Adam: 5 (regularised gradient) + 13 per parameter, two state values each.
    assert_eq!(cost.params, 2 * 5 + 5 + 5 * 2 + 2);
    assert_eq!(cost.step_optimizer_flops, 18.0 * cost.params as f64);
    assert_eq!(cost.optimizer_state_bytes, 2 * 4 * cost.params);
    // The page's grid: 40 x 40 cells through the model.
    assert_eq!(
        cost.view_flops,
        1600.0 * (2.0 * 10.0 + 5.0 + 5.0 + 2.0 * 10.0 + 2.0)
    );
}

#[test]
fn parameter_counts_match_every_built_preset() {
    for p in presets() {
        let config = (p.config)();
        let runner = Runner::new(config.clone(), Device::Cpu).unwrap();
        let built: usize = runner
            .model()
            .params()
            .tensors()
            .iter()
            .map(|t| t.numel())
            .sum();
        let cost = Cost::of(&config);
        assert_eq!(cost.params, built as u64, "{}", p.name);
        assert_eq!(cost.rows.train, runner.train_data().n as u64, "{}", p.name);
        assert_eq!(cost.rows.test, runner.test_data().n as u64, "{}", p.name);
    }
}

/// WebGPU's default `maxBufferSize` (256 MiB) and `maxStorageBufferBindingSize`
/// (128 MiB): what any adapter offers.
const WEBGPU_DEFAULT_BUFFER: u64 = 256 << 20;
const WEBGPU_DEFAULT_BINDING: u64 = 128 << 20;

/// Every preset is at least this many times under every default limit (the MLP
/// presets many times more; MNIST's LeNet is the largest).
const PRESET_MARGIN: f64 = 2.0;

/// nanoGPT's CPU configuration, the one preset over the default limits.
const NANOGPT: &str = "shakespeare-char-nanogpt";

/// It is over the default limits (so `gradlab run` asks for --allow-large) and within
/// the machine's ceiling (so --allow-large runs it).
#[test]
fn the_nanogpt_preset_is_over_the_default_limits_and_within_the_ceiling() {
    let config = gradlab::experiment::preset(NANOGPT).expect("the preset exists");
    let (_, verdict) = assess(
        &config,
        &Ceiling::page_gpu(WEBGPU_DEFAULT_BUFFER, WEBGPU_DEFAULT_BINDING),
    );
    assert!(matches!(verdict, Verdict::Large(_)), "{verdict:?}");
}

#[test]
fn every_preset_fits_the_default_limits_with_margin_and_the_page_cpu() {
    println!(
        "{:18} {:>10} {:>12} {:>12} {:>10} {:>10} {:>10} {:>12}",
        "preset", "params", "step", "evaluation", "held", "buffer", "steps", "run"
    );
    // nanoGPT's own CPU configuration is a benchmark run natively with --allow-large:
    // it is over the default limits on purpose (checked below).
    for p in presets().iter().filter(|p| p.name != NANOGPT) {
        // A preset on the CPU backend must also fit the page's CPU ceilings; one that
        // asks for the GPU (`auto`), those of a WebGPU adapter's default limits.
        let config = (p.config)();
        let ceiling = match config.backend {
            BackendChoice::Cpu => Ceiling::page_cpu(),
            _ => Ceiling::page_gpu(WEBGPU_DEFAULT_BUFFER, WEBGPU_DEFAULT_BINDING),
        };
        let (cost, verdict) = assess(&config, &ceiling);
        println!(
            "{:18} {:>10} {:>12} {:>12} {:>10} {:>10} {:>10} {:>12}",
            p.name,
            cost.params,
            gradlab::experiment::flops(cost.step_flops()),
            gradlab::experiment::flops(cost.page_eval_flops()),
            gradlab::experiment::bytes(cost.held_bytes()),
            gradlab::experiment::bytes(cost.largest_buffer_bytes),
            cost.run_steps,
            gradlab::experiment::flops(cost.run_flops),
        );
        assert_eq!(verdict, Verdict::Fits, "{}", p.name);
        let l = DEFAULT_COST_LIMITS;
        for (what, value, limit) in [
            ("step", cost.step_flops(), l.step_flops),
            ("evaluation", cost.page_eval_flops(), l.eval_flops),
            ("held", cost.held_bytes() as f64, l.held_bytes as f64),
            (
                "buffer",
                cost.largest_buffer_bytes as f64,
                l.buffer_bytes as f64,
            ),
        ] {
            assert!(
                value * PRESET_MARGIN <= limit,
                "{}: {what} {value} is within {PRESET_MARGIN}x of {limit}",
                p.name
            );
        }
    }
}

/// The example: 100,000 points, batch 100,000, eight hidden layers of 1,024.
const ENORMOUS: &str = "#v=1&data=spiral&samples=100000&batch=100000\
    &hidden=1024,1024,1024,1024,1024,1024,1024,1024\
    &act=relu,relu,relu,relu,relu,relu,relu,relu";

#[test]
fn the_enormous_link_is_refused_in_the_page_and_needs_confirmation_natively() {
    let c = decode_link(ENORMOUS).unwrap().config;
    let cost = Cost::of(&c);
    // 50,000 train rows in one batch; 7 * 1024^2 + 2 * 1024 + 1024 * 2 weights.
    assert_eq!(cost.rows.batch, 50_000);
    let matmul = 2.0 * 50_000.0 * (7.0 * 1024.0 * 1024.0 + 2.0 * 1024.0 + 1024.0 * 2.0);
    assert!(cost.step_forward_flops > matmul && cost.step_flops() > 3.0 * matmul);
    let page = judge(&cost, &DEFAULT_COST_LIMITS, &Ceiling::page_cpu());
    assert!(!page.may_start(), "{page:?}");
    let over: Vec<Measure> = page.excesses().iter().map(|e| e.measure).collect();
    assert!(over.contains(&Measure::StepFlops) && over.contains(&Measure::HeldBytes));
    let message = page.message(&cost);
    assert!(message.contains("GFLOP per step") || message.contains("TFLOP per step"));
    assert!(message.contains("the memory ceiling"), "{message}");
    // Natively with plenty of memory it is only over the default limits.
    let native = judge(&cost, &DEFAULT_COST_LIMITS, &Ceiling::native(1 << 50));
    assert!(matches!(native, Verdict::Large(_)), "{native:?}");
    // A GPU whose binding limit is WebGPU's default (128 MiB) cannot hold its buffers.
    let gpu = judge(
        &cost,
        &DEFAULT_COST_LIMITS,
        &Ceiling::page_gpu(256 << 20, 128 << 20),
    );
    assert!(gpu
        .excesses()
        .iter()
        .any(|e| e.source.contains("maxStorageBufferBindingSize")));
}

#[test]
fn a_step_over_the_page_cpu_ceiling_is_refused_there_but_not_on_the_gpu() {
    // A single wide layer and a big batch: about 2 GFLOP per step, little memory.
    let mut c = linear_mlp(&[1024, 1024], 100_000);
    c.samples = 2_000;
    let cost = Cost::of(&c);
    assert!(
        cost.step_flops() > PAGE_CPU_STEP_FLOPS,
        "{}",
        cost.summary()
    );
    let cpu = judge(&cost, &DEFAULT_COST_LIMITS, &Ceiling::page_cpu());
    assert!(!cpu.may_start());
    let gpu = judge(
        &cost,
        &DEFAULT_COST_LIMITS,
        &Ceiling::page_gpu(4 * GIB, 4 * GIB),
    );
    assert!(matches!(gpu, Verdict::Large(_)), "{gpu:?}");
}

#[test]
fn messages_name_the_measure_and_how_far_over_it_is() {
    let mut c = linear_mlp(&[512, 512], 2_000);
    c.samples = 4_000;
    c.backend = BackendChoice::Cpu;
    let cost = Cost::of(&c);
    let v = judge(&cost, &DEFAULT_COST_LIMITS, &Ceiling::native(64 * GIB));
    let step = v
        .excesses()
        .iter()
        .find(|e| e.measure == Measure::StepFlops)
        .expect("over the step limit");
    let ratio = cost.step_flops() / DEFAULT_COST_LIMITS.step_flops;
    assert!((step.ratio() - ratio).abs() < 1e-9);
    let text = step.to_string();
    assert!(
        text.contains("per step is") && text.contains("the default limit (500 MFLOP)"),
        "{text}"
    );
    assert!(v.message(&cost).starts_with("this run asks for "));
}

/// Many rows through a thin network: few FLOPs, but millions of values through the
/// elementwise kernels per step, which is what a CPU step in the page pays for.
#[test]
fn many_rows_through_a_thin_network_are_refused_on_the_page_cpu_by_values_not_flops() {
    // circle's own 2 -> 4 -> 2 -> 2 tanh network, 100,000 points, half of them for
    // training, in one batch.
    let decoded = decode_link("#v=1&data=circle&samples=100000&batch=100000").expect("link");
    let c = decoded.config;
    let cost = Cost::of(&c);
    // Per row, by hand: the 2 inputs and 2 one-hot targets; dense 2->4 tanh keeps the
    // matmul, the bias add and tanh (4 * 3); 4->2 tanh likewise (2 * 3); the output
    // layer 2->2 keeps matmul and bias (2 * 2); cross-entropy keeps 4 per output (2 * 4).
    assert_eq!(cost.values_per_row, 4 + 12 + 6 + 4 + 8);
    assert_eq!(cost.rows.batch, 50_000);
    assert_eq!(cost.step_values(), 50_000 * cost.values_per_row);
    assert!(
        cost.step_flops() < PAGE_CPU_STEP_FLOPS / 10.0,
        "{}",
        cost.summary()
    );
    let cpu = judge(&cost, &DEFAULT_COST_LIMITS, &Ceiling::page_cpu());
    let Verdict::TooLarge(over) = &cpu else {
        panic!("refused on the page's CPU: {cpu:?}")
    };
    assert!(
        over.iter().any(|e| e.measure == Measure::StepValues),
        "{over:?}"
    );
    let gpu = judge(
        &cost,
        &DEFAULT_COST_LIMITS,
        &Ceiling::page_gpu(4 * GIB, 4 * GIB),
    );
    assert!(gpu.may_start(), "{gpu:?}");
    // The same points in batches of 10 stream little per step and may run on the CPU.
    let small = Cost::of(&ExperimentConfig {
        batch_size: 10,
        ..c
    });
    let verdict = judge(&small, &DEFAULT_COST_LIMITS, &Ceiling::page_cpu());
    assert!(verdict.may_start(), "{verdict:?}");
}
