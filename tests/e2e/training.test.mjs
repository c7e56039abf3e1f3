// Training on the CPU backend reaches the quality bars: linear regression to MSE < 0.01
// with its plot drawn, and spiral to test accuracy >= 0.9; step and reset work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseBackend,
  choosePreset,
  inkShare,
  openPage,
  readNumber,
  reset,
  trainToEnd,
  browserForFile,
} from './helpers.mjs';

const browser = browserForFile();

test('linear-regression trains to MSE < 0.01 and draws its plot', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'linear-regression');
  const start = await readNumber(page, 'test-loss');
  await trainToEnd(page, 120_000);
  const mse = await readNumber(page, 'test-loss');
  assert.ok(mse < 0.01, `test MSE ${mse} (started at ${start})`);
  assert.ok((await readNumber(page, 'step-count')) > 0);
  const ink = await inkShare(page, 'main-chart');
  assert.ok(ink.share > 0.02 && ink.colours > 3, JSON.stringify(ink));
  assert.match(await page.locator('.card-head h2').first().textContent(), /fit/i);
  assert.deepEqual(errors, []);
  await page.close();
});

test('spiral on the CPU backend reaches test accuracy >= 0.9', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'spiral');
  await trainToEnd(page, 240_000);
  const acc = await readNumber(page, 'test-accuracy');
  assert.ok(acc >= 0.9, `test accuracy ${acc} after ${await readNumber(page, 'step-count')} steps`);
  const ink = await inkShare(page, 'main-chart');
  assert.ok(ink.colours > 10, `decision boundary drawn: ${JSON.stringify(ink)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('step takes one step and reset returns to step 0', { timeout: 90_000 }, async () => {
  const { page } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'circle');
  for (let i = 1; i <= 3; i++) {
    await page.getByTestId('step-button').click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=step-count]')?.textContent === String(n),
      i,
    );
  }
  await reset(page);
  assert.equal(await readNumber(page, 'step-count'), 0);
  await page.close();
});
