//! Export and import: the model as safetensors (PyTorch names and shapes, the config in
//! its metadata; built when clicked, the very file whose SHA-256 the page then shows),
//! the data as CSV, the history as JSON; and a safetensors file imported into the run
//! to continue training or to infer.

use super::data_fetch::wait_for_data;
use super::i18n::{msg, t};
use super::links;
use super::state::{Cmd, Lab};
use crate::data::to_csv;
use crate::experiment::{from_safetensors, prepare};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Offers `bytes` as a download named `name`: a Blob, an object URL and a temporary
/// `<a download>` (no script, so the Content-Security-Policy needs nothing extra).
fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |what: &str, e: wasm_bindgen::JsValue| format!("cannot {what}: {e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| fail("make the file", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| fail("make a link to the file", e))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| fail("make a link", e))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    let body = document.body().ok_or("no body")?;
    body.append_child(&a).map_err(|e| fail("add the link", e))?;
    a.click();
    a.remove();
    // The browser has started the download by now; the URL is freed a little later.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(30),
    );
    Ok(())
}

/// The model, data and history downloads and the model import.
#[component]
pub fn ModelIo(lab: Lab) -> impl IntoView {
    let report = move |r: Result<(), String>| {
        if let Err(e) = r {
            lab.io_message.set(Some(e));
        }
    };
    let export_model = move |_| {
        // The file is built now, from the weights of the last readback.
        report(links::model_file(&lab).and_then(|(step, bytes)| {
            download(
                &format!("gradlab-{}-step{step}.safetensors", file_stem(&lab)),
                "application/octet-stream",
                &bytes,
            )
        }))
    };
    // The PyTorch project (train.py, data, initial weights, README), zipped in the page,
    // and the data as CSV: both are built from the data set, so they wait for its
    // download when the page has not got it yet.
    let export_pytorch = move |_| {
        let (config, stem) = (lab.config.get_untracked(), file_stem(&lab));
        crate::platform::spawn(async move {
            let zip = match wait_for_data(lab, &config).await {
                Ok(()) => crate::export::pytorch_zip(&config, &stem).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            report(
                zip.map_err(|e| format!("cannot export to PyTorch: {e}"))
                    .and_then(|zip| {
                        download(
                            &format!("gradlab-{stem}-pytorch.zip"),
                            "application/zip",
                            &zip,
                        )
                    }),
            )
        });
    };
    let export_data = move |_| {
        let (config, stem) = (lab.config.get_untracked(), file_stem(&lab));
        crate::platform::spawn(async move {
            let data = match wait_for_data(lab, &config).await {
                Ok(()) => prepare(&config).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            report(match data {
                Ok(d) => download(
                    &format!("gradlab-{stem}-data.csv"),
                    "text/csv",
                    to_csv(&d.train, &d.test).as_bytes(),
                ),
                Err(e) => Err(format!("cannot export the data: {e}")),
            })
        });
    };
    let export_history = move |_| {
        report(
            match serde_json::to_string_pretty(&lab.history.get_untracked()) {
                Ok(json) => download(
                    &format!("gradlab-{}-history.json", file_stem(&lab)),
                    "application/json",
                    json.as_bytes(),
                ),
                Err(e) => Err(format!("cannot export the history: {e}")),
            },
        )
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file may be chosen again later.
        input.set_value("");
        crate::platform::spawn(async move {
            let name = file.name();
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
                Err(e) => {
                    lab.io_message
                        .set(Some(format!("cannot read {name}: {e:?}")));
                    return;
                }
            };
            match from_safetensors(&bytes) {
                Ok((weights, _)) => {
                    lab.running.set(false);
                    lab.send(Cmd::LoadWeights(weights));
                }
                Err(e) => lab
                    .io_message
                    .set(Some(format!("cannot import {name}: {e}"))),
            }
        });
    };
    view! {
        <fieldset class="group model-io" aria-label=move || t("Export and import")>
            <legend>{move || t("Export and import")}</legend>
            <div class="row buttons">
                <button
                    type="button"
                    data-testid="export-model"
                    title=move || t("The weights as safetensors (PyTorch names and shapes; the experiment in the metadata)")
                    on:click=export_model
                >
                    {move || t("Model")}
                </button>
                <button
                    type="button"
                    data-testid="export-pytorch"
                    title=move || t("A PyTorch project that trains this experiment the same way (train.py, the data, the initial weights, a README for GPUs and torchrun), as a zip")
                    on:click=export_pytorch
                >
                    {move || t("Export to PyTorch")}
                </button>
                <button
                    type="button"
                    data-testid="export-data"
                    title=move || t("The train and test data as CSV (the model's inputs)")
                    on:click=export_data
                >
                    {move || t("Data")}
                </button>
                <button
                    type="button"
                    data-testid="export-history"
                    title=move || t("The loss and metrics history as JSON")
                    on:click=export_history
                >
                    {move || t("History")}
                </button>
            </div>
            <label class="field file" title=move || t("Load weights from a safetensors file with this model's names and shapes, to continue training or to infer")>
                <span>{move || t("Import model")}</span>
                <input
                    type="file"
                    accept=".safetensors,application/octet-stream"
                    data-testid="import-model"
                    on:change=import
                />
            </label>
            <p class="hint" data-testid="io-message" aria-live="polite">
                {move || lab.io_message.get().map(|m| msg(&m)).unwrap_or_default()}
            </p>
        </fieldset>
    }
}

/// The preset's name for file names, `experiment` for a custom one.
fn file_stem(lab: &Lab) -> String {
    let p = lab.preset.get_untracked();
    if p.is_empty() {
        "experiment".into()
    } else {
        p
    }
}
