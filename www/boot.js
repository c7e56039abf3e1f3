// Starts the gradlab web app. A file rather than trunk's inline script, so the
// page's Content-Security-Policy can forbid inline scripts. Trunk writes the
// hashed names of the wasm-bindgen JS glue and the wasm module into this tag's
// data attributes (pattern_script in Trunk.toml).
const tag = document.getElementById('gradlab-boot');

try {
  const bindings = await import(tag.dataset.js);
  const wasm = await bindings.default({ module_or_path: tag.dataset.wasm });
  window.wasmBindings = bindings;
  dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
} catch (err) {
  console.error('gradlab: the app failed to start', err);
  const box = document.getElementById('boot-error');
  if (box) {
    box.textContent = `gradlab could not start: ${err}`;
    box.hidden = false;
  }
}
