// WebGPU in the page (SwiftShader under the test flags, so runs stay small): the auto
// backend times each experiment on both backends and trains on the faster; a short run
// on WebGPU chosen by hand lowers the loss, and switching backend mid-training keeps the
// step count and continues on the other backend.
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

/** Requires the page to have found WebGPU (and its self-test to have passed; openPage
 * waits for the search to end); on failure the message is the page's notice. */
async function requireGpu(page) {
  const options = await page.getByTestId('backend-select').locator('option').allTextContents();
  const timing = page.getByTestId('backend-timing');
  if ((await timing.count()) === 0) {
    const notice = await page.getByTestId('backend-notice').textContent().catch(() => '');
    assert.fail(`the page did not time WebGPU (options ${options}): ${notice}`);
  }
}

/** The auto backend's timing as the page shows it: steps per second on each backend. */
async function timing(page) {
  const line = page.getByTestId('backend-timing');
  return {
    cpu: Number(await line.getAttribute('data-cpu')),
    gpu: Number(await line.getAttribute('data-gpu')),
    text: await line.textContent(),
  };
}

/** Asserts the run is on the faster backend of `t` and the line names it. */
async function assertOnFaster(page, t) {
  const badge = await page.getByTestId('backend-badge').textContent();
  const faster = t.gpu > t.cpu ? 'WebGPU' : 'CPU';
  assert.ok(badge.startsWith(faster), `on "${badge}", but timed ${t.cpu} steps/s on the CPU, ${t.gpu} on WebGPU`);
  assert.match(t.text, new RegExp(`^auto: ${faster}, `), t.text);
  assert.equal(await page.getByTestId('backend-select').inputValue(), 'auto');
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

test('auto times both backends and trains on the faster; a hand choice sticks', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await requireGpu(page);
  const first = await timing(page);
  assert.ok(first.cpu > 0 && first.gpu > 0, `timed ${JSON.stringify(first)}`);
  await assertOnFaster(page, first);
  // Another experiment is timed for itself.
  await choosePreset(page, 'gauss');
  const gauss = await timing(page);
  assert.ok(gauss.cpu > 0 && gauss.gpu > 0, `timed ${JSON.stringify(gauss)}`);
  await assertOnFaster(page, gauss);
  // WebGPU chosen by hand: the run goes there and stays there for the next experiment.
  await chooseBackend(page, 'webgpu');
  assert.match(await page.getByTestId('backend-badge').textContent(), /swiftshader/i);
  assert.equal(await page.getByTestId('backend-timing').count(), 0, 'no auto line after a hand choice');
  await choosePreset(page, 'xor');
  await choosePreset(page, 'gauss');
  assert.match(await page.getByTestId('backend-badge').textContent(), /^WebGPU/);
  const start = await readNumber(page, 'train-loss');
  // gauss is 20 epochs of 25 steps: small enough for SwiftShader.
  await trainToEnd(page, 120_000);
  assert.ok((await readNumber(page, 'step-count')) >= 100);
  const end = await readNumber(page, 'train-loss');
  assert.ok(end < start, `train loss ${start} -> ${end} on the GPU`);
  assert.match(await page.getByTestId('backend-badge').textContent(), /^WebGPU/);
  // Auto again: this experiment's timing is remembered, and the run moves to the faster.
  await chooseBackend(page, 'auto');
  const again = await timing(page);
  assert.deepEqual([again.cpu, again.gpu], [gauss.cpu, gauss.gpu], 'timed once per experiment');
  await assertOnFaster(page, again);
  assert.deepEqual(errors, []);
  await page.close();
});

test('switching backend mid-training keeps the step count and continues', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await requireGpu(page);
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
