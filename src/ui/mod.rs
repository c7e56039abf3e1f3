//! The playground page (wasm only): Leptos components, one per file, over the state in
//! [`state`]; the training loop runs in [`driver`], plots draw with plotters in [`plots`].
//! Components never compute gradients: they edit the configuration, send commands and
//! show what the driver publishes.

mod backend_panel;
mod compare;
mod cost_warning;
mod data_controls;
mod data_fetch;
mod digits_grid;
mod draw_pad;
mod driver;
mod error_banner;
mod fields;
mod gpu;
mod i18n;
mod lesson;
mod links;
mod loss_chart;
mod main_chart;
mod metrics_panel;
mod model_io;
mod model_text;
mod network_editor;
mod network_view;
mod optimizer_controls;
mod plot_frame;
mod plots;
mod preset_select;
mod probe;
pub mod resume;
mod seq2seq_editor;
mod share;
pub mod state;
mod sweep;
pub mod text;
mod text_views;
mod training_bar;
pub(crate) mod translate_zh;
pub mod worker;
pub mod worker_client;

use leptos::prelude::*;
use state::Lab;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new();
    i18n::install(lab.lang);
    compare::record(lab);
    text::read_linked_sha(&lab);
    links::open_address(&lab);
    driver::start(lab);
    worker_client::start_if_asked();
    view! {
        <style>{lesson::CSS}</style>
        <header class="topbar">
            <h1 class="brand">"gradlab"</h1>
            <lesson::LessonsButton lab=lab />
            <lesson::LangSwitch lab=lab />
            <preset_select::PresetSelect lab=lab />
            <training_bar::TrainingBar lab=lab />
            <backend_panel::BackendPanel lab=lab />
        </header>
        <error_banner::ErrorBanner lab=lab />
        <cost_warning::CostWarning lab=lab />
        <data_fetch::DataProgress lab=lab />
        <share::LinkNotices lab=lab />
        <resume::ResumeBar lab=lab />
        <lesson::LessonIndex lab=lab />
        <lesson::LessonPanel lab=lab />
        <main class="layout">
            <section class="panel controls" aria-label="Experiment settings">
                // Wrappers (`display: contents`) a lesson step hides by group.
                <div data-lesson-group="data">
                    <data_controls::DataControls lab=lab />
                </div>
                <div data-lesson-group="network">
                    <network_editor::NetworkEditor lab=lab />
                </div>
                <div data-lesson-group="optimizer">
                    <optimizer_controls::OptimizerControls lab=lab />
                </div>
                <div data-lesson-group="share">
                    <share::SharePanel lab=lab />
                </div>
                <div data-lesson-group="model">
                    <model_io::ModelIo lab=lab />
                </div>
            </section>
            // A text model has no input plane to draw its neurons over (ui::text's CSS
            // gives the column to the results).
            <section
                class="panel network"
                aria-label="The network"
                hidden=move || lab.config.with(|c| c.data.is_tokens())
            >
                <network_view::NetworkView lab=lab />
            </section>
            <section class="panel output" aria-label="Results">
                <main_chart::MainChart lab=lab />
                <text::GenerationPanel lab=lab />
                <text::UserTextPanel lab=lab />
                <text_views::TextViewsPanel lab=lab />
                <draw_pad::DrawPad lab=lab />
                <digits_grid::DigitsGrid lab=lab />
                <loss_chart::LossChart lab=lab />
                <compare::RunCompare lab=lab />
                <details class="card tools">
                    <summary>{move || i18n::t("Sweep")}</summary>
                    <sweep::Sweep lab=lab />
                </details>
                <text::LmMetrics lab=lab />
                <metrics_panel::MetricsPanel lab=lab />
            </section>
        </main>
    }
}

/// Mounts the page into `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
