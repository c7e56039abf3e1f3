// Finding WebGPU asks the browser for one adapter, and the page names that adapter:
// the badge's vendor and architecture come from the device the kernels run on, not
// from a second `requestAdapter` made only to read its info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL_BASE, browserForFile, chooseBackend } from './helpers.mjs';

const browser = browserForFile();

test('the page requests one WebGPU adapter and names it', { timeout: 120_000 }, async () => {
  const page = await browser().newPage({ viewport: { width: 1440, height: 900 } });
  // Count every adapter request the page makes (wgpu calls the instance's method).
  await page.addInitScript(() => {
    const gpu = navigator.gpu;
    if (!gpu) return;
    const request = gpu.requestAdapter.bind(gpu);
    window.adapterRequests = 0;
    gpu.requestAdapter = (...args) => {
      window.adapterRequests += 1;
      return request(...args);
    };
  });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(URL_BASE);
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready',
    null,
    { timeout: 90_000 },
  );
  // Timed against the CPU backend by the auto choice, then chosen by hand.
  assert.match(await page.getByTestId('backend-timing').textContent(), /^auto: /);
  await chooseBackend(page, 'webgpu');
  const badge = await page.getByTestId('backend-badge').textContent();
  // SwiftShader under the test flags: vendor google, architecture swiftshader.
  assert.match(badge, /swiftshader/i);
  assert.equal(await page.evaluate(() => window.adapterRequests), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
