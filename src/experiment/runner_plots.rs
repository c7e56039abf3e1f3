//! Everything the page's plots draw, read back in one go: the model over the input plane
//! (decision boundary, every layer for the network view), a regression's fitted curve,
//! test digits with their predicted classes, and the weights. The page and
//! `gradlab bench` both call [`Runner::plots`], so the bench counts the page's traffic.

use super::{Curve1d, GridView, NamedWeight, Points2d, Runner};
use crate::data::RealSet;
use crate::error::Result;
use crate::experiment::DataSource;
use crate::metrics::argmax_rows;
use crate::nn::Module;
use crate::tensor::Tensor;

/// Cells per side of the input-plane grid (decision boundary, neuron heatmaps); one
/// canvas pixel per cell in the network view's 40-pixel neuron boxes.
pub const PLOT_GRID: usize = 40;
/// Points on a regression's fitted curve.
pub const PLOT_CURVE_POINTS: usize = 120;
/// Digits shown in the grid of test images.
pub const PLOT_DIGITS: usize = 24;

/// The first test digits in pixel units with their predicted classes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DigitsPlot {
    /// Pixel values (0..16) per image.
    pub images: Vec<Vec<f32>>,
    /// True class of each image.
    pub truth: Vec<usize>,
    /// Predicted class of each image.
    pub predicted: Vec<usize>,
}

/// What the plots draw besides the loss history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotData {
    /// The model over the input plane (2-D classification).
    pub grid: Option<GridView>,
    /// The fitted curve (1-D regression).
    pub curve: Option<Curve1d>,
    /// Test digits and predictions (the digits set).
    pub digits: Option<DigitsPlot>,
    /// The parameters with PyTorch names and shapes.
    pub weights: Vec<NamedWeight>,
}

/// Half-width of the square of the input plane that the grid covers: at least 6, and
/// every point with a 5% margin.
pub fn grid_bound(points: &(Points2d, Points2d)) -> f32 {
    points
        .0
        .xy
        .iter()
        .chain(&points.1.xy)
        .fold(6.0f32, |m, v| m.max(v.abs() * 1.05))
}

impl Runner {
    /// Reads back everything the plots draw, in one readback. `points` are the run's raw
    /// 2-D points ([`Runner::points_2d`], computed once per run by the caller);
    /// `weights`, when the caller already has them, are used instead of reading them.
    pub async fn plots(
        &self,
        points: Option<&(Points2d, Points2d)>,
        weights: Option<Vec<NamedWeight>>,
    ) -> Result<PlotData> {
        Ok(self.plots_with(points, weights, &[]).await?.0)
    }

    /// [`Runner::plots`], also reading the caller's `extra` tensors in the same
    /// readback (an evaluation's losses and outputs, say), returned in their order:
    /// however many values a refresh needs, the device is mapped once.
    pub async fn plots_with(
        &self,
        points: Option<&(Points2d, Points2d)>,
        weights: Option<Vec<NamedWeight>>,
        extra: &[&Tensor],
    ) -> Result<(PlotData, Vec<Vec<f32>>)> {
        // Record every evaluation first, then read them all together.
        let grid = match points {
            Some(p) => {
                let b = grid_bound(p);
                Some(self.grid_pending(-b, b, PLOT_GRID)?)
            }
            None => None,
        };
        let digits = match self.config().data {
            DataSource::Real(RealSet::Digits | RealSet::Mnist) => Some(self.digits_pending()?),
            _ => None,
        };
        let curve = self.curve_pending(PLOT_CURVE_POINTS)?;
        let params = self.model().params();
        let weight_reads: Vec<&Tensor> = match weights {
            Some(_) => Vec::new(),
            None => params.tensors().iter().collect(),
        };
        // Groups in the order they are split again below.
        let groups: [Vec<&Tensor>; 4] = [
            grid.iter().flat_map(|g| g.outs.iter()).collect(),
            digits.iter().map(|d| &d.1).collect(),
            curve.iter().map(|c| &c.out).collect(),
            weight_reads,
        ];
        let take = groups.each_ref().map(Vec::len);
        let reads: Vec<&Tensor> = extra.iter().copied().chain(groups.concat()).collect();
        let mut values = Tensor::read_all(&reads).await?.into_iter();
        let extra_values: Vec<Vec<f32>> = values.by_ref().take(extra.len()).collect();
        let mut next = |n: usize| -> Vec<Vec<f32>> { values.by_ref().take(n).collect() };
        let grid = grid.map(|g| g.finish(next(take[0])));
        let digits = digits.map(|(d, _)| self.digits_finish(d, next(take[1]).concat()));
        let curve = curve.map(|c| c.finish(self, next(take[2]).concat()));
        let weights = match weights {
            Some(w) => w,
            None => params
                .iter()
                .zip(next(take[3]))
                .map(|((name, t), data)| NamedWeight {
                    name: name.to_string(),
                    shape: t.dims().to_vec(),
                    data,
                })
                .collect(),
        };
        let data = PlotData {
            grid,
            curve,
            digits,
            weights,
        };
        Ok((data, extra_values))
    }

    /// The first test digits (in model units) and the model's outputs for them,
    /// recorded (not read).
    fn digits_pending(&self) -> Result<(Vec<f32>, Tensor)> {
        let test = self.test_data();
        let n = PLOT_DIGITS.min(test.n);
        let x = test.x[..n * test.features].to_vec();
        let out = self.forward_rows(&x, n)?;
        Ok((x, out))
    }

    /// The digits view from its inputs and the outputs read back.
    fn digits_finish(&self, x: Vec<f32>, out: Vec<f32>) -> DigitsPlot {
        let test = self.test_data();
        let f = test.features.max(1);
        let n = x.len() / f;
        let mut pixels = x;
        if let Some(s) = &self.prepared().x_scaler {
            s.invert(&mut pixels);
        }
        DigitsPlot {
            images: pixels.chunks(f).map(<[f32]>::to_vec).collect(),
            truth: test.labels()[..n].to_vec(),
            predicted: argmax_rows(&out, n, test.num_classes()),
        }
    }
}
