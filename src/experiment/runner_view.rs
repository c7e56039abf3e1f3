//! Read-only views of a run for plots: the raw 2-D points of a classification set, the
//! model's output over a grid of the input plane (decision boundary and per-neuron
//! heatmaps of the network view), and the fitted curve of a 1-D regression.
//!
//! Everything here evaluates the model without recording a graph (`no_grad`) and reads
//! values back asynchronously, so the page calls it only a few times per second.

use super::prepare::streams;
use super::{DataSource, Runner};
use crate::autograd::no_grad;
use crate::data::{
    generate_2d, generate_2d_regression, map_features, train_test_split, Dataset, Standardizer,
};
use crate::error::{Error, Result};
use crate::nn::Module;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Labelled 2-D points of one split, in the data's own coordinates (before feature maps
/// and standardisation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Points2d {
    /// `(n, 2)` row-major coordinates.
    pub xy: Vec<f32>,
    /// Class of each point (classification; empty for a regression surface).
    pub labels: Vec<usize>,
    /// Target of each point (a 2-D regression surface; empty for classification).
    pub values: Vec<f32>,
}

/// The model evaluated on an `n x n` grid over `[lo, hi]^2` of the raw input plane.
/// Rows run from `y = hi` (top) down to `y = lo`, columns from `x = lo` to `x = hi`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GridView {
    /// Cells per side.
    pub n: usize,
    /// Lower bound of both coordinates.
    pub lo: f32,
    /// Upper bound of both coordinates.
    pub hi: f32,
    /// Each input feature over the grid: `features[f][cell]`.
    pub inputs: Vec<Vec<f32>>,
    /// Each layer's outputs (after its activation): `layers[l][cell * width + unit]`.
    pub layers: Vec<Vec<f32>>,
    /// Width of each layer.
    pub widths: Vec<usize>,
    /// Probability of class 1 per cell (softmax of the last layer, two classes).
    pub p1: Vec<f32>,
    /// The predicted value per cell in the target's units (a one-output regression;
    /// empty otherwise).
    pub value: Vec<f32>,
}

/// A 1-D regression in original units: the points and the model's curve.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curve1d {
    /// Training points `(x, y)`.
    pub train: Vec<(f32, f32)>,
    /// Test points `(x, y)`.
    pub test: Vec<(f32, f32)>,
    /// The model's prediction at evenly spaced `x` over the data's range.
    pub fit: Vec<(f32, f32)>,
}

impl Runner {
    /// The raw train and test points of a 2-D classification set or regression surface
    /// (the same split as training uses); `None` for other data.
    pub fn points_2d(&self) -> Option<(Points2d, Points2d)> {
        let c = self.config();
        let rng = &mut Rng::derive(c.seed, streams::DATA);
        let ds = match c.data {
            DataSource::Classify2d(pattern) => generate_2d(pattern, c.samples, c.noise, rng),
            DataSource::Regression2d(kind) => generate_2d_regression(kind, c.samples, c.noise, rng),
            _ => return None,
        };
        let (train, test) = train_test_split(
            &ds,
            c.test_fraction,
            &mut Rng::derive(c.seed, streams::SPLIT),
        );
        let pts = |d: &Dataset| Points2d {
            xy: d.x.clone(),
            labels: d.labels(),
            values: if d.is_classification() {
                Vec::new()
            } else {
                d.y.clone()
            },
        };
        Some((pts(&train), pts(&test)))
    }

    /// Model inputs for the centres of an `n x n` grid over `[lo, hi]^2` (feature map and
    /// standardisation applied as for training); `None` unless the data is 2-D.
    pub fn grid_inputs(&self, lo: f32, hi: f32, n: usize) -> Option<Vec<f32>> {
        let c = self.config();
        if !c.data.is_plane() || n == 0 {
            return None;
        }
        let step = (hi - lo) / n as f32;
        let mut pts = Vec::with_capacity(2 * n * n);
        for row in 0..n {
            let y = hi - (row as f32 + 0.5) * step;
            for col in 0..n {
                pts.push(lo + (col as f32 + 0.5) * step);
                pts.push(y);
            }
        }
        let mut x = map_features(&pts, &c.features);
        if let Some(s) = &self.prepared().x_scaler {
            s.apply(&mut x);
        }
        Some(x)
    }

    /// Every layer of the model evaluated over an `n x n` grid (see [`GridView`]).
    pub async fn grid_view(&self, lo: f32, hi: f32, n: usize) -> Result<GridView> {
        let pending = self.grid_pending(lo, hi, n)?;
        let values = Tensor::read_all(&pending.outs.iter().collect::<Vec<_>>()).await?;
        Ok(pending.finish(values))
    }

    /// The grid's model evaluations recorded on the device, not yet read.
    pub(super) fn grid_pending(&self, lo: f32, hi: f32, n: usize) -> Result<PendingGrid> {
        let x = self
            .grid_inputs(lo, hi, n)
            .ok_or_else(|| Error::Config("grid view: the data is not 2-D".into()))?;
        let f = self.train_data().features;
        let cells = n * n;
        let inputs = (0..f)
            .map(|j| (0..cells).map(|i| x[i * f + j]).collect())
            .collect();
        let outs = no_grad(|| {
            let xt = Tensor::from_slice(&x, &[cells, f], self.device());
            self.model().forward_layers(&xt)
        });
        Ok(PendingGrid {
            n,
            lo,
            hi,
            inputs,
            outs,
            y_scaler: self.prepared().y_scaler.clone(),
        })
    }

    /// For a one-input, one-target regression: the points and the model's curve at
    /// `samples` evenly spaced inputs, all in original units; `None` for other data.
    pub async fn curve_1d(&self, samples: usize) -> Result<Option<Curve1d>> {
        let Some(pending) = self.curve_pending(samples)? else {
            return Ok(None);
        };
        let ys = pending.out.to_vec().await?;
        Ok(Some(pending.finish(self, ys)))
    }

    /// The curve's model evaluation recorded on the device, not yet read; `None` for
    /// data other than a one-input, one-target regression.
    pub(super) fn curve_pending(&self, samples: usize) -> Result<Option<PendingCurve>> {
        let (train, test) = (self.train_data(), self.test_data());
        // A 2-D surface reduced to one feature is still drawn over the plane.
        let plane = self.config().data.is_plane();
        if plane || train.is_classification() || train.features != 1 || train.targets != 1 {
            return Ok(None);
        }
        let data = self.prepared();
        let original = |d: &Dataset| -> Vec<(f32, f32)> {
            let (mut x, mut y) = (d.x.clone(), d.y.clone());
            if let Some(s) = &data.x_scaler {
                s.invert(&mut x);
            }
            if let Some(s) = &data.y_scaler {
                s.invert(&mut y);
            }
            x.into_iter().zip(y).collect()
        };
        let (lo, hi) = train
            .x
            .iter()
            .chain(&test.x)
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let samples = samples.max(2);
        // Evenly spaced in the model's (possibly standardised) input space, which is an
        // affine image of the original one.
        let xs: Vec<f32> = (0..samples)
            .map(|i| lo + (hi - lo) * i as f32 / (samples - 1) as f32)
            .collect();
        let out = self.forward_rows(&xs, samples)?;
        let mut xo = xs;
        if let Some(s) = &data.x_scaler {
            s.invert(&mut xo);
        }
        Ok(Some(PendingCurve {
            train: original(train),
            test: original(test),
            x: xo,
            out,
        }))
    }

    /// The model's raw outputs for `n` preprocessed input rows, recorded (not read).
    pub(super) fn forward_rows(&self, x: &[f32], n: usize) -> Result<Tensor> {
        let f = self.train_data().features;
        if x.len() != n * f {
            return Err(Error::Format(format!(
                "predict: {} values are not {n} rows of {f} features",
                x.len()
            )));
        }
        Ok(no_grad(|| {
            self.model()
                .forward(&Tensor::from_slice(x, &[n, f], self.device()))
        }))
    }
}

/// A grid view whose layer outputs are still on the device.
pub(super) struct PendingGrid {
    n: usize,
    lo: f32,
    hi: f32,
    inputs: Vec<Vec<f32>>,
    /// Each layer's output, `(cells, width)`.
    pub outs: Vec<Tensor>,
    /// The regression target's standardisation, undone for [`GridView::value`].
    y_scaler: Option<Standardizer>,
}

impl PendingGrid {
    /// The view, from the layers' values read back (in the order of `outs`).
    pub fn finish(self, layers: Vec<Vec<f32>>) -> GridView {
        let widths: Vec<usize> = self
            .outs
            .iter()
            .map(|t| t.dims().get(1).copied().unwrap_or(1))
            .collect();
        let p1 = match (layers.last(), widths.last()) {
            (Some(logits), Some(&2)) => logits
                .chunks_exact(2)
                .map(|l| 1.0 / (1.0 + libm::expf(l[0] - l[1])))
                .collect(),
            _ => Vec::new(),
        };
        let value = match (layers.last(), widths.last()) {
            (Some(out), Some(&1)) => {
                let mut v = out.clone();
                if let Some(s) = &self.y_scaler {
                    s.invert(&mut v);
                }
                v
            }
            _ => Vec::new(),
        };
        GridView {
            n: self.n,
            lo: self.lo,
            hi: self.hi,
            inputs: self.inputs,
            layers,
            widths,
            p1,
            value,
        }
    }
}

/// A fitted curve whose model outputs are still on the device.
pub(super) struct PendingCurve {
    train: Vec<(f32, f32)>,
    test: Vec<(f32, f32)>,
    /// Sample inputs in original units.
    x: Vec<f32>,
    /// The model's outputs at the samples, `(samples, 1)`.
    pub out: Tensor,
}

impl PendingCurve {
    /// The curve, from the outputs read back (in model units).
    pub fn finish(self, runner: &Runner, mut ys: Vec<f32>) -> Curve1d {
        if let Some(s) = &runner.prepared().y_scaler {
            s.invert(&mut ys);
        }
        Curve1d {
            train: self.train,
            test: self.test,
            fit: self.x.into_iter().zip(ys).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;
    use crate::platform::block_on;
    use crate::Device;

    #[test]
    fn raw_points_mapped_through_the_features_are_the_training_inputs() {
        let r = Runner::new(preset("spiral").unwrap(), Device::Cpu).unwrap();
        let (train, test) = r.points_2d().unwrap();
        let set = r.config().features;
        assert_eq!(map_features(&train.xy, &set), r.train_data().x);
        assert_eq!(map_features(&test.xy, &set), r.test_data().x);
        assert_eq!(train.labels, r.train_data().labels());
    }

    #[test]
    fn grid_view_last_layer_matches_predict_and_p1_is_its_softmax() {
        let r = Runner::new(preset("circle").unwrap(), Device::Cpu).unwrap();
        let n = 5;
        let g = block_on(r.grid_view(-6.0, 6.0, n)).unwrap();
        let x = r.grid_inputs(-6.0, 6.0, n).unwrap();
        let out = block_on(r.predict(&x, n * n)).unwrap();
        assert_eq!(g.layers.last().unwrap(), &out);
        assert_eq!(g.widths, vec![4, 2, 2]);
        for (i, p) in g.p1.iter().enumerate() {
            let (a, b) = (out[2 * i] as f64, out[2 * i + 1] as f64);
            let want = b.exp() / (a.exp() + b.exp());
            assert!((*p as f64 - want).abs() < 1e-6, "{p} vs {want}");
        }
        // The first cell is the top-left corner of the plane.
        let step = 12.0 / n as f32;
        assert_eq!(g.inputs[0][0], -6.0 + 0.5 * step);
        assert_eq!(g.inputs[1][0], 6.0 - 0.5 * step);
    }

    #[test]
    fn surface_points_and_grid_value_match_the_training_rows_and_predict() {
        let mut c = preset("reg-gauss").unwrap();
        c.standardize = true;
        let r = Runner::new(c, Device::Cpu).unwrap();
        let (train, test) = r.points_2d().unwrap();
        let set = r.config().features;
        let s = r.prepared().x_scaler.clone().unwrap();
        let mut want = map_features(&train.xy, &set);
        s.apply(&mut want);
        assert_eq!(want, r.train_data().x);
        assert_eq!(train.xy.len() / 2 + test.xy.len() / 2, 1200);
        assert!(train.labels.is_empty());
        // The targets, in their own units.
        let mut y = r.train_data().y.clone();
        r.prepared().y_scaler.as_ref().unwrap().invert(&mut y);
        for (a, b) in train.values.iter().zip(&y) {
            assert!((a - b).abs() < 1e-6, "{a} {b}");
        }
        let n = 4;
        let g = block_on(r.grid_view(-6.0, 6.0, n)).unwrap();
        let x = r.grid_inputs(-6.0, 6.0, n).unwrap();
        let mut out = block_on(r.predict(&x, n * n)).unwrap();
        r.prepared().y_scaler.as_ref().unwrap().invert(&mut out);
        assert_eq!(g.value, out);
        assert!(g.p1.is_empty());
        assert!(block_on(r.curve_1d(5)).unwrap().is_none());
    }

    #[test]
    fn curve_of_linear_regression_matches_the_weights() {
        let mut r = Runner::new(preset("linear-regression").unwrap(), Device::Cpu).unwrap();
        r.train_steps(20).unwrap();
        let c = block_on(r.curve_1d(11)).unwrap().unwrap();
        let w = block_on(r.weights()).unwrap();
        let (a, b) = (w[0].data[0] as f64, w[1].data[0] as f64);
        assert_eq!(c.fit.len(), 11);
        for &(x, y) in &c.fit {
            assert!((y as f64 - (a * x as f64 + b)).abs() < 1e-5);
        }
        assert_eq!(c.train.len() + c.test.len(), 100);
        assert!(block_on(
            Runner::new(preset("circle").unwrap(), Device::Cpu)
                .unwrap()
                .curve_1d(5)
        )
        .unwrap()
        .is_none());
    }
}
