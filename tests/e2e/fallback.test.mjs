// Without WebGPU (Chromium launched without the WebGPU flags) the page runs on the CPU
// backend and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, readNumber, browserForFile } from './helpers.mjs';

const browser = browserForFile({ webgpu: false });

test('no WebGPU: CPU backend with a notice, and training works', { timeout: 90_000 }, async () => {
  const { page, errors } = await openPage(browser());
  const badge = page.getByTestId('backend-badge');
  await page.waitForFunction(
    () => !/looking for WebGPU/.test(document.querySelector('.backend')?.textContent ?? ''),
  );
  assert.match(await badge.textContent(), /^CPU/);
  const notice = await page.getByTestId('backend-notice').textContent();
  assert.match(notice, /CPU backend/);
  assert.match(notice, /WebGPU|adapter/);
  await page.getByTestId('step-button').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=step-count]')?.textContent === '1',
  );
  assert.equal(await readNumber(page, 'step-count'), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
