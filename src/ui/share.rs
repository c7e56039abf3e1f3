//! Sharing: the Share button (copies the current experiment's link and shows it), the
//! weights hash, the import box for our links and TensorFlow Playground links, and the
//! notice with an opened link's warnings.

use super::i18n::{msg, t, tf};
use super::links;
use super::state::Lab;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The full address of the current experiment (page address plus the link fragment).
fn share_url(fragment: &str) -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}{fragment}")
}

/// Copies `text` to the clipboard; false when the browser has no clipboard here or
/// refuses to write it (headless browsers, no permission): the link is shown anyway.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let has = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard"))
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    has && wasm_bindgen_futures::JsFuture::from(nav.clipboard().write_text(text))
        .await
        .is_ok()
}

/// The Share button, the link field, the weights hash and the import box.
#[component]
pub fn SharePanel(lab: Lab) -> impl IntoView {
    let shown = RwSignal::new(None::<String>);
    let copied = RwSignal::new(None::<bool>);
    let import_text = RwSignal::new(String::new());
    let share = move |_| {
        let Some(link) = lab.link.get_untracked() else {
            return;
        };
        let url = share_url(&link.fragment);
        // The panel opening is a request for the hash too (built only on demand).
        links::request_hash(&lab);
        shown.set(Some(url.clone()));
        copied.set(None);
        crate::platform::spawn(async move { copied.set(Some(copy_to_clipboard(&url).await)) });
    };
    let import = move || {
        let text = import_text.get_untracked();
        if links::open(&lab, &text) {
            import_text.set(String::new());
        }
    };
    view! {
        <fieldset class="group share" aria-label=move || t("Share and import")>
            <legend>{move || t("Share")}</legend>
            <div class="row">
                <button
                    type="button"
                    data-testid="share-button"
                    title=move || t("Copy a link that replays this experiment: every setting, the seed and the steps trained")
                    on:click=share
                >
                    {move || t("Share link")}
                </button>
                <span class="hint" aria-live="polite">
                    {move || match copied.get() {
                        None => "",
                        Some(true) => t("copied to the clipboard"),
                        Some(false) => t("copy it from the field (no clipboard access here)"),
                    }}
                </span>
            </div>
            <Show when=move || shown.with(Option::is_some)>
                <input
                    class="link-field"
                    type="text"
                    readonly
                    aria-label=move || t("Link to this experiment")
                    data-testid="share-link"
                    prop:value=move || shown.get().unwrap_or_default()
                    on:focus=|ev| {
                        use wasm_bindgen::JsCast;
                        if let Some(i) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            i.select();
                        }
                    }
                />
                <p class="hint" data-testid="weights-note">
                    {move || lab.link.get().and_then(|l| l.weights_note).unwrap_or_default()}
                </p>
            </Show>
            <p class="hash" title="SHA-256 of the model file (safetensors); `gradlab run '<link>' --backend cpu` prints the same for this link">
                <span>"weights_sha256 "</span>
                // Empty until asked for: hashing the model file at every refresh would
                // cost a full serialization each time.
                <code data-testid="weights-hash">
                    {move || lab.weights_hash.get().unwrap_or_default()}
                </code>
                <button
                    type="button"
                    class="small"
                    data-testid="weights-hash-request"
                    title=move || t("Compute the SHA-256 of the model file for the weights shown (cleared when they change)")
                    on:click=move |_| links::request_hash(&lab)
                    hidden=move || lab.weights_hash.with(Option::is_some)
                >
                    {move || t("show")}
                </button>
            </p>
            <div class="row import">
                <label class="field">
                    <span>{move || t("Open a link")}</span>
                    <input
                        type="text"
                        data-testid="import-link"
                        placeholder=move || t("a gradlab or TensorFlow Playground link")
                        title=move || t("Paste a gradlab link or a TensorFlow Playground link, then press Open")
                        prop:value=move || import_text.get()
                        on:input=move |ev| import_text.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                import();
                            }
                        }
                    />
                </label>
                <button
                    type="button"
                    data-testid="import-button"
                    title=move || t("Open the pasted link: its settings replace the current ones")
                    on:click=move |_| import()
                >
                    {move || t("Open")}
                </button>
            </div>
        </fieldset>
    }
}

/// Link warnings listed at once; the rest fold into a "more" line.
const NOTICES_SHOWN: usize = 6;

/// The warnings of the link just opened (or why it could not be opened); dismissable.
#[component]
pub fn LinkNotices(lab: Lab) -> impl IntoView {
    view! {
        <Show when=move || lab.link_notices.with(|n| !n.is_empty())>
            <div class="notice link-warnings" role="status" data-testid="link-warnings">
                <div>
                    <strong>{move || t("The link was not taken exactly as written:")}</strong>
                    <ul>
                        {move || {
                            lab.link_notices
                                .get()
                                .into_iter()
                                .take(NOTICES_SHOWN)
                                .map(|n| view! { <li>{msg(&n)}</li> })
                                .collect_view()
                        }}
                    </ul>
                    <Show when=move || lab.link_notices.with(|n| n.len() > NOTICES_SHOWN)>
                        <details>
                            <summary>
                                {move || {
                                    tf(
                                        "{} more",
                                        &[&lab.link_notices.with(|n| n.len() - NOTICES_SHOWN)],
                                    )
                                }}
                            </summary>
                            <ul>
                                {move || {
                                    lab.link_notices
                                        .get()
                                        .into_iter()
                                        .skip(NOTICES_SHOWN)
                                        .map(|n| view! { <li>{msg(&n)}</li> })
                                        .collect_view()
                                }}
                            </ul>
                        </details>
                    </Show>
                </div>
                <button
                    type="button"
                    class="dismiss"
                    title=move || t("Hide these warnings")
                    aria-label=move || t("Dismiss the link warnings")
                    on:click=move |_| lab.link_notices.set(Vec::new())
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}
