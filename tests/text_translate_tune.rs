//! Tuning harness (ignored): trains the translator with sizes from the environment.

use gradlab::experiment::{preset, Budget, ExperimentConfig, Runner, Seq2SeqSpec};
use gradlab::platform::block_on;
use gradlab::Device;

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore]
fn tune_translator() {
    let base = preset("translate-dates").unwrap();
    let steps = env("GL_STEPS", 300.0) as u64;
    let mut c = ExperimentConfig {
        budget: Budget::Steps(steps),
        samples: env("GL_SAMPLES", 11000.0) as usize,
        batch_size: env("GL_BATCH", 64.0) as usize,
        eval_every: env("GL_EVAL", 100.0) as u64,
        seq2seq: Some(Seq2SeqSpec {
            dim: env("GL_DIM", 32.0) as usize,
            heads: env("GL_HEADS", 2.0) as usize,
            ff: env("GL_FF", 64.0) as usize,
            encoder_layers: env("GL_ENC", 1.0) as usize,
            decoder_layers: env("GL_DEC", 1.0) as usize,
        }),
        ..base
    };
    c.optimizer.lr = env("GL_LR", 3e-3) as f32;
    c.optimizer.decay_steps = steps;
    c.optimizer.warmup_steps = env("GL_WARMUP", 100.0) as u64;
    let mut r = Runner::new(c, Device::Cpu).unwrap();
    let t = std::time::Instant::now();
    let last = block_on(r.run(|p, _| {
        eprintln!(
            "{:>6.1}s step {} train {:.4} test {:.4} exact {:?} token {:?}",
            t.elapsed().as_secs_f64(),
            p.step,
            p.train_loss,
            p.test_loss,
            p.metrics.exact_match,
            p.metrics.token_accuracy
        )
    }))
    .unwrap();
    eprintln!("done in {:?}: {:?}", t.elapsed(), last.metrics.exact_match);
}
