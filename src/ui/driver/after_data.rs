//! What waits for on-demand data (see `ui/data_fetch.rs`): a link whose data set is
//! still downloading keeps its replay and weights, and a saved run resumes once its set
//! is here. Both are done when the download ends (`Cmd::DataReady`), unless the person
//! changed the experiment meanwhile.

use super::super::data_fetch::{missing_set, start_fetch};
use super::Driver;
use crate::experiment::{DecodedLink, ExperimentConfig};
use leptos::prelude::*;

/// An action held until the data it needs has been downloaded.
pub(super) enum AfterData {
    /// Open this link (rebuild, replay its `run=N`, load its weights).
    Link(Box<DecodedLink>),
    /// Resume the saved run; the page's configuration when that was asked.
    Resume(Box<ExperimentConfig>),
}

impl Driver {
    /// Downloads the data of the saved run on offer when the page lacks it; true when a
    /// download started or is running (the resume then waits for it).
    pub(super) fn resume_waits_for_data(&mut self) -> bool {
        let Some(set) = self.saver.offer_config().and_then(|c| missing_set(&c)) else {
            return false;
        };
        start_fetch(self.lab, set);
        let now = self.lab.config.get_untracked();
        self.after_data = Some(AfterData::Resume(Box::new(now)));
        true
    }

    /// A download ended (or its retry was asked): does what waited for it when the
    /// experiment is still the one it was asked for, else rebuilds the run when none is
    /// built (which starts the next download if one is still missing). A run built
    /// meanwhile (a link opened once the data had come) is left as it is.
    pub(super) async fn data_ready(&mut self) {
        let current = self.lab.config.get_untracked();
        match self.after_data.take() {
            Some(AfterData::Link(link)) if link.replay_config() == current => {
                self.open_link(*link).await
            }
            Some(AfterData::Resume(asked)) if *asked == current => self.resume_saved().await,
            _ if self.runner.is_some() => {}
            _ => {
                self.reset();
                self.refresh().await;
                self.auto_choose().await;
            }
        }
    }
}
