//! A refresh of everything the page shows, as one call that the page and `gradlab bench`
//! share, so the bench counts exactly the page's device traffic: the plots, the weights
//! and (when the history has no point at this step) an evaluation come back in ONE
//! readback; the host copy of the optimizer state, when asked for, in one more.

use super::{HistoryPoint, PlotData, Points2d, Runner, Snapshot};
use crate::error::Result;

/// What one refresh read back.
#[derive(Clone, Debug)]
pub struct Refresh {
    /// What the plots draw, the weights included.
    pub plots: PlotData,
    /// Losses and metrics as of this step: the history's point at this step (recorded now
    /// when one was due, as [`Runner::run`] records it), or an evaluation shown but not
    /// recorded; `None` before any evaluation.
    pub live: Option<HistoryPoint>,
    /// The whole training state, when `host_copy` was asked for.
    pub host_copy: Option<Snapshot>,
}

impl Runner {
    /// Reads back what the page shows. `points` are the run's raw 2-D points
    /// ([`Runner::points_2d`]); `host_copy` also reads the optimizer state for a host
    /// copy of the training state (a lost GPU cannot be read).
    pub async fn refresh(
        &mut self,
        points: Option<&(Points2d, Points2d)>,
        host_copy: bool,
    ) -> Result<Refresh> {
        let evaluate = self.history().last().map(|p| p.step) != Some(self.step_count());
        let pending = evaluate.then(|| self.evaluation_pending());
        let extra = pending.as_ref().map(|p| p.tensors()).unwrap_or_default();
        let (plots, values) = self.plots_with(points, None, &extra).await?;
        drop(extra);
        drop(pending);
        let live = if evaluate {
            let e = self.evaluation_finish(values)?;
            Some(if self.record_due() {
                self.record_evaluation(e)
            } else {
                self.last_scores = e.scores;
                HistoryPoint {
                    step: self.step_count(),
                    epoch: self.epoch(),
                    train_loss: e.train_loss,
                    test_loss: e.test_loss,
                    metrics: e.metrics,
                }
            })
        } else {
            self.history().last().cloned()
        };
        let host_copy = match host_copy {
            true => Some(self.snapshot_with_weights(plots.weights.clone()).await?),
            false => None,
        };
        Ok(Refresh {
            plots,
            live,
            host_copy,
        })
    }
}
