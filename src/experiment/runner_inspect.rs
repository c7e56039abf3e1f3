//! One input looked at closely: the model's prediction for a single raw row (a drawn
//! digit, a chosen test image) and, when asked, what every top-level layer made of it
//! (the feature maps of the page's "what the network sees"), all from ONE forward pass
//! and ONE readback.
//!
//! A run on the GPU can also be looked at through a CPU copy of its model made from
//! weights already read back ([`Runner::cpu_copy`]): the drawing pad then predicts on
//! every stroke without waiting on the device, and its time is the CPU's.

use super::link::match_weights;
use super::{NamedWeight, Prediction, Runner};
use crate::autograd::no_grad;
use crate::backend::Device;
use crate::data::Task;
use crate::error::{Error, Result};
use crate::nn::functional::softmax;
use crate::nn::{Mode, Module, Sequential};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// What the model made of one input.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// The raw input row, in the data set's own units (an image's pixels).
    pub raw: Vec<f32>,
    /// The model's answer: class probabilities, or targets in their original units.
    pub prediction: Prediction,
    /// The output of every top-level layer for this input (shapes as
    /// `model().shapes()`, no batch axis), or empty when they were not asked for.
    pub layers: Vec<Vec<f32>>,
}

impl Runner {
    /// The prediction for one raw row (see [`Runner::predict_raw`]) and, when
    /// `layer_outputs` is set, every top-level layer's output for it: one forward pass
    /// in evaluation mode, one readback.
    pub async fn inspect(&self, raw: &[f32], layer_outputs: bool) -> Result<Inspection> {
        self.inspect_with(self.model(), self.device(), raw, layer_outputs)
            .await
    }

    /// [`Runner::inspect`] through `model` on `device`: this run's model or a copy of
    /// it ([`Runner::cpu_copy`]), with this run's preprocessing.
    pub async fn inspect_with(
        &self,
        model: &Sequential,
        device: &Device,
        raw: &[f32],
        layer_outputs: bool,
    ) -> Result<Inspection> {
        if model.layers() != self.model().layers() {
            return Err(Error::Config(
                "the model to look through is not this run's model".into(),
            ));
        }
        let x = self.preprocess(raw, 1)?;
        let f = self.train_data().features;
        let classes = match &self.train_data().task {
            Task::Classification { class_names } => Some(class_names.clone()),
            Task::Regression => None,
        };
        let (outs, answer) = no_grad(|| {
            let input = Tensor::from_slice(&x, &[1, f], device);
            let outs = model.forward_all(&input, Mode::Eval);
            let answer = outs.last().map(|last| match classes {
                Some(_) => softmax(last, 1),
                None => last.clone(),
            });
            (outs, answer)
        });
        let answer = answer.ok_or_else(|| Error::Format("the model has no layers".into()))?;
        let mut reads = vec![&answer];
        if layer_outputs {
            reads.extend(outs.iter());
        }
        let mut values = Tensor::read_all(&reads).await?.into_iter();
        let mut first = values.next().unwrap_or_default();
        let prediction = match classes {
            Some(names) => Prediction::Classes {
                names,
                probabilities: vec![first],
            },
            None => {
                if let Some(s) = &self.prepared().y_scaler {
                    s.invert(&mut first);
                }
                Prediction::Values {
                    values: vec![first],
                }
            }
        };
        Ok(Inspection {
            raw: raw.to_vec(),
            prediction,
            layers: values.collect(),
        })
    }

    /// This run's model on the CPU backend with `weights` (as read back, matched by
    /// name and checked like a loaded file's), for [`Runner::inspect_with`].
    pub fn cpu_copy(&self, weights: &[NamedWeight]) -> Result<Sequential> {
        let m = self.model();
        let cpu = Device::Cpu;
        // The drawn initial weights are all replaced below.
        let mut copy = Sequential::new(m.layers(), m.input_shape(), &mut Rng::new(0), &cpu)
            .map_err(|e| Error::Config(e.to_string()))?;
        let want: Vec<(String, Vec<usize>)> = m
            .params()
            .iter()
            .map(|(name, t)| (name.to_string(), t.dims().to_vec()))
            .collect();
        let ordered = match_weights(weights, &want)?;
        for (i, w) in ordered.iter().enumerate() {
            copy.params_mut()
                .set(i, Tensor::from_slice(&w.data, &w.shape, &cpu));
        }
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;
    use crate::nn::Module;
    use crate::platform::block_on;
    use crate::Device;

    fn digits_runner(steps: u64) -> Runner {
        let config = preset("digits").expect("digits preset");
        let mut r = Runner::new(config, Device::Cpu).expect("runner");
        r.train_steps(steps).expect("train");
        r
    }

    /// The first test image in raw pixel units.
    fn first_test_image(r: &Runner) -> Vec<f32> {
        let mut row = r.test_data().row(0).to_vec();
        if let Some(s) = &r.prepared().x_scaler {
            s.invert(&mut row);
        }
        row
    }

    #[test]
    fn inspection_prediction_matches_predict_raw() {
        let r = digits_runner(20);
        let raw = first_test_image(&r);
        let want = block_on(r.predict_raw(&raw, 1)).expect("predict");
        let got = block_on(r.inspect(&raw, false)).expect("inspect");
        assert_eq!(got.prediction, want);
        assert!(got.layers.is_empty());
        assert_eq!(got.raw, raw);
    }

    #[test]
    fn first_dense_layer_output_matches_an_f64_reference() {
        let r = digits_runner(20);
        let raw = first_test_image(&r);
        let got = block_on(r.inspect(&raw, true)).expect("inspect");
        let shapes = r.model().shapes();
        assert_eq!(got.layers.len(), r.model().layers().len());
        for (values, shape) in got.layers.iter().zip(shapes) {
            assert_eq!(values.len(), shape.iter().product::<usize>());
        }
        // Layer 0 is dense: y = W x + b on the standardised input, in f64.
        let x = r.preprocess(&raw, 1).expect("preprocess");
        let params = r.model().params();
        let w = block_on(params.get(0).to_vec()).expect("weight");
        let b = block_on(params.get(1).to_vec()).expect("bias");
        let out = b.len();
        for (j, &got_j) in got.layers[0].iter().enumerate().take(out) {
            let want: f64 = b[j] as f64
                + (0..x.len())
                    .map(|i| w[j * x.len() + i] as f64 * x[i] as f64)
                    .sum::<f64>();
            assert!(
                (got_j as f64 - want).abs() <= 1e-4 * (1.0 + want.abs()),
                "unit {j}: {got_j} vs {want}"
            );
        }
        // The last layer's outputs are the logits whose softmax is the prediction.
        let logits = got.layers.last().expect("layers");
        let max = logits.iter().fold(f64::MIN, |m, &v| m.max(v as f64));
        let exp: Vec<f64> = logits.iter().map(|&v| (v as f64 - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        let Prediction::Classes { probabilities, .. } = &got.prediction else {
            panic!("digits is a classification set");
        };
        for (p, e) in probabilities[0].iter().zip(&exp) {
            assert!(
                (*p as f64 - e / total).abs() <= 1e-5,
                "{p} vs {}",
                e / total
            );
        }
    }

    #[test]
    fn a_cpu_copy_sees_what_the_run_sees() {
        let r = digits_runner(20);
        let raw = first_test_image(&r);
        let want = block_on(r.inspect(&raw, true)).expect("inspect");
        let copy = r
            .cpu_copy(&block_on(r.weights()).expect("weights"))
            .expect("copy");
        let got = block_on(r.inspect_with(&copy, &Device::Cpu, &raw, true)).expect("inspect");
        assert_eq!(got, want);
        // Weights of another shape are refused, naming the parameter.
        let mut wrong = block_on(r.weights()).expect("weights");
        wrong[0].shape = vec![1, wrong[0].data.len()];
        let err = r.cpu_copy(&wrong).expect_err("a wrong shape");
        assert!(err.to_string().contains("0.weight"), "{err}");
    }

    #[test]
    fn a_row_of_the_wrong_width_is_an_error() {
        let r = digits_runner(0);
        let err = block_on(r.inspect(&[0.5; 3], true)).expect_err("3 values are no image");
        assert!(err.to_string().contains("3 values"), "{err}");
    }
}
