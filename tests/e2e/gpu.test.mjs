// WebGPU in the page (SwiftShader under the test flags, so runs stay small): a short
// GPU run lowers the loss, and switching backend mid-training keeps the step count and
// continues on the other backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseBackend,
  choosePreset,
  openPage,
  readNumber,
  reset,
  trainToEnd,
  browserForFile,
} from './helpers.mjs';

const browser = browserForFile();

/** Requires the page to have moved to WebGPU by itself (found and self-tested; openPage
 * waits for the search to finish); on failure the message is the page's notice. */
async function waitForGpu(page) {
  const badge = await page.getByTestId('backend-badge').textContent();
  if (!badge.startsWith('WebGPU')) {
    const notice = await page.getByTestId('backend-notice').textContent().catch(() => '');
    assert.fail(`the page is not on WebGPU (badge "${badge}"): ${notice}`);
  }
}

/** Steps `n` times with the step button, waiting for each. */
async function stepTimes(page, n) {
  for (let i = 0; i < n; i++) {
    const before = await readNumber(page, 'step-count');
    await page.getByTestId('step-button').click();
    await page.waitForFunction(
      (s) => Number(document.querySelector('[data-testid=step-count]')?.textContent) > s,
      before,
      { timeout: 30_000 },
    );
  }
}

test('WebGPU is used when present and a short run lowers the loss', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await waitForGpu(page);
  assert.match(await page.getByTestId('backend-badge').textContent(), /swiftshader/i);
  await choosePreset(page, 'gauss');
  const start = await readNumber(page, 'train-loss');
  // gauss is 20 epochs of 25 steps: small enough for SwiftShader.
  await trainToEnd(page, 120_000);
  assert.ok((await readNumber(page, 'step-count')) >= 100);
  const end = await readNumber(page, 'train-loss');
  assert.ok(end < start, `train loss ${start} -> ${end} on the GPU`);
  assert.match(await page.getByTestId('backend-badge').textContent(), /^WebGPU/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('switching backend mid-training keeps the step count and continues', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await waitForGpu(page);
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'circle');
  await stepTimes(page, 5);
  const steps = await readNumber(page, 'step-count');
  await chooseBackend(page, 'webgpu');
  assert.equal(await readNumber(page, 'step-count'), steps, 'step count kept on the switch to WebGPU');
  await stepTimes(page, 3);
  assert.equal(await readNumber(page, 'step-count'), steps + 3);
  await chooseBackend(page, 'cpu');
  assert.equal(await readNumber(page, 'step-count'), steps + 3, 'step count kept on the switch back');
  await stepTimes(page, 2);
  assert.equal(await readNumber(page, 'step-count'), steps + 5);
  const switched = await readNumber(page, 'train-loss');
  // The same steps on the CPU alone: the switches kept weights, optimizer state and
  // batch order, so the loss agrees up to the GPU's rounding.
  await reset(page);
  await stepTimes(page, steps + 5);
  const reference = await readNumber(page, 'train-loss');
  assert.ok(
    Math.abs(switched - reference) <= 2e-3 * (1 + Math.abs(reference)),
    `loss after switching ${switched} vs CPU only ${reference}`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});
