//! Data the page downloads on demand (no vendored set is in the wasm binary, so the first
//! load stays small: MNIST's 1.6 MB of images, the tables and the 8x8 digits, about
//! 120 KB of gzip, and the text sets, tiny Shakespeare's 0.4 MB of gzip and the review
//! sentences): the download with its progress, a clear error with a retry, and the bar
//! that shows them.
//!
//! The driver calls [`start_fetch`] when the configuration needs a set that is not
//! available yet ([`missing_set`]); the files go to the data module, which keeps them
//! for the session, and the driver is told (`Cmd::DataReady`): it rebuilds the run, or
//! does what was waiting for the data (a link's replay, the resume of a saved run).
//! The exports wait for it with [`wait_for_data`].

use super::i18n::{msg, t, tf};
use super::state::{Cmd, Lab};
use crate::data::text::{provide_text, text_loaded, TextSet};
use crate::data::{RealSet, MAX_DECOMPRESSED_BYTES};
use crate::experiment::{DataSource, ExperimentConfig};
use js_sys::{Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Where the page's copy of `www/data/` is served (trunk's `copy-dir`). Relative, so
/// `fetch` resolves it against the page's own address: the data follows the page to any
/// host or subpath, and offline the service worker (www/sw.js) answers from its cache.
const DATA_DIR: &str = "www/data/";

/// The state of the on-demand download.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum DataFetch {
    /// Nothing is being downloaded.
    #[default]
    Idle,
    /// Downloading `set`: `loaded` bytes so far of `total` (0 while unknown).
    Loading {
        /// The set's name.
        set: &'static str,
        /// Bytes received.
        loaded: u64,
        /// Bytes expected (the sum of the `Content-Length`s seen so far).
        total: u64,
    },
    /// The download failed; a retry starts it again.
    Failed {
        /// The set's name.
        set: &'static str,
        /// What went wrong.
        message: String,
    },
}

// The few pieces of `fetch` and streams used here, bound directly (web-sys' `Response`
// and stream types would need new crate features, and a rebuild of web-sys for them).
#[wasm_bindgen]
extern "C" {
    /// The global `fetch(url)`.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_url(url: &str) -> Promise;

    /// A `Response`.
    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn ok(this: &FetchResponse) -> bool;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchResponse) -> FetchHeaders;
    #[wasm_bindgen(method, getter)]
    fn body(this: &FetchResponse) -> Option<BodyStream>;
    #[wasm_bindgen(method, js_name = arrayBuffer)]
    fn array_buffer(this: &FetchResponse) -> Promise;

    /// A `Headers`.
    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;

    /// A `ReadableStream` of bytes.
    type BodyStream;
    #[wasm_bindgen(method, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> BodyReader;

    /// Its default reader.
    type BodyReader;
    #[wasm_bindgen(method)]
    fn read(this: &BodyReader) -> Promise;
}

/// A data set the page downloads on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchSet {
    /// A vendored real set (the tables, the digits, MNIST).
    Real(RealSet),
    /// A vendored text set (tiny Shakespeare, the review sentences).
    Text(TextSet),
}

impl FetchSet {
    /// The set's name, as the progress bar says it.
    fn name(self) -> &'static str {
        match self {
            FetchSet::Real(set) => set.name(),
            FetchSet::Text(set) => set.name(),
        }
    }

    /// The files to download, in order.
    fn files(self) -> Vec<&'static str> {
        match self {
            FetchSet::Real(set) => set.fetched_files().to_vec(),
            FetchSet::Text(set) => vec![set.file()],
        }
    }

    /// Hands the downloaded files to the data module (a `.gz` is decompressed there).
    fn provide(self, files: &[Vec<u8>]) -> Result<(), String> {
        match self {
            FetchSet::Real(set) => set.provide_fetched(files).map_err(|e| e.to_string()),
            FetchSet::Text(set) => match files {
                [bytes] => provide_text(set, bytes).map_err(|e| e.to_string()),
                _ => Err(format!("{}: one file expected", set.file())),
            },
        }
    }
}

thread_local! {
    /// The files of each set this page downloaded, as they came (a `.gz` still
    /// compressed), for the training worker: a run sent there takes its set's files
    /// along instead of downloading them again.
    static KEPT: RefCell<Vec<(FetchSet, Vec<Vec<u8>>)>> = const { RefCell::new(Vec::new()) };
}

/// The downloaded set `config` trains on (whether or not it is here yet), if any.
pub fn fetched_set(config: &ExperimentConfig) -> Option<FetchSet> {
    match config.data {
        DataSource::Real(set) if !set.fetched_files().is_empty() => Some(FetchSet::Real(set)),
        DataSource::Text(set) if set != TextSet::User => Some(FetchSet::Text(set)),
        _ => None,
    }
}

/// The files of `set` as this page downloaded them, if it did.
pub fn kept_files(set: FetchSet) -> Option<Vec<Vec<u8>>> {
    KEPT.with(|k| {
        k.borrow()
            .iter()
            .find(|(s, _)| *s == set)
            .map(|(_, f)| f.clone())
    })
}

/// Hands `files` (as [`kept_files`] gives them) to the data module as `set`.
pub fn provide_files(set: FetchSet, files: &[Vec<u8>]) -> Result<(), String> {
    set.provide(files)
}

/// The set `config` needs that the page has not downloaded yet, if any.
pub fn missing_set(config: &ExperimentConfig) -> Option<FetchSet> {
    match config.data {
        DataSource::Real(set) if !set.is_available() => Some(FetchSet::Real(set)),
        // A user text is pasted, not fetched (building the run says it is missing).
        DataSource::Text(set) if set != TextSet::User && !text_loaded(set) => {
            Some(FetchSet::Text(set))
        }
        _ => None,
    }
}

/// Starts downloading `set`'s files, unless a download is already running. On success
/// the data module keeps them and the run is rebuilt; on failure [`Lab::data_fetch`] says
/// why and the bar offers a retry.
pub fn start_fetch(lab: Lab, set: FetchSet) {
    if matches!(lab.data_fetch.get_untracked(), DataFetch::Loading { .. }) {
        return;
    }
    lab.data_fetch.set(DataFetch::Loading {
        set: set.name(),
        loaded: 0,
        total: 0,
    });
    crate::platform::spawn(async move {
        match download(Some(lab), set).await {
            Ok(()) => {
                lab.data_fetch.set(DataFetch::Idle);
                lab.send(Cmd::DataReady);
            }
            Err(message) => lab.data_fetch.set(DataFetch::Failed {
                set: set.name(),
                message,
            }),
        }
    });
}

/// Downloads every file of `set` and hands them to the data module, with no progress
/// shown (the training worker's downloads: it has no page to show them on).
pub async fn fetch_set(set: FetchSet) -> Result<(), String> {
    download(None, set).await
}

/// Downloads every file of `set` in turn and hands them to the data module; the
/// progress goes to `lab`'s bar when there is one.
async fn download(lab: Option<Lab>, set: FetchSet) -> Result<(), String> {
    let mut files = Vec::new();
    for name in set.files() {
        files.push(fetch_bytes(lab, name).await?);
    }
    set.provide(&files)?;
    if lab.is_some() {
        KEPT.with(|k| {
            let mut k = k.borrow_mut();
            k.retain(|(s, _)| *s != set);
            k.push((set, files));
        });
    }
    Ok(())
}

/// One file's bytes, read chunk by chunk so that the bar moves. At most
/// [`MAX_DECOMPRESSED_BYTES`]: a server that sends more is an error, not a full tab.
async fn fetch_bytes(lab: Option<Lab>, name: &str) -> Result<Vec<u8>, String> {
    let url = format!("{DATA_DIR}{name}");
    let fail = |what: &str, e: JsValue| {
        let why = e
            .as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "unknown error".into());
        format!("{name}: {what} ({why})")
    };
    let response: FetchResponse = JsFuture::from(fetch_url(&url))
        .await
        .map_err(|e| fail("the download failed", e))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "{name}: the server answered HTTP {}",
            response.status()
        ));
    }
    // A body sent with `Content-Encoding` (a host that gzips CSV and TSV) arrives
    // decoded, longer than its `Content-Length`: its length is then unknown here.
    let headers = response.headers();
    let encoded = headers
        .get("content-encoding")
        .is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let expected = headers
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|_| !encoded);
    if let Some(lab) = lab {
        lab.data_fetch.update(|f| {
            if let DataFetch::Loading { total, .. } = f {
                *total += expected.unwrap_or(0);
            }
        });
    }
    let too_big = || format!("{name}: larger than {MAX_DECOMPRESSED_BYTES} bytes");
    let Some(body) = response.body() else {
        // No stream (an old browser): the whole body at once, no progress.
        let buf = JsFuture::from(response.array_buffer())
            .await
            .map_err(|e| fail("the download failed", e))?;
        let bytes = Uint8Array::new(&buf).to_vec();
        return if bytes.len() > MAX_DECOMPRESSED_BYTES {
            Err(too_big())
        } else {
            Ok(bytes)
        };
    };
    let reader = body.get_reader();
    let mut out =
        Vec::with_capacity(expected.unwrap_or(0).min(MAX_DECOMPRESSED_BYTES as u64) as usize);
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| fail("the download broke off", e))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|e| fail("the download broke off", e))?;
        let bytes = Uint8Array::new(&value);
        if out.len() + bytes.length() as usize > MAX_DECOMPRESSED_BYTES {
            return Err(too_big());
        }
        out.extend(bytes.to_vec());
        let n = bytes.length() as u64;
        if let Some(lab) = lab {
            lab.data_fetch.update(|f| {
                if let DataFetch::Loading { loaded, .. } = f {
                    *loaded += n;
                }
            });
        }
    }
    if let Some(want) = expected {
        if out.len() as u64 != want {
            return Err(format!(
                "{name}: the download broke off ({} of {want} bytes)",
                out.len()
            ));
        }
    }
    Ok(out)
}

/// Waits until the data `config` needs is here, starting its download when none runs
/// (the exports build their files from the data). The error says why it cannot come.
pub async fn wait_for_data(lab: Lab, config: &ExperimentConfig) -> Result<(), String> {
    let Some(set) = missing_set(config) else {
        return Ok(());
    };
    if !matches!(lab.data_fetch.get_untracked(), DataFetch::Loading { .. }) {
        start_fetch(lab, set);
    }
    loop {
        // The download reports through `Lab::data_fetch`; look again a few times a second.
        super::gpu::with_timeout(100, std::future::pending::<()>()).await;
        if missing_set(config).is_none() {
            return Ok(());
        }
        match lab.data_fetch.get_untracked() {
            DataFetch::Loading { .. } => {}
            DataFetch::Failed { message, .. } => return Err(message),
            // Finished, yet for another set (the configuration changed meanwhile).
            DataFetch::Idle => start_fetch(lab, set),
        }
    }
}

/// Megabytes with one decimal.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The download's progress bar, or its error with a retry button; nothing when idle.
#[component]
pub fn DataProgress(lab: Lab) -> impl IntoView {
    move || {
        match lab.data_fetch.get() {
        DataFetch::Idle => None,
        DataFetch::Loading { set, loaded, total } => {
            let text = if total > 0 {
                tf("{} of {}", &[&megabytes(loaded), &megabytes(total)])
            } else {
                megabytes(loaded)
            };
            Some(
                view! {
                    <div class="data-fetch" data-testid="data-progress" role="status">
                        <span>{tf("Downloading the {} data set: {}", &[&set, &text])}</span>
                        <progress
                            max=total.max(1).to_string()
                            value=loaded.min(total.max(1)).to_string()
                            aria-label=t("Download progress")
                        ></progress>
                    </div>
                }
                .into_any(),
            )
        }
        DataFetch::Failed { set, message } => Some(
            view! {
                <div class="data-fetch failed" data-testid="data-error" role="alert">
                    <span>{tf("Could not download the {} data set: {}", &[&set, &msg(&message)])}</span>
                    <button
                        type="button"
                        data-testid="data-retry"
                        title=t("Try the download again")
                        on:click=move |_| {
                            lab.data_fetch.set(DataFetch::Idle);
                            lab.send(Cmd::DataReady);
                        }
                    >
                        {t("Retry")}
                    </button>
                </div>
            }
            .into_any(),
        ),
    }
    }
}
