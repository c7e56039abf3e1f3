//! The page's state: reactive signals (all `Copy` handles) read by the components, and
//! the command queue the components write for the training driver.
//!
//! The [`crate::experiment::Runner`] itself is owned by the driver task (see
//! `driver.rs`), never by a signal: components only see plain values it publishes.

use super::probe::{Probe, Seen};
use crate::data::ImageSpec;
use crate::experiment::{
    preset, Curve1d, DecodedLink, EncodedLink, ExperimentConfig, GridView, HistoryPoint,
    NamedWeight, Points2d,
};
use crate::lessons::Lang;
use crate::nn::Layer;
use leptos::prelude::*;

/// The backend a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// The pure-Rust CPU backend.
    Cpu,
    /// WebGPU through wgpu.
    Gpu,
}

impl BackendKind {
    /// Value of the backend `<select>` option.
    pub fn value(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Gpu => "webgpu",
        }
    }
}

/// What the driver is asked to do at its next frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    /// Rebuild the run from the current configuration (step 0).
    Reset,
    /// Take one optimizer step and refresh every plot.
    Step,
    /// Move the run to another backend, keeping its state (the person's choice: the
    /// page stops picking the backend by itself).
    SetBackend(BackendKind),
    /// Pick the backend by timing the experiment on each (the `Auto` choice).
    AutoBackend,
    /// Re-read the plots (a view option changed).
    Refresh,
    /// Open a decoded link (its replay config is already in [`Lab::config`]): move to
    /// its backend, rebuild the run, then load its weights or train its `run=N` steps.
    OpenLink(Box<DecodedLink>),
    /// Load weights (an imported safetensors file) into the run, matched by name.
    LoadWeights(Vec<NamedWeight>),
    /// The person accepts the cost of the configuration held back by [`Lab::cost`]:
    /// build the run (and open the link that asked for it, if one did).
    ConfirmLarge,
    /// Continue the run saved for a reload (the offer of [`Lab::resume`]).
    ResumeSaved,
    /// Discard the run saved for a reload.
    DiscardSaved,
    /// A download of on-demand data ended, or its retry was asked: do what waited for
    /// it (a link's replay, a resume), else rebuild the run.
    DataReady,
}

/// A configuration over the cost limits, held back before anything was built: what it
/// would cost and whether the person may confirm it.
#[derive(Clone, Debug, PartialEq)]
pub struct CostNotice {
    /// What one step, one evaluation and the memory come to
    /// (`3.2 GFLOP per step, 1.1 GFLOP per evaluation, 410 MB held`).
    pub summary: String,
    /// Each limit passed, hard ceilings first (`... is 32x the default limit (100 MFLOP)`).
    pub excesses: Vec<String>,
    /// True when only default limits are passed: the person may confirm. False when a
    /// ceiling of this device is passed: the run cannot start here at all.
    pub may_start: bool,
    /// The backend it was judged for, as people say it (`the CPU backend`, `WebGPU`).
    pub backend: &'static str,
    /// True when WebGPU is available and could take a run the CPU backend refuses.
    pub gpu_hint: bool,
}

/// What the model file is made from, as of the last readback. Only this is kept at each
/// refresh: the safetensors bytes and their SHA-256 cost a full serialization and hash,
/// so they are built only when someone downloads the model or asks for the hash.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSource {
    /// The step the weights were read at.
    pub step: u64,
    /// The config written into the file's metadata (the CLI's, see `links::hash_config`).
    pub config: ExperimentConfig,
    /// The weights read back at `step`.
    pub weights: Vec<NamedWeight>,
}

/// Counters shown beside the training controls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Optimizer steps taken.
    pub step: u64,
    /// Whole epochs completed.
    pub epoch: u32,
    /// Steps the budget asks for.
    pub total_steps: u64,
    /// Recent training speed.
    pub steps_per_sec: f64,
    /// Which run this is: counts resets, so a script can tell a new run from the old.
    pub run: u64,
}

/// The backend panel's facts.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendInfo {
    /// The backend running now.
    pub active: BackendKind,
    /// The WebGPU adapter (`vendor architecture`), when one was found.
    pub adapter: Option<String>,
    /// Why the GPU is not available (or was left), shown as a notice.
    pub notice: Option<String>,
    /// True while a switch is in progress.
    pub switching: bool,
    /// True until the search for WebGPU (and its self-test) has finished.
    pub probing: bool,
    /// True while the page picks the backend itself, by timing each experiment on
    /// every backend it may run on (the `Auto` choice; a backend chosen by hand or by
    /// a link ends it).
    pub auto: bool,
    /// True while such a timing runs.
    pub timing: bool,
    /// The timing behind the backend in use, when auto picked it.
    pub timed: Option<Timing>,
    /// True while the run trains in the page's worker (a CPU run with long steps, so the
    /// page never waits on one).
    pub in_worker: bool,
}

/// Training speed of one experiment on each backend, as this page trains it (steps per
/// second over a few timed steps, animation frames and readbacks included; 0 where the
/// timing failed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// On the CPU backend.
    pub cpu: f64,
    /// On WebGPU.
    pub gpu: f64,
}

impl Timing {
    /// The faster backend (the CPU backend on a tie).
    pub fn faster(&self) -> BackendKind {
        if self.gpu > self.cpu {
            BackendKind::Gpu
        } else {
            BackendKind::Cpu
        }
    }
}

impl Default for BackendInfo {
    fn default() -> Self {
        BackendInfo {
            active: BackendKind::Cpu,
            adapter: None,
            notice: Some("looking for WebGPU...".into()),
            switching: false,
            probing: true,
            auto: true,
            timing: false,
            timed: None,
            in_worker: false,
        }
    }
}

/// Test images of the digits set with the model's predictions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DigitsView {
    /// 64 pixel values (0..16) per image.
    pub images: Vec<Vec<f32>>,
    /// True class of each image.
    pub truth: Vec<usize>,
    /// Predicted class of each image.
    pub predicted: Vec<usize>,
}

/// Everything the plots draw besides the loss history, read back a few times a second
/// (a plot frame; the runner's training-state copy is `experiment::Snapshot`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotFrame {
    /// Raw 2-D train and test points (2-D classification).
    pub points: Option<(Points2d, Points2d)>,
    /// The model over the input plane (2-D classification).
    pub grid: Option<GridView>,
    /// Data and fitted curve (1-D regression).
    pub curve: Option<Curve1d>,
    /// Digits with predictions (the digits set).
    pub digits: Option<DigitsView>,
    /// The parameters, PyTorch names and shapes.
    pub weights: Vec<NamedWeight>,
    /// Layer sizes `[in, hidden..., out]`.
    pub sizes: Vec<usize>,
    /// Input feature names.
    pub feature_names: Vec<String>,
    /// Class names (classification).
    pub class_names: Vec<String>,
    /// How the run's images were made from ink; `None` when its inputs are no pictures.
    pub image: Option<ImageSpec>,
    /// The model's top-level layers.
    pub layers: Vec<Layer>,
    /// The shape one input takes (no batch axis).
    pub input_shape: Vec<usize>,
    /// The shape after each top-level layer (no batch axis).
    pub shapes: Vec<Vec<usize>>,
}

/// All the page's signals. `Copy`, so every closure can capture it.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The selected preset's name.
    pub preset: RwSignal<String>,
    /// The configuration being edited (a change resets the run).
    pub config: RwSignal<ExperimentConfig>,
    /// Train continuously.
    pub running: RwSignal<bool>,
    /// Step counters and speed.
    pub status: RwSignal<Status>,
    /// Loss and metrics history: points at the runner's evaluation steps only (as the
    /// CLI records them), whatever the timing.
    pub history: RwSignal<Vec<HistoryPoint>>,
    /// Losses and metrics as of the last readback: the history's last point, or an
    /// evaluation of a step between two history points (after a single step or a pause),
    /// shown by the counters and the metrics but never added to the history.
    pub live: RwSignal<Option<HistoryPoint>>,
    /// Data for the plots.
    pub plot_frame: RwSignal<PlotFrame>,
    /// A divergence or configuration error to show.
    pub error: RwSignal<Option<String>>,
    /// Backend facts.
    pub backend: RwSignal<BackendInfo>,
    /// Loss chart on a log scale.
    pub log_scale: RwSignal<bool>,
    /// Decision boundary as two colours instead of a gradient.
    pub discretize: RwSignal<bool>,
    /// Commands waiting for the driver.
    pub commands: StoredValue<Vec<Cmd>>,
    /// The current experiment's link (also kept in the address bar).
    pub link: RwSignal<Option<EncodedLink>>,
    /// `weights_sha256` of the current weights, as the CLI prints it for the same link:
    /// `None` until someone asks for it (share, download, the hash button), and again
    /// as soon as a readback brings other weights, so it is never of older weights.
    pub weights_hash: RwSignal<Option<String>>,
    /// What the model file (and [`Lab::weights_hash`]) is built from, on demand.
    pub model_source: StoredValue<Option<ModelSource>>,
    /// What an opened link did not take as written (its warnings), or why it failed.
    pub link_notices: RwSignal<Vec<String>>,
    /// The outcome of the last model import.
    pub io_message: RwSignal<Option<String>>,
    /// A configuration held back by the cost limits (nothing was built for it).
    pub cost: RwSignal<Option<CostNotice>>,
    /// The input being looked at (a drawing, a test image), kept so that it is
    /// predicted again whenever the weights change.
    pub probe: StoredValue<Option<Probe>>,
    /// Set when [`Lab::probe`] changed since the driver last looked at it: the driver
    /// takes only the latest input, one prediction at a time.
    pub probe_fresh: StoredValue<bool>,
    /// What the model made of the probe, as of the last look.
    pub seen: RwSignal<Option<Seen>>,
    /// The download of a data set the page fetches on demand (MNIST).
    pub data_fetch: RwSignal<super::data_fetch::DataFetch>,
    /// The language of the interface and the lessons.
    pub lang: RwSignal<Lang>,
    /// True once the language was chosen (by a link's `lang=` or the switch): it is then
    /// kept in the address; otherwise the browser's language applies.
    pub lang_chosen: RwSignal<bool>,
    /// The lesson step open beside the lab (`None`: the lab alone).
    pub lesson: RwSignal<Option<LessonAt>>,
    /// The lesson index is shown.
    pub lesson_index: RwSignal<bool>,
    /// Lesson steps completed (`03.2`), as kept in `localStorage`.
    pub lessons_done: RwSignal<Vec<String>>,
    /// The last runs of this visit, for comparison.
    pub runs: RwSignal<Vec<super::compare::RunRecord>>,
    /// The test scores of the last evaluation of a two-class task (the decision
    /// threshold's metrics are worked out from them).
    pub scores: RwSignal<Option<crate::metrics::BinaryScores>>,
    /// The decision threshold on the probability of class 1 (0.5: the arg-max decision).
    pub threshold: RwSignal<f64>,
    /// The run saved for a reload: the offer to resume it, saving notices.
    pub resume: RwSignal<super::resume::ResumeView>,
    /// The generation panel of a language model (`ui::text`).
    pub text: super::text::TextState,
}

/// A lesson step: the lesson's two-digit id and the step's index (from 0; links and the
/// page count from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonAt {
    /// `03`.
    pub id: String,
    /// The step, from 0.
    pub step: usize,
}

/// The preset the page opens with.
pub const DEFAULT_PRESET: &str = "spiral";

impl Lab {
    /// Fresh state with the default preset.
    pub fn new() -> Lab {
        Lab {
            preset: RwSignal::new(DEFAULT_PRESET.to_string()),
            config: RwSignal::new(preset(DEFAULT_PRESET).unwrap_or_default()),
            running: RwSignal::new(false),
            status: RwSignal::new(Status::default()),
            history: RwSignal::new(Vec::new()),
            live: RwSignal::new(None),
            plot_frame: RwSignal::new(PlotFrame::default()),
            error: RwSignal::new(None),
            backend: RwSignal::new(BackendInfo::default()),
            log_scale: RwSignal::new(false),
            discretize: RwSignal::new(false),
            commands: StoredValue::new(Vec::new()),
            link: RwSignal::new(None),
            weights_hash: RwSignal::new(None),
            model_source: StoredValue::new(None),
            link_notices: RwSignal::new(Vec::new()),
            io_message: RwSignal::new(None),
            cost: RwSignal::new(None),
            probe: StoredValue::new(None),
            probe_fresh: StoredValue::new(false),
            seen: RwSignal::new(None),
            data_fetch: RwSignal::new(Default::default()),
            lang: RwSignal::new(browser_lang()),
            lang_chosen: RwSignal::new(false),
            lesson: RwSignal::new(None),
            lesson_index: RwSignal::new(false),
            lessons_done: RwSignal::new(super::lesson::progress::load()),
            runs: RwSignal::new(Vec::new()),
            scores: RwSignal::new(None),
            threshold: RwSignal::new(crate::metrics::DEFAULT_THRESHOLD),
            resume: RwSignal::new(Default::default()),
            text: super::text::TextState::new(),
        }
    }

    /// Queue a command for the driver.
    pub fn send(&self, cmd: Cmd) {
        self.commands.update_value(|q| q.push(cmd));
    }

    /// Look at `probe` (or at nothing, with `None`): the driver predicts it at its next
    /// frame, and again after every readback of new weights.
    pub fn look_at(&self, probe: Option<Probe>) {
        if probe.is_none() {
            self.seen.set(None);
        }
        self.probe.set_value(probe);
        self.probe_fresh.set_value(true);
    }

    /// Change the configuration: training pauses and the run restarts from step 0.
    pub fn edit(&self, f: impl FnOnce(&mut ExperimentConfig)) {
        self.running.set(false);
        self.config.update(f);
        self.send(Cmd::Reset);
    }
}

/// The browser's preferred language, when it is one of ours (English otherwise).
fn browser_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or_default()
}

impl Default for Lab {
    fn default() -> Self {
        Lab::new()
    }
}
