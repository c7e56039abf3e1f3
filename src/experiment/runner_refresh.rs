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
        self.refresh_evaluating(points, host_copy, true).await
    }

    /// As [`Runner::refresh`], but evaluating only where a history point is due: between
    /// points the live numbers are the last point's (for a run whose evaluations are
    /// costly, or that trains elsewhere and records its points there).
    pub async fn refresh_at_points(
        &mut self,
        points: Option<&(Points2d, Points2d)>,
        host_copy: bool,
    ) -> Result<Refresh> {
        self.refresh_evaluating(points, host_copy, false).await
    }

    async fn refresh_evaluating(
        &mut self,
        points: Option<&(Points2d, Points2d)>,
        host_copy: bool,
        between_points: bool,
    ) -> Result<Refresh> {
        let evaluate = self.history().last().map(|p| p.step) != Some(self.step_count())
            && (between_points || self.record_due());
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

#[cfg(test)]
mod tests {
    use crate::experiment::{preset, Runner};
    use crate::platform::block_on;
    use crate::Device;

    /// Between two history points `refresh_at_points` evaluates nothing (its live numbers
    /// are the last point's) where `refresh` evaluates the step; at a due step both record
    /// the point `Runner::run` records, bit for bit.
    #[test]
    fn refresh_at_points_evaluates_only_where_a_point_is_due() {
        let mut config = preset("spiral").unwrap();
        config.eval_every = 10;
        let mut a = Runner::new(config.clone(), Device::Cpu).unwrap();
        let mut b = Runner::new(config, Device::Cpu).unwrap();
        for r in [&mut a, &mut b] {
            block_on(r.record()).unwrap();
            r.train_steps(3).unwrap();
        }
        let points = a.points_2d();
        let between = block_on(a.refresh_at_points(points.as_ref(), false)).unwrap();
        let evaluated = block_on(b.refresh(points.as_ref(), false)).unwrap();
        assert_eq!(
            between.live.as_ref().map(|p| p.step),
            Some(0),
            "the last point's"
        );
        assert_eq!(
            evaluated.live.as_ref().map(|p| p.step),
            Some(3),
            "this step's"
        );
        assert_eq!(a.history().len(), 1, "nothing recorded between points");
        assert_eq!(between.plots.weights, evaluated.plots.weights);
        for r in [&mut a, &mut b] {
            r.train_steps(7).unwrap();
        }
        let due = block_on(a.refresh_at_points(points.as_ref(), false)).unwrap();
        block_on(b.refresh(points.as_ref(), false)).unwrap();
        assert_eq!(due.live.as_ref().map(|p| p.step), Some(10));
        assert_eq!(a.history().len(), 2, "the due point is recorded");
        let bits = |r: &Runner| r.history().last().map(|p| p.train_loss.to_bits());
        assert_eq!(bits(&a), bits(&b));
    }
}
