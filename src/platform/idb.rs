//! A one-slot byte store in the browser's IndexedDB: where the page keeps its last run
//! so it survives a reload. Every failure (no IndexedDB, private mode, quota, a blocked
//! open) is an error value with the browser's own words, never a panic.
//!
//! Writes start synchronously ([`RunStore::put`] opens its transaction before it
//! returns), so a `pagehide` handler can still start one as the page goes away.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database the page's saved runs live in.
pub const DB_NAME: &str = "gradlab-runs";
/// Its object store.
pub const STORE: &str = "runs";
/// The one key used: the last run.
pub const LAST_RUN_KEY: &str = "last";

/// An open IndexedDB database with the runs store.
pub struct RunStore {
    db: IdbDatabase,
}

/// A DOM error (a `DOMException`, an event, anything) as text.
fn describe(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

/// The error a finished request carries, as text.
fn request_error(req: &IdbRequest) -> String {
    match req.error() {
        Ok(Some(e)) => format!("{}: {}", e.name(), e.message()),
        _ => "the request failed".into(),
    }
}

/// Resolves when `req` succeeds (with its result) or fails (with its error).
async fn finished(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result().map_err(|e| describe(&e)),
        Err(_) => Err(request_error(req)),
    }
}

/// Resolves when `tx` commits, or with why it failed or was aborted (a full quota
/// aborts the transaction). Its handlers are set before this returns, so the outcome
/// is caught however late the future is first polled.
fn committed(tx: &IdbTransaction) -> impl std::future::Future<Output = Result<(), String>> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let tx = tx.clone();
    async move {
        match JsFuture::from(promise).await {
            Ok(_) => Ok(()),
            Err(_) => Err(match tx.error() {
                Some(e) => format!("{}: {}", e.name(), e.message()),
                None => "the transaction was aborted".into(),
            }),
        }
    }
}

impl RunStore {
    /// Opens (creating on first use) the database. Errs where the browser has no
    /// IndexedDB or refuses it (some private modes, storage blocked).
    pub async fn open() -> Result<RunStore, String> {
        // The global scope's `indexedDB`: a page's or a worker's.
        let factory: web_sys::IdbFactory = super::global_property("indexedDB")
            .and_then(|f| f.dyn_into().ok())
            .ok_or("this browser offers no IndexedDB")?;
        let open = factory
            .open_with_u32(DB_NAME, 1)
            .map_err(|e| describe(&e))?;
        // First open: create the store (kept alive until the open has finished).
        let upgrade_req = open.clone();
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            if let Ok(db) = upgrade_req.result() {
                let db: IdbDatabase = db.unchecked_into();
                if !db.object_store_names().contains(STORE) {
                    let _ = db.create_object_store(STORE);
                }
            }
        });
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let result = finished(&open).await;
        open.set_onupgradeneeded(None);
        drop(upgrade);
        let db: IdbDatabase = result?.dyn_into().map_err(|_| "not a database")?;
        Ok(RunStore { db })
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, String> {
        self.db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(|e| describe(&e))
    }

    /// The bytes kept under [`LAST_RUN_KEY`]: `None` when there are none; an error
    /// when the value there is no bytes at all.
    pub async fn get(&self) -> Result<Option<Vec<u8>>, String> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
        let req = store
            .get(&JsValue::from_str(LAST_RUN_KEY))
            .map_err(|e| describe(&e))?;
        let value = finished(&req).await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        if let Some(a) = value.dyn_ref::<Uint8Array>() {
            return Ok(Some(a.to_vec()));
        }
        if let Some(b) = value.dyn_ref::<js_sys::ArrayBuffer>() {
            return Ok(Some(Uint8Array::new(b).to_vec()));
        }
        Err("the stored value is not bytes".into())
    }

    /// Starts writing `bytes` under [`LAST_RUN_KEY`] now; the future says whether it
    /// was committed. Started, it completes even when nobody awaits it (as from a
    /// `pagehide` handler, which asks for the commit at once).
    pub fn put(
        &self,
        bytes: &[u8],
    ) -> Result<impl std::future::Future<Output = Result<(), String>>, String> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
        let value = Uint8Array::from(bytes);
        store
            .put_with_key(&value, &JsValue::from_str(LAST_RUN_KEY))
            .map_err(|e| describe(&e))?;
        // Commit now rather than when the task ends: the page may be going away.
        let done = committed(&tx);
        // `commit()` is standard (IndexedDB 3.0) though web-sys marks it deprecated; a
        // browser without it throws, caught here, and commits when the task ends.
        #[allow(deprecated)]
        let _ = tx.commit();
        Ok(done)
    }

    /// Removes the saved run (if any).
    pub async fn clear(&self) -> Result<(), String> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(STORE).map_err(|e| describe(&e))?;
        store
            .delete(&JsValue::from_str(LAST_RUN_KEY))
            .map_err(|e| describe(&e))?;
        committed(&tx).await
    }
}
