// MNIST is not in the first load: the page downloads it only when an image preset is
// chosen, with a progress bar, keeps it for the session, and on a failed download shows
// the error with a retry that works. Then mnist-mlp trains and its test accuracy shows.
// It runs on the backend the page picks (WebGPU here): one evaluation of mnist-mlp
// streams more values than the page's CPU backend allows on the main thread (the cost
// model's ceiling), so on the CPU the run would be refused before it is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserForFile, openPage, readNumber } from './helpers.mjs';

const browser = browserForFile();
const MNIST = /t10k-(images|labels)/;

/** Collects the URLs of the MNIST files the page requests. */
function watchRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    if (MNIST.test(r.url())) seen.push(r.url());
  });
  return seen;
}

/** Waits until the run is built (its first evaluation shows); builds a run held back by
 * the cost limits (the confirm button) on the way. */
async function waitBuilt(page) {
  await page.waitForFunction(
    () => {
      const confirm = document.querySelector('[data-testid=cost-confirm]');
      if (confirm) confirm.click();
      const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
      const step = document.querySelector('[data-testid=step-count]')?.textContent;
      return step === '0' && loss !== undefined && loss !== '–';
    },
    null,
    { timeout: 120_000, polling: 250 },
  );
}

test('mnist-mlp: fetched on demand with a progress bar, trains, shows test accuracy', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser());
  const requested = watchRequests(page);
  assert.deepEqual(requested, [], 'the first load does not fetch MNIST');
  // Hold the images back a moment so the bar is seen before the bytes arrive.
  await page.route('**/t10k-images-idx3-ubyte.gz', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.getByTestId('preset-select').selectOption('mnist-mlp');
  const bar = page.getByTestId('data-progress');
  await bar.waitFor({ timeout: 10_000 });
  assert.match(await bar.textContent(), /mnist/);
  assert.equal(await bar.locator('progress').count(), 1);
  await waitBuilt(page);
  assert.equal(await bar.count(), 0, 'the bar is gone once the data is here');
  assert.equal(requested.length, 2, requested.join(', '));
  // One epoch is 63 steps; its evaluation is the first history point after step 0.
  const before = await readNumber(page, 'test-accuracy');
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    () => parseInt(document.querySelector('[data-testid=step-count]')?.textContent ?? '0', 10) >= 70,
    null,
    { timeout: 200_000, polling: 250 },
  );
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') === 'false',
  );
  const acc = await readNumber(page, 'test-accuracy');
  assert.ok(acc > 0.85 && acc > before, `test accuracy ${acc} after one epoch (was ${before})`);
  // Cached for the session: choosing another preset and back fetches nothing.
  await page.getByTestId('preset-select').selectOption('digits');
  await page.getByTestId('preset-select').selectOption('mnist-mlp');
  await waitBuilt(page);
  assert.equal(requested.length, 2, `fetched again: ${requested.join(', ')}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a failed MNIST download shows its error, and retry fetches it', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await page.route('**/t10k-images-idx3-ubyte.gz', (route) => route.abort('connectionfailed'));
  await page.getByTestId('preset-select').selectOption('mnist-mlp');
  const error = page.getByTestId('data-error');
  await error.waitFor({ timeout: 20_000 });
  assert.match(await error.textContent(), /t10k-images-idx3-ubyte\.gz/);
  assert.equal(await page.getByTestId('data-progress').count(), 0);
  // The network comes back: retry.
  await page.unroute('**/t10k-images-idx3-ubyte.gz');
  await page.getByTestId('data-retry').click();
  await waitBuilt(page);
  assert.equal(await error.count(), 0);
  // The aborted request logs a resource error in the console; nothing else may.
  const others = errors.filter((e) => !/Failed to load resource|ERR_/.test(e));
  assert.deepEqual(others, []);
  await page.close();
});
