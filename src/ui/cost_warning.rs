//! The cost warning: a configuration over the cost limits (from the controls, a link or
//! a preset) is not built; this says what it would cost and offers to build it anyway,
//! or, over the backend's hard ceiling, says that it cannot run here.

use super::i18n::{msg, t, tf};
use super::state::{Cmd, CostNotice, Lab};
use leptos::prelude::*;

/// Shows [`Lab::cost`], when a configuration is held back.
#[component]
pub fn CostWarning(lab: Lab) -> impl IntoView {
    move || lab.cost.get().map(|notice| warning(lab, notice))
}

fn warning(lab: Lab, n: CostNotice) -> impl IntoView {
    let state = if n.may_start { "large" } else { "too-large" };
    let title = if n.may_start {
        t("This run is larger than the page's default limits, so it has not started.").to_string()
    } else {
        tf(
            "This run is too large for {}, so it cannot start here.",
            &[&msg(n.backend)],
        )
    };
    let advice = if n.may_start {
        t("Build it anyway if this device can take it (the tab may be slow while it works), or make it smaller: fewer samples, a smaller batch, fewer or narrower layers.")
    } else if n.gpu_hint {
        t("Switch the backend to WebGPU, which can take it, or make it smaller: fewer samples, a smaller batch, fewer or narrower layers.")
    } else {
        t("Make it smaller: fewer samples, a smaller batch, fewer or narrower layers.")
    };
    view! {
        <div class="cost-warning" role="alert" data-testid="cost-warning" data-state=state>
            <div>
                <strong>{title}</strong>
                <p data-testid="cost-summary">{tf("It would need {}.", &[&msg(&n.summary)])}</p>
                <ul>{n.excesses.into_iter().map(|e| view! { <li>{msg(&e)}</li> }).collect_view()}</ul>
                <p class="hint">{advice}</p>
            </div>
            {n.may_start.then(|| view! {
                <button
                    type="button"
                    data-testid="cost-confirm"
                    title=t("Build this run although it is over the default limits; then press play to train")
                    on:click=move |_| lab.send(Cmd::ConfirmLarge)
                >
                    {t("Build it anyway")}
                </button>
            })}
        </div>
    }
}
