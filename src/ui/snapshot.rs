//! What the plots draw: the runner's [`PlotData`] (read back in one go a few times per
//! second, see [`Runner::plots`]) with the run's fixed facts beside it.

use super::state::{DigitsView, Snapshot};
use crate::data::Task;
use crate::experiment::{PlotData, Points2d, Runner};

/// The page's snapshot of `plots`, read back from `r`; `points` are the run's raw 2-D
/// points (computed once per run).
pub fn snapshot(r: &Runner, points: Option<(Points2d, Points2d)>, plots: PlotData) -> Snapshot {
    let train = r.train_data();
    Snapshot {
        points,
        grid: plots.grid,
        curve: plots.curve,
        digits: plots.digits.map(|d| DigitsView {
            images: d.images,
            truth: d.truth,
            predicted: d.predicted,
        }),
        weights: plots.weights,
        sizes: r.model().sizes().to_vec(),
        feature_names: train.feature_names.clone(),
        class_names: match &train.task {
            Task::Classification { class_names } => class_names.clone(),
            Task::Regression => Vec::new(),
        },
    }
}
