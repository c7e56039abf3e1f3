// Bugs a new user meets in the first minutes: a preset picked and played while WebGPU
// is still being probed trains, and is timed for the auto backend once built; a cross-entropy loss of zero never shows as -0.0000;
// the loss chart's step axis never repeats a label when few steps are recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  URL_BASE,
  browserForFile,
  download,
  gradlab,
  openPage,
  trainToEnd,
  waitStoppedAt,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

/** Whether the page is still probing WebGPU (its backend panel is not `ready`). */
const probing = (page) =>
  page.evaluate(() => document.querySelector('.backend')?.dataset.state !== 'ready');

/** Opens the page and returns as soon as the app has mounted, before the probe ends:
 * the adapter request is held back 3 s (a warm browser answers in well under the
 * two seconds a person needs to pick a preset and press play, a cold one does not). */
async function openEarly(b) {
  const page = await b.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(() => {
    const gpu = navigator.gpu;
    if (!gpu) return;
    const request = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = (...args) =>
      new Promise((resolve) => setTimeout(() => resolve(request(...args)), 3000));
  });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(URL_BASE);
  await page.getByTestId('train-toggle').waitFor({ timeout: 30_000 });
  return { page, errors };
}

/** Waits until the step counter passes `n`. */
async function waitStepsPast(page, n, timeout = 60_000) {
  await page.waitForFunction(
    (m) => Number(document.querySelector('[data-testid=step-count]')?.textContent) > m,
    n,
    { timeout, polling: 100 },
  );
}

test('a preset picked and played while WebGPU is probed trains', { timeout: 180_000 }, async () => {
  for (const pickPreset of [true, false]) {
    const { page, errors } = await openEarly(browser());
    // iris's table is downloaded on demand: while it comes, the page's settings are
    // ahead of its run.
    if (pickPreset) await page.getByTestId('preset-select').selectOption('iris');
    assert.ok(await probing(page), 'the click lands while WebGPU is still being probed');
    await page.getByTestId('train-toggle').click();
    await waitStepsPast(page, 0);
    // Still training, or (iris's 700 steps take well under a second on the CPU) stopped
    // because the run reached the end of its budget, never earlier.
    const now = await page.evaluate(() => ({
      pressed: document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed'),
      steps: document.querySelector('[data-testid=step-count]')?.textContent,
      epochs: document.querySelector('[data-testid=epoch-count]')?.textContent,
      budget: /[#&]budget=(epochs|steps):(\d+)/.exec(location.hash)?.slice(1),
    }));
    if (now.pressed !== 'true') {
      assert.ok(now.budget, `stopped with no budget in the link: ${JSON.stringify(now)}`);
      const [unit, count] = now.budget;
      assert.equal(unit === 'epochs' ? now.epochs : now.steps, count, `stopped early: ${JSON.stringify(now)}`);
    }
    if (pickPreset) {
      assert.equal(await page.getByTestId('preset-select').inputValue(), 'iris');
      await page.waitForFunction(() => /[#&]data=iris(&|$)/.test(location.hash), null, {
        timeout: 30_000,
      });
      // The auto backend timed iris once its run was built (not the settings alone,
      // while its table was still on the way): both backends have a speed.
      await page.waitForFunction(
        () =>
          document.querySelector('.backend')?.dataset.state === 'ready' &&
          document.querySelector('[data-testid=backend-timing]')?.dataset.cpu,
        null,
        { timeout: 90_000 },
      );
      const timed = await page.getByTestId('backend-timing').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
      assert.ok(Number(timed.cpu) > 0 && Number(timed.gpu) > 0, `a timing failed: ${JSON.stringify(timed)}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a cross-entropy loss of zero shows as 0.0000, never -0.0000', { timeout: 180_000 }, async () => {
  // Two far-apart gaussians, a big learning rate: within a few steps every logit margin
  // is so wide that each example's cross-entropy is exactly 0 in f32, and the mean
  // (0 times -1/B) is -0.0, as the CLI's metrics.json also records.
  let link = gradlab('link', 'gauss').trim();
  for (const [k, v] of [
    ['samples', '200'],
    ['noise', '0'],
    ['hidden', '8'],
    ['act', 'tanh'],
    ['lr', '1'],
    ['budget', 'steps:30'],
    ['eval', '10'],
    ['backend', 'cpu'],
  ])
    link = withKey(link, k, v);
  const { page, errors } = await openPage(browser(), undefined, link);
  await trainToEnd(page, 120_000);
  await waitStoppedAt(page, 30);
  await page.waitForFunction(
    () => new URLSearchParams(location.hash.slice(1)).get('run') === '30',
    null,
    { timeout: 30_000 },
  );
  const history = JSON.parse(readFileSync(await download(page, 'export-history'), 'utf8'));
  const last = history.at(-1);
  assert.equal(last.step, 30);
  assert.ok(Object.is(last.train_loss, -0), `the loss is -0.0 here: ${JSON.stringify(last)}`);
  for (const id of ['train-loss', 'test-loss']) {
    const shown = (await page.getByTestId(id).textContent()).trim();
    assert.equal(shown, '0.0000', `${id} shows ${shown}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

/** Records the text the page draws on the loss chart (plotters-canvas uses fillText). */
async function recordLossChartText(page) {
  await page.addInitScript(() => {
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    window.__lossChartText = [];
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
      if (this.canvas?.dataset?.testid === 'loss-chart') {
        window.__lossChartText.push({ text: String(text), x, y });
      }
      return fillText.call(this, text, x, y, ...rest);
    };
  });
}

/** The step axis's labels of the chart's latest drawing: the numbers drawn on one
 * baseline, the lowest one (the y axis's labels each have a baseline of their own). */
async function stepAxisLabels(page) {
  // Redraw now (the log switch redraws; the step axis does not depend on it).
  await page.evaluate(() => {
    window.__lossChartText = [];
  });
  await page.getByTestId('log-scale').click();
  await page.waitForFunction(() => window.__lossChartText.length > 0);
  await page.waitForTimeout(200);
  const drawn = await page.evaluate(() => window.__lossChartText);
  const numeric = drawn.filter((t) => /^-?\d+(\.\d+)?(e-?\d+)?$/.test(t.text.trim()));
  const byLine = new Map();
  for (const t of numeric) byLine.set(t.y, [...(byLine.get(t.y) ?? []), t]);
  const lowest = Math.max(...[...byLine.entries()].filter(([, ts]) => ts.length > 1).map(([y]) => y));
  return byLine
    .get(lowest)
    .sort((a, b) => a.x - b.x)
    .map((t) => t.text.trim());
}

test('the step axis never repeats a label with few steps recorded', { timeout: 180_000 }, async () => {
  const page = await browser().newPage({ viewport: { width: 1440, height: 900 } });
  await recordLossChartText(page);
  const link = withKey(withKey(gradlab('link', 'circle').trim(), 'eval', '1'), 'backend', 'cpu');
  await page.goto(URL_BASE + link);
  await page.getByTestId('step-count').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready',
    null,
    { timeout: 90_000 },
  );
  for (let steps = 0; steps <= 3; steps++) {
    if (steps > 0) {
      await page.getByTestId('step-button').click();
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=step-count]')?.textContent === String(n),
        steps,
      );
    }
    const labels = await stepAxisLabels(page);
    assert.ok(labels.length >= 2, `at step ${steps}: labels ${labels}`);
    assert.equal(new Set(labels).size, labels.length, `at step ${steps}: labels ${labels} repeat`);
    assert.ok(labels.every((l) => /^\d+$/.test(l)), `at step ${steps}: whole steps ${labels}`);
  }
  await page.close();
});
