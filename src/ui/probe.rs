//! The one input the page looks at closely (a drawing on the pad, a clicked test image)
//! and what the model made of it, as published by the driver.

use crate::data::Ink;
use crate::experiment::{Inspection, Prediction};

/// An input to predict.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    /// The drawing pad's ink, turned into the model's input as the data set was made.
    Ink(Ink),
    /// A raw input row in the data set's own units (a test image's pixels).
    Row {
        /// The row.
        raw: Vec<f32>,
        /// What it is, as people say it (`test image 3 (a 7)`).
        label: String,
    },
}

impl Probe {
    /// What the input is, for the heading of the bars.
    pub fn label(&self) -> String {
        match self {
            Probe::Ink(_) => "your drawing".into(),
            Probe::Row { label, .. } => label.clone(),
        }
    }
}

/// What the model made of the probe.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// What the input is ([`Probe::label`]).
    pub label: String,
    /// The raw input row the model got (an image's pixels in the data set's units).
    pub raw: Vec<f32>,
    /// Class names, in output order (empty for regression).
    pub names: Vec<String>,
    /// One probability per class (or the predicted values for regression).
    pub probabilities: Vec<f32>,
    /// Every top-level layer's output for this input (empty when the view that shows
    /// them was off screen).
    pub layers: Vec<Vec<f32>>,
    /// Milliseconds the prediction took (forward pass and readback), by `performance.now()`.
    pub ms: f64,
    /// The optimizer step of the weights used.
    pub step: u64,
}

impl Seen {
    /// The published view of an inspection of `label` at `step`, taking `ms`.
    pub fn new(label: String, ins: Inspection, ms: f64, step: u64) -> Seen {
        let (names, probabilities) = match ins.prediction {
            Prediction::Classes {
                names,
                probabilities,
            } => (names, probabilities.into_iter().next().unwrap_or_default()),
            Prediction::Values { values } => {
                (Vec::new(), values.into_iter().next().unwrap_or_default())
            }
        };
        Seen {
            label,
            raw: ins.raw,
            names,
            probabilities,
            layers: ins.layers,
            ms,
            step,
        }
    }

    /// The most probable class: its index and probability.
    pub fn top(&self) -> Option<(usize, f32)> {
        self.probabilities
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// True when the element with `data-testid` `id` is laid out and at least partly inside
/// the window (a view off screen needs no readback).
pub fn on_screen(id: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let Some(el) = w.document().and_then(|d| {
        d.query_selector(&format!("[data-testid={id}]"))
            .ok()
            .flatten()
    }) else {
        return false;
    };
    let r = el.get_bounding_client_rect();
    let height = w
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    r.height() > 0.0 && r.bottom() > 0.0 && r.top() < height
}
