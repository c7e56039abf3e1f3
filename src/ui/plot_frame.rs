//! The plot frame: what the plots draw, read back from the runner a few times per second
//! (the model over the input plane, the fitted curve, the weights, digits with
//! predictions). Not the runner's `experiment::Snapshot`, which is the training state.

use super::state::{DigitsView, PlotFrame};
use crate::data::{RealSet, Task};
use crate::error::Result;
use crate::experiment::{DataSource, NamedWeight, Points2d, Runner};
use crate::metrics::argmax_rows;

/// Cells per side of the input-plane grid (decision boundary, neuron heatmaps); one
/// canvas pixel per cell in the network view's 40-pixel neuron boxes.
const GRID: usize = 40;
/// Points on a regression's fitted curve.
const CURVE_POINTS: usize = 120;
/// Digits shown in the grid of test images.
const DIGITS_SHOWN: usize = 24;

/// Reads back everything the plots draw; `weights`, when the caller has just read them,
/// are used instead of reading them again.
pub async fn read_plot_frame(
    r: &Runner,
    points: Option<(Points2d, Points2d)>,
    weights: Option<Vec<NamedWeight>>,
) -> Result<PlotFrame> {
    let grid = match &points {
        Some((train, test)) => {
            let bound = train
                .xy
                .iter()
                .chain(&test.xy)
                .fold(6.0f32, |m, v| m.max(v.abs() * 1.05));
            Some(r.grid_view(-bound, bound, GRID).await?)
        }
        None => None,
    };
    let digits = match r.config().data {
        DataSource::Real(RealSet::Digits) => Some(digits_view(r).await?),
        _ => None,
    };
    let train = r.train_data();
    Ok(PlotFrame {
        points,
        grid,
        curve: r.curve_1d(CURVE_POINTS).await?,
        digits,
        weights: match weights {
            Some(w) => w,
            None => r.weights().await?,
        },
        sizes: r.model().sizes().to_vec(),
        feature_names: train.feature_names.clone(),
        class_names: match &train.task {
            Task::Classification { class_names } => class_names.clone(),
            Task::Regression => Vec::new(),
        },
    })
}

/// The first test digits in pixel units with their predicted classes.
async fn digits_view(r: &Runner) -> Result<DigitsView> {
    let test = r.test_data();
    let n = DIGITS_SHOWN.min(test.n);
    let f = test.features;
    let x = test.x[..n * f].to_vec();
    let out = r.predict(&x, n).await?;
    let mut pixels = x;
    if let Some(s) = &r.prepared().x_scaler {
        s.invert(&mut pixels);
    }
    Ok(DigitsView {
        images: pixels.chunks(f).map(<[f32]>::to_vec).collect(),
        truth: test.labels()[..n].to_vec(),
        predicted: argmax_rows(&out, n, test.num_classes()),
    })
}
