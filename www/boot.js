// Starts the gradlab web app. A file rather than trunk's inline script, so the
// page's Content-Security-Policy can forbid inline scripts. Trunk writes the
// hashed names of the wasm-bindgen JS glue and the wasm module into this tag's
// data attributes (pattern_script in Trunk.toml), relative to the page.
const tag = document.getElementById('gradlab-boot');

// The names are relative to the page, wherever it is hosted (a domain's root or any
// subpath). A bare import() would resolve them against this script's own URL (www/),
// so they are made absolute against the document first.
const fromPage = (relative) => new URL(relative, document.baseURI).href;

// The training worker (www/train_worker.js, served next to index.html) instantiates the
// same glue and module: their absolute URLs, so the browser's cache serves them.
window.__gradlabGlue = {
  js: fromPage(tag.dataset.js),
  wasm: fromPage(tag.dataset.wasm),
  worker: fromPage('train_worker.js'),
};

try {
  const bindings = await import(fromPage(tag.dataset.js));
  const wasm = await bindings.default({ module_or_path: fromPage(tag.dataset.wasm) });
  window.wasmBindings = bindings;
  dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
  registerServiceWorker();
} catch (err) {
  console.error('gradlab: the app failed to start', err);
  const box = document.getElementById('boot-error');
  if (box) {
    box.textContent = `gradlab could not start: ${err}`;
    box.hidden = false;
  }
}

/**
 * Registers the service worker that keeps the app, its data and lessons for offline use
 * (sw.js, written by scripts/site_build.mjs next to index.html, so its scope is the app's
 * folder). Only once the app runs: its downloads never compete with the first start.
 * Pages served without one (`trunk serve`, file://, an old browser) simply run online.
 */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  if (document.querySelector('meta[name=gradlab-build]') === null) return;
  navigator.serviceWorker
    // updateViaCache 'none': the browser asks the server for sw.js itself at every check,
    // never a copy in its HTTP cache, so a new build is seen on the next visit.
    .register(fromPage('sw.js'), { updateViaCache: 'none' })
    .catch((err) => console.warn('gradlab: no offline copy (service worker not registered)', err));
}
