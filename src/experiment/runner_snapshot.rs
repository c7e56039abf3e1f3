//! Host snapshots of a run, so it can continue on another device even after the first
//! one is lost (a lost GPU cannot be read back, so the page keeps a recent snapshot).

use super::{HistoryPoint, NamedWeight, Runner};
use crate::backend::Device;
use crate::error::Result;
use crate::experiment::ExperimentConfig;
use crate::nn::Module;
use crate::optim::Optimizer;
use crate::tensor::Tensor;

/// Everything needed to continue a run exactly: weights, optimizer state, position in
/// the batch order (derived from the step count) and history.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Optimizer steps taken.
    pub step: u64,
    /// Parameters, in model order.
    pub weights: Vec<NamedWeight>,
    /// Optimizer steps counted by the optimizer (bias corrections depend on it).
    pub optimizer_steps: u64,
    /// Optimizer state per parameter (momentum buffer, or Adam's moments).
    pub optimizer_state: Vec<Vec<Vec<f32>>>,
    /// History points recorded so far.
    pub history: Vec<HistoryPoint>,
    /// Batches a language model's window stream has drawn (0 for tables, whose batch
    /// order follows from `step`).
    pub data_position: u64,
}

impl Runner {
    /// Read the whole training state back to the host.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        self.snapshot_with_weights(self.weights().await?).await
    }

    /// The whole training state, with `weights` just read by the caller (the plots'
    /// readback carries them), so only the optimizer state is read here.
    pub async fn snapshot_with_weights(&self, weights: Vec<NamedWeight>) -> Result<Snapshot> {
        let lens: Vec<usize> = weights.iter().map(|w| w.data.len()).collect();
        let (optimizer_steps, optimizer_state) =
            self.optimizer.state_to_host(self.device(), &lens).await?;
        Ok(Snapshot {
            step: self.step,
            weights,
            optimizer_steps,
            optimizer_state,
            history: self.history.clone(),
            data_position: self.lm_stream.as_ref().map_or(0, |s| s.position()),
        })
    }

    /// A run of `config` on `device` continuing from `snapshot`: on the CPU backend,
    /// restoring a CPU snapshot and training on gives the same bits as never stopping.
    pub fn restore(
        config: ExperimentConfig,
        device: Device,
        snapshot: &Snapshot,
    ) -> Result<Runner> {
        super::check_snapshot_fits(&config, snapshot)?;
        let mut r = Runner::new(config, device)?;
        r.apply_snapshot(snapshot)?;
        Ok(r)
    }

    /// Puts this run in `snapshot`'s state (a snapshot of a run of the same config,
    /// earlier or later than this one) without building anything again: the page's
    /// copy of a run that trains in its worker follows it this way. Training on gives
    /// the same bits as [`Runner::restore`] would.
    pub fn apply_snapshot(&mut self, snapshot: &Snapshot) -> Result<()> {
        super::check_snapshot_fits(self.config(), snapshot)?;
        let dev = self.device().clone();
        for (i, w) in snapshot.weights.iter().enumerate() {
            self.model
                .params_mut()
                .set(i, Tensor::from_slice(&w.data, &w.shape, &dev));
        }
        self.optimizer = Optimizer::from_host_state(
            self.config().optimizer.clone(),
            snapshot.optimizer_steps,
            &snapshot.optimizer_state,
            &dev,
        );
        self.optimizer
            .set_embeddings(super::model::embedding_params(self.config()));
        if let Some(stream) = &mut self.lm_stream {
            stream.seek(snapshot.data_position);
        }
        self.seek_batches(snapshot.step);
        self.step = snapshot.step;
        self.history = snapshot.history.clone();
        Ok(())
    }

    /// The batch order as it stands after `step` steps: one epoch's order is drawn when
    /// its first batch is needed, so `(step - 1) / per_epoch + 1` have been drawn. Going
    /// forward draws the missing epochs; going back starts the order again.
    fn seek_batches(&mut self, step: u64) {
        let drawn = |s: u64, bpe: u64| if s == 0 { 0 } else { (s - 1) / bpe + 1 };
        let bpe = self.batches_per_epoch();
        let (now, want) = (drawn(self.step, bpe), drawn(step, bpe));
        let mut from = now;
        if want < now {
            self.batcher = self.first_batcher();
            self.epoch_order = Vec::new();
            from = 0;
        }
        for _ in from..want {
            self.epoch_order = self.batcher.next_epoch();
        }
        self.next_batch = if step == 0 {
            self.epoch_order.len()
        } else {
            (step - (want - 1) * bpe) as usize
        };
    }

    /// A run continuing `saved` (bytes read by [`super::decode_saved_run`]) on `device`,
    /// in the config its link carries, checked to fit its model.
    pub fn resume_saved(saved: &super::SavedRun, device: Device) -> Result<Runner> {
        Runner::restore(saved.config()?, device, &saved.snapshot)
    }
}
