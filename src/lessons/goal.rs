//! A step's goals: conditions on the live metrics of the run (`test_accuracy >= 0.95`,
//! `train_loss < 0.01 within 100 epochs`), on the experiment's shape
//! (`hidden_layers <= 2`), or `diverged` (the run blew up, which lesson 5 asks for).
//! The page and the native test judge goals with the same [`Goal::met`].

use crate::experiment::{Budget, ExperimentConfig, HistoryPoint};
use std::fmt;

/// What a goal measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Loss over the training set.
    TrainLoss,
    /// Loss over the test set.
    TestLoss,
    /// Test accuracy (classification).
    Accuracy,
    /// Test precision (classification).
    Precision,
    /// Test recall (classification).
    Recall,
    /// Test F1 (classification).
    F1,
    /// Share of test dates translated exactly (the dates translator).
    ExactMatch,
    /// Test mean squared error in original units (regression).
    Mse,
    /// Test R² (regression).
    R2,
    /// Hidden layers of the model (a property of the experiment, not of training).
    HiddenLayers,
    /// Hidden units in all (the experiment).
    HiddenUnits,
}

impl Metric {
    /// Every metric with its name in lesson files.
    pub const ALL: [(Metric, &'static str); 11] = [
        (Metric::TrainLoss, "train_loss"),
        (Metric::TestLoss, "test_loss"),
        (Metric::Accuracy, "test_accuracy"),
        (Metric::Precision, "test_precision"),
        (Metric::Recall, "test_recall"),
        (Metric::F1, "test_f1"),
        (Metric::ExactMatch, "test_exact_match"),
        (Metric::Mse, "test_mse"),
        (Metric::R2, "test_r2"),
        (Metric::HiddenLayers, "hidden_layers"),
        (Metric::HiddenUnits, "hidden_units"),
    ];

    /// The metric's name in lesson files.
    pub fn name(self) -> &'static str {
        Metric::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("", |(_, n)| n)
    }

    /// True for a property of the experiment (judged on the config, not on training).
    pub fn of_config(self) -> bool {
        matches!(self, Metric::HiddenLayers | Metric::HiddenUnits)
    }

    /// True when the metric exists for a classification task (`true`) or a regression
    /// task (`false`).
    pub fn applies(self, classification: bool) -> bool {
        match self {
            Metric::Accuracy
            | Metric::Precision
            | Metric::Recall
            | Metric::F1
            | Metric::ExactMatch => classification,
            Metric::Mse | Metric::R2 => !classification,
            _ => true,
        }
    }

    /// The metric's value at `p` (`None` when the task does not report it).
    fn at(self, p: &HistoryPoint) -> Option<f64> {
        let m = &p.metrics;
        match self {
            Metric::TrainLoss => Some(p.train_loss),
            Metric::TestLoss => Some(p.test_loss),
            Metric::Accuracy => m.accuracy,
            Metric::Precision => m.precision,
            Metric::Recall => m.recall,
            Metric::F1 => m.f1,
            Metric::ExactMatch => m.exact_match,
            Metric::Mse => m.mse,
            Metric::R2 => m.r2,
            Metric::HiddenLayers | Metric::HiddenUnits => None,
        }
    }

    /// The metric's value for the experiment `c` (config metrics only).
    fn of(self, c: &ExperimentConfig) -> Option<f64> {
        let dense = || c.hidden.iter().copied();
        match (self, &c.model) {
            (Metric::HiddenLayers, None) => Some(dense().count() as f64),
            (Metric::HiddenUnits, None) => Some(dense().sum::<usize>() as f64),
            // A layer stack: every layer but the output counts as hidden.
            (Metric::HiddenLayers, Some(stack)) => Some(stack.len().saturating_sub(1) as f64),
            _ => None,
        }
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A time limit on a metric goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Within {
    /// At or before this many whole epochs.
    Epochs(u32),
    /// At or before this many steps.
    Steps(u64),
    /// At the last point of a finished run (`at end`): where a metric ends up, not its
    /// best moment (an overfitting model's test loss dips, then rises).
    End,
}

/// One goal of a step.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// `metric cmp value [within ...]`.
    Reach {
        /// What is measured.
        metric: Metric,
        /// How it compares.
        cmp: Cmp,
        /// With what.
        value: f64,
        /// By when (metric goals only).
        within: Option<Within>,
    },
    /// The run diverged (a NaN or an infinity was caught).
    Diverged,
}

impl Goal {
    /// Parses `train_loss < 0.01 within 100 epochs`, `hidden_layers <= 2`, `diverged`.
    pub fn parse(text: &str) -> Result<Goal, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words == ["diverged"] {
            return Ok(Goal::Diverged);
        }
        let (name, op, value, rest) = match words.as_slice() {
            [n, o, v, rest @ ..] => (*n, *o, *v, rest),
            _ => return Err(format!("goal `{text}`: expected `metric op value`")),
        };
        let metric = Metric::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(m, _)| *m)
            .ok_or_else(|| {
                let names: Vec<_> = Metric::ALL.iter().map(|(_, n)| *n).collect();
                format!(
                    "goal `{text}`: unknown metric `{name}` (one of {})",
                    names.join(", ")
                )
            })?;
        let cmp = match op {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return Err(format!("goal `{text}`: unknown comparison `{op}`")),
        };
        let value: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("goal `{text}`: `{value}` is not a number"))?;
        let within = match rest {
            [] => None,
            ["at", "end"] => Some(Within::End),
            ["within", n, unit] => {
                let n: u64 = n
                    .parse()
                    .map_err(|_| format!("goal `{text}`: `{n}` is not a whole number"))?;
                match *unit {
                    "epochs" | "epoch" => Some(Within::Epochs(
                        u32::try_from(n).map_err(|_| format!("goal `{text}`: too many epochs"))?,
                    )),
                    "steps" | "step" => Some(Within::Steps(n)),
                    _ => return Err(format!("goal `{text}`: `within` takes epochs or steps")),
                }
            }
            _ => {
                return Err(format!(
                    "goal `{text}`: expected `within N epochs|steps` or `at end` at the end"
                ))
            }
        };
        if metric.of_config() && within.is_some() {
            return Err(format!("goal `{text}`: {name} is not measured over time"));
        }
        Ok(Goal::Reach {
            metric,
            cmp,
            value,
            within,
        })
    }

    /// Whether the goal is met by a run of `config` with this `history`, which has
    /// `diverged` or not. A metric goal is met once any point (inside its time limit)
    /// meets it; a goal on the experiment is judged on `config` as it is now.
    pub fn met(&self, config: &ExperimentConfig, history: &[HistoryPoint], diverged: bool) -> bool {
        match *self {
            Goal::Diverged => diverged,
            Goal::Reach {
                metric,
                cmp,
                value,
                within,
            } => {
                if metric.of_config() {
                    return metric.of(config).is_some_and(|v| cmp.holds(v, value));
                }
                if within == Some(Within::End) {
                    return history
                        .last()
                        .filter(|p| finished(config, p))
                        .and_then(|p| metric.at(p))
                        .is_some_and(|v| cmp.holds(v, value));
                }
                history
                    .iter()
                    .filter(|p| match within {
                        None => true,
                        Some(Within::Epochs(e)) => p.epoch <= e,
                        Some(Within::Steps(s)) => p.step <= s,
                        Some(Within::End) => false,
                    })
                    .filter_map(|p| metric.at(p))
                    .any(|v| cmp.holds(v, value))
            }
        }
    }

    /// The metric the goal names (`None` for `diverged`).
    pub fn metric(&self) -> Option<Metric> {
        match self {
            Goal::Reach { metric, .. } => Some(*metric),
            Goal::Diverged => None,
        }
    }
}

/// Whether `p` is the last point of a run of `config` (its budget spent).
fn finished(config: &ExperimentConfig, p: &HistoryPoint) -> bool {
    match config.budget {
        Budget::Epochs(n) => p.epoch >= n,
        Budget::Steps(n) => p.step >= n,
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::Diverged => write!(f, "diverged"),
            Goal::Reach {
                metric,
                cmp,
                value,
                within,
            } => {
                write!(f, "{} {} {}", metric.name(), cmp.symbol(), value)?;
                match within {
                    Some(Within::Epochs(n)) => write!(f, " within {n} epochs"),
                    Some(Within::Steps(n)) => write!(f, " within {n} steps"),
                    Some(Within::End) => write!(f, " at end"),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Metrics;

    fn point(step: u64, epoch: u32, train_loss: f64, accuracy: f64) -> HistoryPoint {
        HistoryPoint {
            step,
            epoch,
            train_loss,
            test_loss: train_loss,
            metrics: Metrics {
                accuracy: Some(accuracy),
                ..Metrics::default()
            },
        }
    }

    #[test]
    fn parses_and_prints_back() {
        for text in [
            "train_loss < 0.01 within 100 epochs",
            "test_accuracy >= 0.95",
            "hidden_layers <= 2",
            "test_loss < 0.4 at end",
            "diverged",
        ] {
            assert_eq!(Goal::parse(text).unwrap().to_string(), text);
        }
        assert!(Goal::parse("loss < 1").is_err());
        assert!(Goal::parse("train_loss << 1").is_err());
        assert!(Goal::parse("train_loss < NaN").is_err());
        assert!(Goal::parse("hidden_layers < 2 within 3 epochs").is_err());
    }

    #[test]
    fn judged_on_history_within_the_limit() {
        let h = [point(10, 1, 0.5, 0.6), point(20, 2, 0.005, 0.97)];
        let c = ExperimentConfig::default();
        let g = Goal::parse("train_loss < 0.01 within 2 epochs").unwrap();
        assert!(g.met(&c, &h, false));
        let g = Goal::parse("train_loss < 0.01 within 1 epochs").unwrap();
        assert!(!g.met(&c, &h, false));
        let g = Goal::parse("test_accuracy >= 0.95").unwrap();
        assert!(g.met(&c, &h, false));
        assert!(!g.met(&c, &h[..1], false));
        assert!(Goal::Diverged.met(&c, &[], true));
        // `at end`: the last point of a finished run only.
        let c2 = ExperimentConfig {
            budget: Budget::Epochs(2),
            ..ExperimentConfig::default()
        };
        let g = Goal::parse("test_accuracy < 0.7 at end").unwrap();
        assert!(!g.met(&c2, &h, false));
        assert!(!g.met(&c2, &h[..1], false), "run not finished");
        let g = Goal::parse("train_loss < 0.01 at end").unwrap();
        assert!(g.met(&c2, &h, false));
        assert!(!Goal::Diverged.met(&c, &h, false));
    }

    #[test]
    fn judged_on_the_config() {
        let c = ExperimentConfig {
            hidden: vec![4, 3],
            ..ExperimentConfig::default()
        };
        assert!(Goal::parse("hidden_layers <= 2")
            .unwrap()
            .met(&c, &[], false));
        assert!(!Goal::parse("hidden_layers < 2")
            .unwrap()
            .met(&c, &[], false));
        assert!(Goal::parse("hidden_units <= 7")
            .unwrap()
            .met(&c, &[], false));
    }
}
