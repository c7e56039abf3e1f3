// A GPU device lost mid-training (here: destroyed from the test) hands the run to the
// CPU backend from the last copy of the training state read back, with a notice: the
// step count and the history survive instead of restarting from zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL_BASE, chooseBackend, choosePreset, readNumber, browserForFile } from './helpers.mjs';

const browser = browserForFile();

// Runs in the page before its scripts: keeps every GPUDevice the page asks for, so the
// test can destroy them (the page itself has no such hook).
function captureDevices() {
  window.__gradlabDevices = [];
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    window.__gradlabDevices.push(device);
    return device;
  };
}

async function stepOnce(page) {
  const before = await readNumber(page, 'step-count');
  await page.getByTestId('step-button').click();
  await page.waitForFunction(
    (s) => Number(document.querySelector('[data-testid=step-count]')?.textContent) > s,
    before,
    { timeout: 30_000 },
  );
}

test('a lost GPU device falls back to the CPU keeping the run', { timeout: 240_000 }, async () => {
  const page = await browser().newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(captureDevices);
  await page.goto(URL_BASE);
  await page.waitForFunction(() => document.querySelector('.backend')?.dataset.state === 'ready', null, {
    timeout: 120_000,
  });
  // The auto backend picks the CPU on the tests' software adapter: WebGPU by hand.
  await chooseBackend(page, 'webgpu');
  await choosePreset(page, 'gauss');
  for (let i = 0; i < 6; i++) await stepOnce(page);
  const steps = await readNumber(page, 'step-count');
  assert.equal(steps, 6);

  const destroyed = await page.evaluate(() => {
    for (const d of window.__gradlabDevices) d.destroy();
    return window.__gradlabDevices.length;
  });
  assert.ok(destroyed >= 1, 'the page asked for at least one GPU device');
  // The next step needs the device: the failure moves the run to the CPU.
  await page.getByTestId('step-button').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=backend-badge]')?.textContent?.startsWith('CPU'),
    null,
    { timeout: 60_000 },
  );
  const notice = await page.getByTestId('backend-notice').textContent();
  assert.match(notice, /GPU failed/, notice);
  // The last copy read back is from one of the steps taken (the copy of the very last
  // step may still have been in flight when the device went away), never a restart.
  const from = Number(/continues on the CPU backend from step (\d+)/.exec(notice)?.[1]);
  assert.ok(from >= 1 && from <= 6, `resumed from step ${from}: ${notice}`);
  // The resumed run may have taken the pending step already; it never went back to 0.
  const now = await readNumber(page, 'step-count');
  assert.ok(now >= from && now <= from + 1, `step count ${now} after resuming from ${from}`);
  // Training goes on, on the CPU.
  await stepOnce(page);
  assert.ok(Number.isFinite(await readNumber(page, 'train-loss')));
  assert.deepEqual(errors, []);
  await page.close();
});
