//! The backend chooser and badge: which backend runs, on which adapter, and why the
//! GPU is not used when it is not.

use super::i18n::{msg, t, tf};
use super::state::{BackendInfo, BackendKind, Cmd, Lab};
use leptos::prelude::*;

/// Backend select, badge and notice.
#[component]
pub fn BackendPanel(lab: Lab) -> impl IntoView {
    let badge = move || {
        let b = lab.backend.get();
        match (b.active, &b.adapter) {
            _ if b.switching => t("switching…").to_string(),
            (BackendKind::Gpu, Some(a)) => format!("WebGPU · {a}"),
            (BackendKind::Gpu, None) => "WebGPU".to_string(),
            (BackendKind::Cpu, _) if b.in_worker => format!("CPU · {}", t("worker")),
            (BackendKind::Cpu, _) => "CPU".to_string(),
        }
    };
    let on_change = move |ev| {
        lab.send(match event_target_value(&ev).as_str() {
            "auto" => Cmd::AutoBackend,
            "webgpu" => Cmd::SetBackend(BackendKind::Gpu),
            _ => Cmd::SetBackend(BackendKind::Cpu),
        });
    };
    let option = move |kind: BackendKind, text: &'static str| {
        view! {
            <option
                value=kind.value()
                prop:selected=move || lab.backend.with(|b| !b.auto && b.active == kind)
            >
                {text}
            </option>
        }
    };
    let state = move || {
        lab.backend.with(|b| match () {
            _ if b.probing => "probing",
            _ if b.timing => "timing",
            _ => "ready",
        })
    };
    view! {
        <div
            class="backend"
            role="group"
            aria-label=move || t("Backend")
            data-state=state
        >
            <label class="field" title=move || t("Where the tensors live and the kernels run; switching keeps the experiment")>
                <span>{move || t("Backend")}</span>
                <select data-testid="backend-select" on:change=on_change>
                    <option
                        value="auto"
                        title=move || t("The faster backend for this experiment, found by timing a few steps on each")
                        prop:selected=move || lab.backend.with(|b| b.auto)
                    >
                        {move || t("Auto")}
                    </option>
                    {option(BackendKind::Gpu, "WebGPU")}
                    {option(BackendKind::Cpu, "CPU")}
                </select>
            </label>
            <span
                class=move || {
                    if lab.backend.with(|b| b.active == BackendKind::Gpu) {
                        "badge gpu"
                    } else {
                        "badge cpu"
                    }
                }
                data-testid="backend-badge"
                data-where=move || if lab.backend.with(|b| b.in_worker) { "worker" } else { "page" }
                title=move || {
                    if lab.backend.with(|b| b.in_worker) {
                        t("The backend running now; this run's steps are long, so it trains in a background thread (a Web Worker) and the page stays responsive")
                    } else {
                        t("The backend running now")
                    }
                }
            >
                {badge}
            </span>
            <Show when=move || lab.backend.with(|b| b.timing || b.auto && b.timed.is_some())>
                <p
                    class="timing"
                    data-testid="backend-timing"
                    data-cpu=move || lab.backend.with(|b| b.timed.map(|t| t.cpu))
                    data-gpu=move || lab.backend.with(|b| b.timed.map(|t| t.gpu))
                    title=move || t("Steps per second of this experiment in this page, timed on each backend; the run went to the faster")
                >
                    {move || lab.backend.with(timing_text)}
                </p>
            </Show>
            <Show when=move || lab.backend.with(|b| b.notice.is_some())>
                <p
                    class="notice"
                    data-testid="backend-notice"
                    role="status"
                    title=move || msg(&lab.backend.get().notice.unwrap_or_default())
                >
                    {move || short(&msg(&lab.backend.get().notice.unwrap_or_default()))}
                </p>
            </Show>
        </div>
    }
}

/// What the auto backend found: `auto: CPU, 2150 steps/s here (WebGPU · google
/// swiftshader: 61)`.
fn timing_text(b: &BackendInfo) -> String {
    let Some(timed) = b.timed.filter(|_| !b.timing) else {
        return t("timing each backend on this experiment…").to_string();
    };
    // The badge names the adapter only while WebGPU runs: otherwise this line does.
    let gpu_name = match &b.adapter {
        Some(a) => format!("WebGPU · {a}"),
        None => "WebGPU".to_string(),
    };
    let (picked, other, other_name) = match timed.faster() {
        BackendKind::Cpu => (timed.cpu, timed.gpu, gpu_name),
        BackendKind::Gpu => (timed.gpu, timed.cpu, "CPU".to_string()),
    };
    let name = match timed.faster() {
        BackendKind::Cpu => "CPU",
        BackendKind::Gpu => "WebGPU",
    };
    match other > 0.0 {
        true => tf(
            "auto: {}, {} steps/s here ({}: {})",
            &[&name, &rate(picked), &other_name, &rate(other)],
        ),
        false => tf(
            "auto: {}, {} steps/s here ({} failed its timing)",
            &[&name, &rate(picked), &other_name],
        ),
    }
}

/// Steps per second as shown: whole numbers from 10 up, one decimal below.
fn rate(steps_per_sec: f64) -> String {
    match steps_per_sec >= 10.0 {
        true => format!("{steps_per_sec:.0}"),
        false => format!("{steps_per_sec:.1}"),
    }
}

/// The first line of a notice, at most 200 characters (the full text is the tooltip).
fn short(notice: &str) -> String {
    let line = notice.lines().next().unwrap_or("");
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line.to_string()
    }
}
