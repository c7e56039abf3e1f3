//! The backend chooser and badge: which backend runs, on which adapter, and why the
//! GPU is not used when it is not.

use super::i18n::{msg, t};
use super::state::{BackendKind, Cmd, Lab};
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
            (BackendKind::Cpu, _) => "CPU".to_string(),
        }
    };
    let on_change = move |ev| {
        let kind = match event_target_value(&ev).as_str() {
            "webgpu" => BackendKind::Gpu,
            _ => BackendKind::Cpu,
        };
        lab.send(Cmd::SetBackend(kind));
    };
    let option = move |kind: BackendKind, text: &'static str| {
        view! {
            <option
                value=kind.value()
                prop:selected=move || lab.backend.with(|b| b.active == kind)
            >
                {text}
            </option>
        }
    };
    view! {
        <div
            class="backend"
            role="group"
            aria-label=move || t("Backend")
            data-state=move || if lab.backend.with(|b| b.probing) { "probing" } else { "ready" }
        >
            <label class="field" title=move || t("Where the tensors live and the kernels run; switching keeps the experiment")>
                <span>{move || t("Backend")}</span>
                <select data-testid="backend-select" on:change=on_change>
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
                title=move || t("The backend running now")
            >
                {badge}
            </span>
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

/// The first line of a notice, at most 200 characters (the full text is the tooltip).
fn short(notice: &str) -> String {
    let line = notice.lines().next().unwrap_or("");
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line.to_string()
    }
}
