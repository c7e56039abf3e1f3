// A diverging setting (plain SGD with the largest learning rate on linear regression)
// stops training and shows the error banner with the step and a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseBackend,
  choosePreset,
  editSetting,
  openPage,
  readNumber,
  browserForFile,
} from './helpers.mjs';

const browser = browserForFile();

test('a huge learning rate shows the error banner and stops', { timeout: 120_000 }, async () => {
  const { page } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'linear-regression');
  await editSetting(page, () => page.getByLabel('Optimizer').selectOption('sgd'));
  const lr = page.getByLabel('Learning rate');
  await editSetting(page, async () => {
    await lr.fill('10');
    await lr.press('Enter');
  });
  assert.equal(await lr.inputValue(), '10');
  assert.equal(await page.getByTestId('error-banner').count(), 0);
  await page.getByTestId('train-toggle').click();
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: 60_000 });
  const text = await banner.textContent();
  assert.match(text, /diverged at step \d+/);
  assert.match(text, /learning rate/);
  // Training has stopped: the toggle is off and the step count no longer moves.
  assert.equal(await page.getByTestId('train-toggle').getAttribute('aria-pressed'), 'false');
  const step = await readNumber(page, 'step-count');
  await page.waitForTimeout(500);
  assert.equal(await readNumber(page, 'step-count'), step);
  await page.close();
});
