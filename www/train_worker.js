// gradlab's training worker: the same wasm-bindgen glue and wasm module as the page
// (their absolute URLs come in the first message, from boot.js through the page), so
// the browser's cache and the service worker serve them and the first load transfers
// nothing more. The module's `main` mounts nothing where there is no window; the
// worker's own entry point is `worker_main` (src/ui/worker.rs), which then answers
// the page's messages itself.
self.addEventListener(
  'message',
  async (event) => {
    try {
      const { js, wasm } = event.data;
      const bindings = await import(js);
      await bindings.default({ module_or_path: wasm });
      bindings.worker_main();
    } catch (err) {
      // The page sees the error event and trains in the page.
      console.error('gradlab: the training worker failed to start', err);
      throw err;
    }
  },
  { once: true },
);
