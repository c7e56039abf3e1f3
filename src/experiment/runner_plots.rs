//! Everything the page's plots draw, read back in one go: the model over the input plane
//! (decision boundary, every layer for the network view), a regression's fitted curve,
//! test digits with their predicted classes, and the weights. The page and
//! `gradlab bench` both call [`Runner::plots`], so the bench counts the page's traffic.

use super::{Curve1d, GridView, NamedWeight, Points2d, Runner};
use crate::data::RealSet;
use crate::error::Result;
use crate::experiment::DataSource;
use crate::metrics::argmax_rows;

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
    /// Reads back everything the plots draw. `points` are the run's raw 2-D points
    /// ([`Runner::points_2d`], computed once per run by the caller); `weights`, when the
    /// caller has just read them, are used instead of reading them again.
    pub async fn plots(
        &self,
        points: Option<&(Points2d, Points2d)>,
        weights: Option<Vec<NamedWeight>>,
    ) -> Result<PlotData> {
        let grid = match points {
            Some(p) => {
                let b = grid_bound(p);
                Some(self.grid_view(-b, b, PLOT_GRID).await?)
            }
            None => None,
        };
        let digits = match self.config().data {
            DataSource::Real(RealSet::Digits) => Some(self.digits_plot().await?),
            _ => None,
        };
        Ok(PlotData {
            grid,
            curve: self.curve_1d(PLOT_CURVE_POINTS).await?,
            digits,
            weights: match weights {
                Some(w) => w,
                None => self.weights().await?,
            },
        })
    }

    async fn digits_plot(&self) -> Result<DigitsPlot> {
        let test = self.test_data();
        let n = PLOT_DIGITS.min(test.n);
        let f = test.features;
        let x = test.x[..n * f].to_vec();
        let out = self.predict(&x, n).await?;
        let mut pixels = x;
        if let Some(s) = &self.prepared().x_scaler {
            s.invert(&mut pixels);
        }
        Ok(DigitsPlot {
            images: pixels.chunks(f).map(<[f32]>::to_vec).collect(),
            truth: test.labels()[..n].to_vec(),
            predicted: argmax_rows(&out, n, test.num_classes()),
        })
    }
}
