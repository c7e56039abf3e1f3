// MNIST is not in the first load: the page downloads it only when an image preset is
// chosen, with a progress bar, keeps it for the session, and on a failed download shows
// the error with a retry that works. Then mnist-mlp trains and its test accuracy shows.
// The tables and the 8x8 digits are fetched the same way: a preset chosen and played
// while the page is still starting trains once its file is here.
// It runs on the backend the page picks (WebGPU here): one evaluation of mnist-mlp
// streams more values than the page's CPU backend allows on the main thread (the cost
// model's ceiling), so on the CPU the run would be refused before it is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL_BASE, browserForFile, openPage, readNumber, screenshot } from './helpers.mjs';

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
  await page
    .waitForFunction(
    () => {
      const confirm = document.querySelector('[data-testid=cost-confirm]');
      if (confirm) confirm.click();
      const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
      const step = document.querySelector('[data-testid=step-count]')?.textContent;
      return step === '0' && loss !== undefined && loss !== '–';
    },
    null,
    { timeout: 120_000, polling: 250 },
  )
    .catch(async (e) => {
      await screenshot(page, 'data-mnist-not-built.png');
      const text = await page.locator('body').innerText();
      throw new Error(`${e.message}\n${text.slice(0, 1500)}`);
    });
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
  await screenshot(page, 'mnist-mlp-1440x900.png');
  assert.deepEqual(errors, []);
  // Cached for the session: choosing another preset and back fetches nothing and shows
  // no bar. (Only the reset is awaited: a second full build of this run on the software
  // WebGPU adapter of the tests can outlast the page's 30 s readback timeout.)
  await page.getByTestId('preset-select').selectOption('digits');
  const run = await page.getByTestId('step-count').getAttribute('data-run');
  await page.getByTestId('preset-select').selectOption('mnist-mlp');
  await page.waitForFunction(
    (old) => document.querySelector('[data-testid=step-count]')?.dataset.run !== old,
    run,
    { timeout: 30_000 },
  );
  assert.equal(await bar.count(), 0, 'no download the second time');
  assert.equal(requested.length, 2, `fetched again: ${requested.join(', ')}`);
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

/** Chooses `preset`, presses play at once (its data may still be downloading) and waits
 * until the new run has trained `steps` steps. */
async function chooseAndPlay(page, preset, steps) {
  const old = await page.getByTestId('step-count').getAttribute('data-run');
  await page.getByTestId('preset-select').selectOption(preset);
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    ([run, n]) => {
      const step = document.querySelector('[data-testid=step-count]');
      return step?.dataset.run !== run && parseInt(step?.textContent ?? '0', 10) >= n;
    },
    [old, steps],
    { timeout: 60_000, polling: 100 },
  );
}

test('the tables are fetched on demand: digits and breast-cancer chosen at once train', { timeout: 180_000 }, async () => {
  // Its own context with no service worker: an earlier page's worker may have cached the
  // data files, and requests it answers are not seen (nor routed) here.
  const context = await browser().newContext({ serviceWorkers: 'block', viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const data = [];
  page.on('request', (r) => {
    if (/\/www\/data\//.test(r.url())) data.push(r.url().replace(/^.*\/www\/data\//, ''));
  });
  // Slow the digits down so that play is pressed before they arrive.
  await page.route('**/www/data/digits.csv.gz', async (route) => {
    await new Promise((r) => setTimeout(r, 1000));
    await route.continue();
  });
  await page.goto(URL_BASE);
  // Right after the page appears: before its first evaluation and its WebGPU probe.
  await page.getByTestId('preset-select').waitFor({ timeout: 30_000 });
  assert.deepEqual(data, [], 'the first load fetches no data set');
  await chooseAndPlay(page, 'digits', 5);
  assert.deepEqual(data, ['digits.csv.gz']);
  await chooseAndPlay(page, 'breast-cancer', 5);
  assert.deepEqual(data, ['digits.csv.gz', 'breast_cancer.csv']);
  assert.equal(await page.getByTestId('data-error').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
