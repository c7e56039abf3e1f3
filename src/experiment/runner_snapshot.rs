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
        let dev = r.device().clone();
        for (i, w) in snapshot.weights.iter().enumerate() {
            r.model
                .params_mut()
                .set(i, Tensor::from_slice(&w.data, &w.shape, &dev));
        }
        r.optimizer = Optimizer::from_host_state(
            r.config().optimizer.clone(),
            snapshot.optimizer_steps,
            &snapshot.optimizer_state,
            &dev,
        );
        r.optimizer
            .set_embeddings(super::model::embedding_params(r.config()));
        if let Some(stream) = &mut r.lm_stream {
            stream.seek(snapshot.data_position);
        }
        // Replay the batch order up to the snapshot's position: one epoch is drawn when
        // the first batch of it is needed.
        let s = snapshot.step;
        if s > 0 {
            let bpe = r.batches_per_epoch();
            let draws = (s - 1) / bpe + 1;
            for _ in 0..draws {
                r.epoch_order = r.batcher.next_epoch();
            }
            r.next_batch = (s - (draws - 1) * bpe) as usize;
        }
        r.step = s;
        r.history = snapshot.history.clone();
        Ok(r)
    }

    /// A run continuing `saved` (bytes read by [`super::decode_saved_run`]) on `device`,
    /// in the config its link carries, checked to fit its model.
    pub fn resume_saved(saved: &super::SavedRun, device: Device) -> Result<Runner> {
        Runner::restore(saved.config()?, device, &saved.snapshot)
    }
}
