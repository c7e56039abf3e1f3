//! The runner: the one training loop used by the page, the CLI and the tests.
//!
//! `step` records one optimizer step on the device and returns without reading
//! anything back; `evaluate`/`record` are the only places values come back (async), so
//! a GPU run waits for the device only when a plot or a metric needs a number.

use super::history::{Evaluation, HistoryPoint, NamedWeight};
use super::prepare::{prepare, streams, PreparedData};
use super::runner_eval::{test_metrics, PendingEvaluation};
use super::runner_health::{non_finite_error, HealthStatus};
use super::{validate, Budget, ExperimentConfig, LossKind};
use crate::autograd::no_grad;
use crate::backend::Device;
use crate::data::{Batcher, Dataset};
use crate::error::{Error, Result};
use crate::nn::functional::{cross_entropy_logits, mae, mse, one_hot, softmax};
use crate::nn::{Mode, Module, Sequential};
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Inputs and training targets of one split, on the device.
struct DeviceSplit {
    x: Tensor,
    /// One-hot rows (classification) or target rows (regression).
    t: Tensor,
}

impl DeviceSplit {
    /// The first `rows` rows (all of them when there are fewer).
    fn first(&self, rows: usize) -> (Tensor, Tensor) {
        let n = self.x.dims()[0];
        if n <= rows {
            return (self.x.clone(), self.t.clone());
        }
        (self.x.narrow(0, 0, rows), self.t.narrow(0, 0, rows))
    }

    fn upload(ds: &Dataset, device: &Device) -> DeviceSplit {
        let x = Tensor::from_slice(&ds.x, &[ds.n, ds.features], device);
        let t = if ds.is_classification() {
            one_hot(&ds.labels(), ds.num_classes(), device)
        } else {
            Tensor::from_slice(&ds.y, &[ds.n, ds.targets], device)
        };
        DeviceSplit { x, t }
    }
}

/// Most training rows an evaluation reads: the first ones of the (shuffled) split, so
/// the train loss of a larger set is measured on a fixed random sample of it and an
/// evaluation's cost does not grow with the data.
pub const EVAL_TRAIN_ROWS: usize = 1000;

/// Most rows an evaluation sends through the model at once (see `Runner::chunked_loss`):
/// 500 MNIST images unfolded for LeNet's first convolution are 39 MB, well under WebGPU's
/// 128 MiB binding limit.
pub const EVAL_CHUNK_ROWS: usize = 500;

/// Most test rows an evaluation reads (the first of the shuffled split). Every preset's
/// whole test split: MNIST's is 2,000 rows, the others' fewer.
pub const EVAL_TEST_ROWS: usize = 2000;

/// Most history points kept: an unlimited run would otherwise grow without bound.
/// Past it, every second point is dropped (the first and the latest stay), so the curve
/// keeps its shape at half the resolution.
pub const MAX_HISTORY_POINTS: usize = 4096;

fn thin_history(h: &mut Vec<HistoryPoint>) {
    let last = h.len() - 1;
    let mut i = 0;
    h.retain(|_| {
        let keep = i % 2 == 0 || i == last;
        i += 1;
        keep
    });
}

/// A training run in progress.
pub struct Runner {
    config: ExperimentConfig,
    device: Device,
    data: PreparedData,
    train: DeviceSplit,
    test: DeviceSplit,
    pub(super) model: Sequential,
    pub(super) optimizer: Optimizer,
    pub(super) batcher: Batcher,
    pub(super) epoch_order: Vec<Vec<usize>>,
    pub(super) next_batch: usize,
    pub(super) step: u64,
    pub(super) history: Vec<HistoryPoint>,
    /// Where and when a parameter or gradient first went non-finite, on the device.
    pub(super) health: HealthStatus,
    /// A language model's training windows (its batches come from here, not `batcher`).
    pub(super) lm_stream: Option<super::runner_text::LmStream>,
    /// The test scores of the last evaluation of a two-class task (see
    /// [`Runner::last_scores`]).
    pub(super) last_scores: Option<crate::metrics::BinaryScores>,
}

/// The batch order of `config`'s training rows, from its seed.
fn batcher_for(config: &ExperimentConfig, data: &PreparedData) -> Batcher {
    Batcher::new(
        data.train.n,
        config.batch_size,
        Rng::derive(config.seed, streams::BATCHES),
    )
}

impl Runner {
    /// Validate `config`, build its data, model and optimizer on `device`.
    pub fn new(config: ExperimentConfig, device: Device) -> Result<Runner> {
        validate(&config)?;
        let data = prepare(&config)?;
        let model = Sequential::with_init(
            &super::model::model_layers(&config),
            &super::model::model_input_shape(&config),
            config.init,
            &mut Rng::derive(config.seed, streams::INIT),
            &device,
        )
        .map_err(|e| Error::Config(format!("model: {e}")))?;
        let model = super::runner_seq2seq::with_translator(&config, model, &device)?;
        let mut optimizer = Optimizer::new(config.optimizer.clone());
        optimizer.set_embeddings(super::model::embedding_params(&config));
        let batcher = batcher_for(&config, &data);
        Ok(Runner {
            health: HealthStatus::new(&device, model.params().len()),
            train: DeviceSplit::upload(&data.train, &device),
            test: DeviceSplit::upload(&data.test, &device),
            optimizer,
            lm_stream: super::runner_text::LmStream::for_config(&config)?,
            config,
            device,
            data,
            model,
            batcher,
            epoch_order: Vec::new(),
            next_batch: 0,
            step: 0,
            history: Vec::new(),
            last_scores: None,
        })
    }

    /// The test rows' class-1 scores from the last evaluation recorded or shown, for a
    /// two-class task: precision, recall and F1 at any decision threshold without
    /// evaluating again. `None` before the first evaluation and for other tasks.
    pub fn last_scores(&self) -> Option<&crate::metrics::BinaryScores> {
        self.last_scores.as_ref()
    }

    /// The configuration.
    pub fn config(&self) -> &ExperimentConfig {
        &self.config
    }

    /// The device running the experiment.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The batch order as it starts, before any epoch is drawn.
    pub(super) fn first_batcher(&self) -> Batcher {
        batcher_for(&self.config, &self.data)
    }

    /// Optimizer steps taken.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Mini-batches per epoch.
    pub fn batches_per_epoch(&self) -> u64 {
        self.batcher.batches_per_epoch().max(1) as u64
    }

    /// Whole epochs completed.
    pub fn epoch(&self) -> u32 {
        (self.step / self.batches_per_epoch()).min(u32::MAX as u64) as u32
    }

    /// Steps the budget asks for.
    pub fn total_steps(&self) -> u64 {
        match self.config.budget {
            Budget::Epochs(e) => e as u64 * self.batches_per_epoch(),
            Budget::Steps(s) => s,
        }
    }

    /// True once the budget is spent (stepping further is allowed).
    pub fn is_done(&self) -> bool {
        self.step >= self.total_steps()
    }

    /// Steps between history points.
    pub fn eval_interval(&self) -> u64 {
        if self.config.eval_every == 0 {
            self.batches_per_epoch()
        } else {
            self.config.eval_every
        }
    }

    /// True when a history point is due at the current step and not yet recorded: at
    /// step 0, every [`Runner::eval_interval`] steps and once the budget is spent. The
    /// CLI's [`Runner::run`] and the page both record exactly there, so their histories
    /// (and loss curves) are the same points.
    pub fn record_due(&self) -> bool {
        let due = self.step.is_multiple_of(self.eval_interval()) || self.is_done();
        due && self.history.last().map(|p| p.step) != Some(self.step)
    }

    /// The model.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Training rows after preprocessing.
    pub fn train_data(&self) -> &Dataset {
        &self.data.train
    }

    /// Test rows after preprocessing.
    pub fn test_data(&self) -> &Dataset {
        &self.data.test
    }

    /// The preprocessed data with the statistics used.
    pub fn prepared(&self) -> &PreparedData {
        &self.data
    }

    /// History points recorded so far.
    pub fn history(&self) -> &[HistoryPoint] {
        &self.history
    }

    fn loss(&self, out: &Tensor, target: &Tensor) -> Tensor {
        if self.config.data.is_language_model() || self.is_translator() {
            return super::runner_text::lm_loss(out, target);
        }
        let classification = self.data.train.is_classification();
        match (self.config.loss, classification) {
            (LossKind::CrossEntropy, _) => cross_entropy_logits(out, target),
            (LossKind::Mse, true) => mse(&softmax(out, 1), target),
            (LossKind::Mse, false) => mse(out, target),
            (LossKind::Mae, _) => mae(out, target),
        }
    }

    /// The loss (a mean over rows) and the outputs of the model on `x`, in chunks of at
    /// most [`EVAL_CHUNK_ROWS`] rows, so no buffer of an evaluation grows with its rows
    /// (a convolution's unfolded input is the largest). One chunk is the plain loss; more
    /// are each chunk's loss weighted by its share of the rows, summed in order.
    fn chunked_loss(&self, x: &Tensor, t: &Tensor) -> (Tensor, Tensor) {
        let n = x.dims()[0];
        if n <= EVAL_CHUNK_ROWS {
            let out = self.model_forward(x, Mode::Eval);
            return (self.loss(&out, t), out);
        }
        let mut outs = Vec::with_capacity(n.div_ceil(EVAL_CHUNK_ROWS));
        let mut total: Option<Tensor> = None;
        for start in (0..n).step_by(EVAL_CHUNK_ROWS) {
            let rows = EVAL_CHUNK_ROWS.min(n - start);
            let out = self.model_forward(&x.narrow(0, start, rows), Mode::Eval);
            let part = self
                .loss(&out, &t.narrow(0, start, rows))
                .mul_scalar(rows as f32 / n as f32);
            total = Some(match total {
                Some(sum) => sum.add(&part),
                None => part,
            });
            outs.push(out);
        }
        let loss = total.expect("n > EVAL_CHUNK_ROWS > 0 gives a chunk");
        (loss, Tensor::concat(&outs, 0))
    }

    fn next_batch_indices(&mut self) -> Vec<f32> {
        if self.next_batch >= self.epoch_order.len() {
            self.epoch_order = self.batcher.next_epoch();
            self.next_batch = 0;
        }
        let b = &self.epoch_order[self.next_batch];
        self.next_batch += 1;
        b.iter().map(|&i| i as f32).collect()
    }

    /// One optimizer step on the next mini-batch. Work is recorded and submitted;
    /// nothing is read back. Before the update, the health check looks at every
    /// parameter and its new gradient on the device (one dispatch per parameter tensor).
    pub fn step(&mut self) -> Result<()> {
        let (xb, tb) = match &mut self.lm_stream {
            Some(lm) => lm.next_batch(&self.device)?,
            None => {
                let idx = self.next_batch_indices();
                let idx = Tensor::from_slice(&idx, &[idx.len()], &self.device);
                (
                    self.train.x.gather_rows(&idx),
                    self.train.t.gather_rows(&idx),
                )
            }
        };
        let grads = {
            let mode = Mode::Train {
                seed: Rng::derive(self.config.seed, streams::DROPOUT).next_u64() ^ self.step,
            };
            let loss = self.loss(&self.model_forward(&xb, mode), &tb);
            loss.backward()
            // The graph (and its references to the parameters) is dropped here, so the
            // optimizer may update parameters in place.
        };
        self.health
            .check(&self.device, self.model.params(), Some(&grads), self.step);
        self.optimizer.step(self.model.params_mut(), &grads)?;
        drop(grads);
        self.device.flush();
        self.step += 1;
        Ok(())
    }

    /// Several steps in a row.
    pub fn train_steps(&mut self, n: u64) -> Result<()> {
        for _ in 0..n {
            self.step()?;
        }
        Ok(())
    }

    /// Losses over the train and test sets (the first [`EVAL_TRAIN_ROWS`] and
    /// [`EVAL_TEST_ROWS`] rows) and
    /// the test metrics, read back in
    /// one read together with the health status. Errs with [`Error::NonFinite`] when a
    /// parameter or a gradient held NaN or an infinity at any step so far (naming the
    /// first parameter and step), or when a loss is NaN or infinite.
    pub async fn evaluate(&self) -> Result<Evaluation> {
        let pending = self.evaluation_pending();
        let values = Tensor::read_all(&pending.tensors()).await?;
        let mut e = self.evaluation_finish(values)?;
        // A translator on the GPU decodes on the CPU, from its parameters read back.
        if self.is_translator() && e.metrics.exact_match.is_none() {
            let m = self.cpu_translator().await?;
            e.metrics.exact_match = Some(self.exact_match(&m, EVAL_TEST_ROWS)?);
        }
        Ok(e)
    }

    /// An evaluation recorded on the device but not read yet: read
    /// [`PendingEvaluation::tensors`] (alone, or in the same readback as other values,
    /// as the page's refresh does) and pass the values to [`Runner::evaluation_finish`].
    pub fn evaluation_pending(&self) -> PendingEvaluation {
        let (train_loss, test_loss, test_out) = no_grad(|| {
            let (x, t) = self.train.first(EVAL_TRAIN_ROWS);
            let (train_loss, _) = self.chunked_loss(&x, &t);
            let (x, t) = self.test.first(EVAL_TEST_ROWS);
            let (test_loss, out) = self.chunked_loss(&x, &t);
            (train_loss, test_loss, out)
        });
        // The parameters after the last step have had no check yet (steps check before
        // their update), nor have weights loaded before the first step.
        self.health
            .check(&self.device, self.model.params(), None, self.step);
        let health = self.health.tensor(&self.device);
        PendingEvaluation([train_loss, test_loss, test_out, health])
    }

    /// The evaluation from the values of [`PendingEvaluation::tensors`], in order.
    pub fn evaluation_finish(&self, values: Vec<Vec<f32>>) -> Result<Evaluation> {
        let mut read = values.into_iter();
        let mut next = || read.next().unwrap_or_default();
        let (train_loss, test_loss, out, status) = (next(), next(), next(), next());
        if let Some(e) = non_finite_error(&status, self.model.params().names()) {
            return Err(e);
        }
        // One value each (a missing one reads as NaN and is reported as such).
        let scalar = |v: &[f32]| v.first().map_or(f64::NAN, |&x| x as f64);
        let (train_loss, test_loss) = (scalar(&train_loss), scalar(&test_loss));
        if !train_loss.is_finite() || !test_loss.is_finite() {
            return Err(Error::NonFinite {
                step: self.step,
                what: "the loss".to_string(),
            });
        }
        let rows = self.data.test.n.min(EVAL_TEST_ROWS);
        let metrics = match self.config.data.is_language_model() {
            true => super::runner_text::lm_metrics(train_loss, test_loss),
            false if self.is_translator() => self.translator_metrics(&out),
            false => test_metrics(&self.data, &out, rows),
        };
        let test = &self.data.test;
        let two_classes = !self.config.data.is_language_model()
            && test.is_classification()
            && test.num_classes() == 2;
        let scores = two_classes
            .then(|| crate::metrics::BinaryScores::from_logits(&out, &test.labels()[..rows]));
        Ok(Evaluation {
            train_loss,
            test_loss,
            metrics,
            scores,
        })
    }

    /// Evaluate and append a history point.
    pub async fn record(&mut self) -> Result<HistoryPoint> {
        let e = self.evaluate().await?;
        Ok(self.record_evaluation(e))
    }

    /// Append a history point at this step from an evaluation of this step (see
    /// [`Runner::evaluation_pending`]).
    pub fn record_evaluation(&mut self, e: Evaluation) -> HistoryPoint {
        self.last_scores = e.scores;
        let p = HistoryPoint {
            step: self.step,
            epoch: self.epoch(),
            train_loss: e.train_loss,
            test_loss: e.test_loss,
            metrics: e.metrics,
        };
        self.history.push(p.clone());
        if self.history.len() > MAX_HISTORY_POINTS {
            thin_history(&mut self.history);
        }
        p
    }

    /// Train to the end of the budget, recording a point at the start, every
    /// [`Runner::eval_interval`] steps and at the end; `on_point` sees each point with
    /// the total step count. Returns the final point.
    pub async fn run(
        &mut self,
        mut on_point: impl FnMut(&HistoryPoint, u64),
    ) -> Result<HistoryPoint> {
        let total = self.total_steps();
        if self.history.last().map(|p| p.step) != Some(self.step) {
            let p = self.record().await?;
            on_point(&p, total);
        }
        while !self.is_done() {
            self.step()?;
            if self.record_due() {
                let p = self.record().await?;
                on_point(&p, total);
            }
        }
        self.history
            .last()
            .cloned()
            .ok_or_else(|| Error::Config("no steps to run".into()))
    }

    /// Continue the same experiment on another device: parameters, optimizer state and
    /// data move over; the step count, batch order and history are kept. On error the
    /// runner is left on its old device, unchanged.
    pub async fn set_device(&mut self, device: Device) -> Result<()> {
        if device == self.device {
            return Ok(());
        }
        let mut params = self.model.params().clone();
        params.move_to(&device).await?;
        let lens: Vec<usize> = params.tensors().iter().map(Tensor::numel).collect();
        let train = DeviceSplit {
            x: self.train.x.to_device(&device).await?,
            t: self.train.t.to_device(&device).await?,
        };
        let test = DeviceSplit {
            x: self.test.x.to_device(&device).await?,
            t: self.test.t.to_device(&device).await?,
        };
        let health = self.health.moved_to(&device).await?;
        self.optimizer.move_to(&self.device, &device, &lens).await?;
        self.health = health;
        *self.model.params_mut() = params;
        self.train = train;
        self.test = test;
        self.device = device;
        Ok(())
    }

    /// The parameters read back, in order, with PyTorch names and shapes (one
    /// readback for all of them).
    pub async fn weights(&self) -> Result<Vec<NamedWeight>> {
        let params = self.model.params();
        let values = Tensor::read_all(&params.tensors().iter().collect::<Vec<_>>()).await?;
        Ok(params
            .iter()
            .zip(values)
            .map(|((name, t), data)| NamedWeight {
                name: name.to_string(),
                shape: t.dims().to_vec(),
                data,
            })
            .collect())
    }

    /// Waits until the device has done every step recorded so far (one read of the
    /// smallest parameter): how a timing of steps on the GPU ends.
    pub async fn finish(&self) -> Result<()> {
        let params = self.model.params();
        if let Some(t) = params.tensors().iter().min_by_key(|t| t.numel()) {
            t.to_vec().await?;
        }
        Ok(())
    }

    /// Raw model outputs for `n` preprocessed input rows.
    pub async fn predict(&self, x: &[f32], n: usize) -> Result<Vec<f32>> {
        self.forward_rows(x, n)?.to_vec().await
    }
}
