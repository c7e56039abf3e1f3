// The page loads with no console errors, shows every test hook, and names the WebGPU
// adapter (SwiftShader under the test flags) in the backend panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, browserForFile } from './helpers.mjs';

const browser = browserForFile();

test('page loads without console errors and with every test hook', { timeout: 90_000 }, async () => {
  const { page, errors } = await openPage(browser());
  for (const id of [
    'preset-select',
    'train-toggle',
    'step-button',
    'reset-button',
    'backend-select',
    'backend-badge',
    'step-count',
    'train-loss',
    'test-loss',
    'test-accuracy',
    'loss-chart',
    'main-chart',
    'network-view',
  ]) {
    assert.equal(await page.getByTestId(id).count(), 1, `hook ${id}`);
  }
  const presets = await page.getByTestId('preset-select').locator('option').allTextContents();
  assert.ok(presets.includes('linear-regression') && presets.includes('digits'), presets.join());
  // Let the page run a moment (the driver's first frames) before judging the console.
  await page.waitForTimeout(1000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the backend panel names the swiftshader adapter', { timeout: 90_000 }, async () => {
  const { page } = await openPage(browser());
  await page.waitForFunction(
    () => !/looking for WebGPU/.test(document.querySelector('.backend')?.textContent ?? ''),
    null,
    { timeout: 30_000 },
  );
  const badge = await page.getByTestId('backend-badge').textContent();
  const timing = page.getByTestId('backend-timing');
  if (badge.startsWith('WebGPU')) {
    assert.match(badge, /swiftshader/i);
  } else if ((await timing.count()) > 0) {
    // Found, timed and slower here: the auto line names it with its figure.
    assert.match(await timing.textContent(), /\(WebGPU · google swiftshader: [\d.]+\)$/);
  } else {
    // The GPU was found but not used: the notice names the adapter and says why.
    const notice = await page.getByTestId('backend-notice').textContent();
    assert.match(notice, /adapter google swiftshader found, but/i);
  }
  await page.close();
});
