//! Predictions for inputs given in the data's own units: a 2-D point before its feature
//! map, a table row before standardisation, a picture of a digit. What the page's
//! drawing pad and `gradlab predict` both use: raw inputs go through the very
//! preprocessing the training data went through, and outputs come back as class
//! probabilities or as targets in their original units.

use super::{DataSource, Runner};
use crate::autograd::no_grad;
use crate::data::{map_features, to_model_image, ImageSpec, Ink, RealSet};
use crate::error::{Error, Result};
use crate::nn::functional::softmax;
use crate::tensor::Tensor;

/// What a model says about each input.
#[derive(Clone, Debug, PartialEq)]
pub enum Prediction {
    /// One probability per class (softmax of the outputs), per input.
    Classes {
        /// The class names, in output order.
        names: Vec<String>,
        /// `probabilities[row][class]`.
        probabilities: Vec<Vec<f32>>,
    },
    /// The predicted targets in their original units, per input.
    Values {
        /// `values[row][target]`.
        values: Vec<Vec<f32>>,
    },
}

/// How the images of `data` were made from ink, or `None` for data that is no image.
pub fn image_spec(data: DataSource) -> Option<ImageSpec> {
    match data {
        DataSource::Real(RealSet::Digits) => Some(ImageSpec {
            side: 8,
            fit: 8,
            center_of_mass: false,
            full_ink: 16.0,
        }),
        DataSource::Real(RealSet::Mnist) => Some(ImageSpec {
            side: 28,
            fit: 20,
            center_of_mass: true,
            full_ink: 1.0,
        }),
        _ => None,
    }
}

impl Runner {
    /// Values per raw input row: 2 for a 2-D point, 1 for a 1-D curve, else the data
    /// set's columns (an image's pixels).
    pub fn raw_width(&self) -> usize {
        match self.config().data {
            DataSource::Classify2d(_) | DataSource::Regression2d(_) => 2,
            DataSource::Regression1d(_) => 1,
            DataSource::Real(_) | DataSource::Text(_) | DataSource::Dates => {
                self.train_data().features
            }
        }
    }

    /// How this run's images were made from ink; `None` when its data is no image.
    pub fn image_spec(&self) -> Option<ImageSpec> {
        image_spec(self.config().data)
    }

    /// A picture as this run's raw input row (an error when the data is no image).
    pub fn ink_row(&self, ink: &Ink) -> Result<Vec<f32>> {
        let spec = self.image_spec().ok_or_else(|| {
            Error::Format(format!(
                "the model was trained on {}, which is not an image set; give rows of {} \
                 values",
                self.config().data.name(),
                self.raw_width()
            ))
        })?;
        Ok(to_model_image(ink, &spec))
    }

    /// Model inputs for `n` raw rows: the feature map of 2-D data, then the training
    /// set's standardisation.
    pub fn preprocess(&self, raw: &[f32], n: usize) -> Result<Vec<f32>> {
        let width = self.raw_width();
        if raw.len() != n * width {
            return Err(Error::Format(format!(
                "{} values are not {n} rows of {width}",
                raw.len()
            )));
        }
        let mut x = match self.config().data.is_plane() {
            true => map_features(raw, &self.config().features),
            false => raw.to_vec(),
        };
        if let Some(s) = &self.prepared().x_scaler {
            s.apply(&mut x);
        }
        Ok(x)
    }

    /// The model's prediction for `n` raw rows.
    pub async fn predict_raw(&self, raw: &[f32], n: usize) -> Result<Prediction> {
        let x = self.preprocess(raw, n)?;
        let out = self.forward_rows(&x, n)?;
        let train = self.train_data();
        if let crate::data::Task::Classification { class_names } = &train.task {
            let p: Tensor = no_grad(|| softmax(&out, 1));
            let values = p.to_vec().await?;
            let k = class_names.len();
            return Ok(Prediction::Classes {
                names: class_names.clone(),
                probabilities: values.chunks(k).map(<[f32]>::to_vec).collect(),
            });
        }
        let mut values = out.to_vec().await?;
        if let Some(s) = &self.prepared().y_scaler {
            s.invert(&mut values);
        }
        let k = train.targets.max(1);
        Ok(Prediction::Values {
            values: values.chunks(k).map(<[f32]>::to_vec).collect(),
        })
    }
}
