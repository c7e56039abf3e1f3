//! The plot frame: what the plots draw, the runner's [`PlotData`] (read back in one go a
//! few times per second, see [`Runner::plots`]) with the run's fixed facts beside it. Not
//! the runner's `experiment::Snapshot`, which is the training state.

use super::state::{DigitsView, PlotFrame};
use crate::data::Task;
use crate::experiment::{PlotData, Points2d, Runner};

/// The page's frame of `plots`, read back from `r`; `points` are the run's raw 2-D
/// points (computed once per run).
pub fn read_plot_frame(
    r: &Runner,
    points: Option<(Points2d, Points2d)>,
    plots: PlotData,
) -> PlotFrame {
    let train = r.train_data();
    PlotFrame {
        points,
        grid: plots.grid,
        curve: plots.curve,
        digits: plots.digits.map(|d| DigitsView {
            images: d.images,
            truth: d.truth,
            predicted: d.predicted,
        }),
        weights: plots.weights,
        sizes: r.model().mlp_sizes().unwrap_or_default(),
        feature_names: train.feature_names.clone(),
        class_names: match &train.task {
            Task::Classification { class_names } => class_names.clone(),
            Task::Regression => Vec::new(),
        },
        image: r.image_spec(),
        layers: r.model().layers().to_vec(),
        input_shape: r.model().input_shape().to_vec(),
        shapes: r.model().shapes().to_vec(),
    }
}
