//! The error banner: divergence (with the step and a hint) and invalid settings.

use super::i18n::{msg, t};
use super::state::Lab;
use leptos::prelude::*;

/// Shows the current error, if any; dismissable.
#[component]
pub fn ErrorBanner(lab: Lab) -> impl IntoView {
    view! {
        <Show when=move || lab.error.with(Option::is_some)>
            <div class="error-banner" role="alert" data-testid="error-banner">
                <span>{move || lab.error.get().map(|e| msg(&e)).unwrap_or_default()}</span>
                <button
                    type="button"
                    class="dismiss"
                    title=move || t("Hide this message")
                    aria-label=move || t("Dismiss the error")
                    on:click=move |_| lab.error.set(None)
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}
