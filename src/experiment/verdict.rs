//! Verdicts: a [`Cost`] judged against the default limits (over them a run does not
//! start by itself) and against a hard [`Ceiling`] (over it a run never starts there).

use super::cost::Cost;
use super::limits::{Ceiling, CostLimits};
use std::fmt;

/// What was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// FLOPs of one training step.
    StepFlops,
    /// FLOPs of one evaluation (with the page's view).
    EvalFlops,
    /// Bytes held at the peak (for a memory ceiling: with the host's copy of the data).
    HeldBytes,
    /// Bytes of the largest single buffer.
    BufferBytes,
    /// Values one training step streams through elementwise kernels.
    StepValues,
    /// Values one evaluation (with the page's view) streams through elementwise kernels.
    EvalValues,
}

impl Measure {
    /// `value` in this measure's unit, with what it is: `3.2 GFLOP per step`.
    pub fn describe(self, value: f64) -> String {
        match self {
            Measure::StepFlops => format!("{} per step", flops(value)),
            Measure::EvalFlops => format!("{} per evaluation", flops(value)),
            Measure::HeldBytes => format!("{} held", bytes(value as u64)),
            Measure::BufferBytes => format!("{} in one buffer", bytes(value as u64)),
            Measure::StepValues => format!("{} values through the kernels per step", count(value)),
            Measure::EvalValues => {
                format!("{} values through the kernels per evaluation", count(value))
            }
        }
    }

    /// `value` in this measure's unit alone: `3.2 GFLOP`, `410 MB`.
    pub fn amount(self, value: f64) -> String {
        match self {
            Measure::StepFlops | Measure::EvalFlops => flops(value),
            Measure::HeldBytes | Measure::BufferBytes => bytes(value as u64),
            Measure::StepValues | Measure::EvalValues => count(value),
        }
    }
}

/// One measure over one limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Excess {
    /// What is over.
    pub measure: Measure,
    /// The run's value.
    pub value: f64,
    /// The limit it passes.
    pub limit: f64,
    /// Which limit: `the default limit`, `wasm32's 4 GiB`, `the GPU's maxBufferSize`...
    pub source: &'static str,
}

impl Excess {
    /// How many times the limit the value is.
    pub fn ratio(&self) -> f64 {
        self.value / self.limit.max(f64::MIN_POSITIVE)
    }
}

impl fmt::Display for Excess {
    /// `12.8 GFLOP per step is 128x the default limit (100 MFLOP)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.ratio();
        let times = if r >= 10.0 {
            format!("{r:.0}x")
        } else {
            format!("{r:.1}x")
        };
        write!(
            f,
            "{} is {times} {} ({})",
            self.measure.describe(self.value),
            self.source,
            self.measure.amount(self.limit)
        )
    }
}

/// Whether a run may start.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Within the default limits: the run starts by itself.
    Fits,
    /// Over default limits, under every ceiling: it starts only when the person
    /// confirms (the page's button, the CLI's `--allow-large`).
    Large(Vec<Excess>),
    /// Over a ceiling of this device: it never starts here. Holds the ceilings passed
    /// (first) and the default limits passed.
    TooLarge(Vec<Excess>),
}

impl Verdict {
    /// True when the run starts without asking.
    pub fn fits(&self) -> bool {
        matches!(self, Verdict::Fits)
    }

    /// True when the run may start, asked or not.
    pub fn may_start(&self) -> bool {
        !matches!(self, Verdict::TooLarge(_))
    }

    /// Everything over a limit (empty when it fits).
    pub fn excesses(&self) -> &[Excess] {
        match self {
            Verdict::Fits => &[],
            Verdict::Large(e) | Verdict::TooLarge(e) => e,
        }
    }

    /// A message for people: the cost summary, then each limit passed, e.g. `this run
    /// asks for 3.2 GFLOP per step, 1.1 GFLOP per evaluation, 410 MB held: 3.2 GFLOP
    /// per step is 32x the default limit (100 MFLOP)`. Empty when it fits.
    pub fn message(&self, cost: &Cost) -> String {
        match self {
            Verdict::Fits => String::new(),
            Verdict::Large(e) | Verdict::TooLarge(e) => {
                let over: Vec<String> = e.iter().map(Excess::to_string).collect();
                format!("this run asks for {}: {}", cost.summary(), over.join("; "))
            }
        }
    }
}

/// The name of the default limits in messages.
pub const DEFAULT_SOURCE: &str = "the default limit";

/// Judges `cost` against the default `limits` and the device's `ceiling`.
pub fn judge(cost: &Cost, limits: &CostLimits, ceiling: &Ceiling) -> Verdict {
    let step = cost.step_flops();
    let eval = cost.page_eval_flops();
    let held = cost.held_bytes() as f64;
    let buffer = cost.largest_buffer_bytes as f64;
    let mut hard = Vec::new();
    let mut over = |measure, value: f64, limit: Option<f64>, source| {
        if let Some(limit) = limit.filter(|&l| value > l) {
            hard.push(Excess {
                measure,
                value,
                limit,
                source,
            });
        }
    };
    over(
        Measure::HeldBytes,
        cost.process_bytes() as f64,
        Some(ceiling.memory_bytes as f64),
        "the memory ceiling",
    );
    over(
        Measure::BufferBytes,
        buffer,
        ceiling.max_buffer_size.map(|v| v as f64),
        "the GPU's maxBufferSize",
    );
    over(
        Measure::BufferBytes,
        buffer,
        ceiling.max_storage_buffer_binding_size.map(|v| v as f64),
        "the GPU's maxStorageBufferBindingSize",
    );
    over(
        Measure::StepFlops,
        step,
        ceiling.step_flops,
        "the most one step may do in the page on the CPU",
    );
    over(
        Measure::EvalFlops,
        eval,
        ceiling.eval_flops,
        "the most one evaluation may do in the page on the CPU",
    );
    over(
        Measure::StepValues,
        cost.step_values() as f64,
        ceiling.step_values.map(|v| v as f64),
        "the most one step may stream in the page on the CPU",
    );
    over(
        Measure::EvalValues,
        cost.page_eval_values() as f64,
        ceiling.eval_values.map(|v| v as f64),
        "the most one evaluation may stream in the page on the CPU",
    );
    let soft: Vec<Excess> = [
        (Measure::StepFlops, step, limits.step_flops),
        (Measure::EvalFlops, eval, limits.eval_flops),
        (Measure::HeldBytes, held, limits.held_bytes as f64),
        (Measure::BufferBytes, buffer, limits.buffer_bytes as f64),
    ]
    .into_iter()
    .filter(|&(_, value, limit)| value > limit)
    .map(|(measure, value, limit)| Excess {
        measure,
        value,
        limit,
        source: DEFAULT_SOURCE,
    })
    .collect();
    match (hard.is_empty(), soft.is_empty()) {
        (true, true) => Verdict::Fits,
        (true, false) => Verdict::Large(soft),
        (false, _) => {
            hard.extend(soft);
            Verdict::TooLarge(hard)
        }
    }
}

/// The cost of `config` and its verdict against the default limits and `ceiling`: what
/// the page and the CLI call before they build a runner.
pub fn assess(config: &super::ExperimentConfig, ceiling: &Ceiling) -> (Cost, Verdict) {
    let cost = Cost::of(config);
    let verdict = judge(&cost, &super::limits::DEFAULT_COST_LIMITS, ceiling);
    (cost, verdict)
}

/// FLOPs for people, in powers of 1000: `3.2 GFLOP`, `850 kFLOP`.
pub fn flops(v: f64) -> String {
    scaled(v, 1000.0, &["", "k", "M", "G", "T", "P", "E"], "FLOP")
}

/// Bytes for people, in powers of 1024 (as memory and GPU limits are given):
/// `410 MiB`, `4 GiB`.
pub fn bytes(v: u64) -> String {
    scaled(
        v as f64,
        1024.0,
        &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"],
        "B",
    )
}

/// `v` in units of `base^k` with at most three significant digits.
fn scaled(v: f64, base: f64, prefixes: &[&str], unit: &str) -> String {
    let mut x = v.max(0.0);
    let mut p = 0;
    while x >= 999.5 && p + 1 < prefixes.len() {
        x /= base;
        p += 1;
    }
    let digits = if x >= 99.95 {
        0
    } else if x >= 9.995 {
        1
    } else {
        2
    };
    let text = format!("{x:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text} {}{unit}", prefixes[p])
}

/// A count with a metric prefix: `3.4 million`.
fn count(v: f64) -> String {
    match v {
        v if v >= 1e9 => format!("{:.2} billion", v / 1e9),
        v if v >= 1e6 => format!("{:.2} million", v / 1e6),
        v => format!("{v:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_with_three_significant_digits() {
        assert_eq!(flops(3.2e9), "3.2 GFLOP");
        assert_eq!(flops(0.0), "0 FLOP");
        assert_eq!(flops(999.0), "999 FLOP");
        assert_eq!(flops(999.7), "1 kFLOP");
        assert_eq!(bytes(410 << 20), "410 MiB");
        assert_eq!(bytes(4 << 30), "4 GiB");
        assert_eq!(bytes(12_345), "12.1 KiB");
        assert_eq!(bytes(1000), "0.98 KiB");
    }
}
