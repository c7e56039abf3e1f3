// Lessons in the page: lesson 1 opened from a link in English and in Chinese reaches its
// goal by pressing play and shows the tick; a `#lesson=04&step=3` link opens that step;
// the index shows progress kept in localStorage; a locked setting is put back; the
// language switch keeps `lang=` in the address. Screenshots of both languages at
// 1440x900 and 390x844 go to docs/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { browserForFile, inkShare, openPage } from './helpers.mjs';

const browser = browserForFile();
const DOCS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../docs');

async function shot(page, name) {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, name) });
}

/** Presses play and waits until every goal of the step shows its tick. */
async function reachGoals(page, timeout = 120_000) {
  await page.getByTestId('train-toggle').click();
  await page.getByTestId('lesson-step-done').waitFor({ timeout });
  const met = await page
    .getByTestId('lesson-goal')
    .evaluateAll((els) => els.map((e) => e.dataset.met));
  assert.ok(met.length > 0 && met.every((m) => m === 'true'), JSON.stringify(met));
}

for (const [lang, title, viewports] of [
  ['en', 'A neuron and a line', ['1440x900', '390x844']],
  ['zh', '一个神经元，一条直线', ['1440x900', '390x844']],
]) {
  test(`lesson 1 in ${lang}: play reaches the goal and shows the tick`, { timeout: 240_000 }, async () => {
    const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, `#lesson=01&lang=${lang}`);
    const panel = page.getByTestId('lesson-panel');
    await panel.waitFor();
    assert.equal(await page.getByTestId('lesson-title').textContent(), title);
    assert.equal(await panel.getAttribute('data-step'), '1');
    assert.equal(await page.locator('html').evaluate(() => location.hash), `#lesson=01&step=1&lang=${lang}`);
    // Not met before training.
    assert.equal(await page.getByTestId('lesson-goal').first().getAttribute('data-met'), 'false');
    await reachGoals(page);
    const ink = await inkShare(page, 'loss-surface');
    assert.ok(ink.share > 0.3 && ink.colours > 5, `contour plot drawn: ${JSON.stringify(ink)}`);
    for (const vp of viewports) {
      const [width, height] = vp.split('x').map(Number);
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(300);
      await shot(page, `lesson-01-${lang}-${vp}.png`);
    }
    // The step is kept as done: the index shows it after a reload.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.reload();
    await page.getByTestId('lesson-panel').waitFor();
    await page.getByTestId('lesson-index-open').click();
    const progress = await page.getByTestId('lesson-open-01').locator('.lesson-progress').textContent();
    assert.equal(progress, '1/2');
    await shot(page, `lesson-index-${lang}-1440x900.png`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('#lesson=04&step=3 opens the third step of lesson 4', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=04&step=3&lang=en');
  const panel = page.getByTestId('lesson-panel');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-lesson'), '04');
  assert.equal(await panel.getAttribute('data-step'), '3');
  assert.match(await page.getByTestId('lesson-step-title').textContent(), /One update/);
  // The step's experiment: SGD at 0.1 on the tilted plane, 2 hidden units.
  assert.equal(await page.getByLabel('Learning rate').inputValue(), '0.1');
  // Step through the forward pass node by node, then the backward pass, then update.
  const forward = page.getByTestId('bp-forward');
  let steps = 0;
  while (await forward.isEnabled()) {
    await forward.click();
    steps++;
  }
  const node = (name) => page.locator(`[data-testid=bp-node][data-name="${name}"]`);
  assert.ok(steps >= 10, `forward steps: ${steps}`);
  assert.notEqual(await node('loss').getAttribute('data-value'), '');
  assert.equal(await node('w11').getAttribute('data-grad'), '');
  assert.match(await page.getByTestId('bp-now').textContent(), /^loss = /);
  const backward = page.getByTestId('bp-backward');
  while (await backward.isEnabled()) await backward.click();
  assert.match(await node('w11').getAttribute('data-grad'), /^∂ -?\d/);
  assert.match(await node('h1').getAttribute('data-grad'), /^∂ -?\d/);
  await page.getByTestId('bp-update').click();
  const rows = page.getByTestId('bp-update-table').locator('tbody tr');
  assert.equal(await rows.count(), 9);
  await shot(page, 'lesson-04-en-1440x900.png');
  // Previous goes to step 2, and the address follows.
  await page.getByTestId('lesson-prev').click();
  await page.waitForFunction(() => location.hash === '#lesson=04&step=2&lang=en');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a locked setting is put back; try it freely leaves the lab usable', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=05&step=1&lang=en');
  await page.getByTestId('lesson-panel').waitFor();
  // The optimizer is locked in this step (SGD); choosing Adam is undone.
  const optimizer = page.getByLabel('Optimizer');
  await optimizer.selectOption('adam');
  await page.locator('.lesson-lock').waitFor();
  await page.waitForFunction(
    () => document.querySelector('label[title*="update rule"] select')?.value === 'sgd',
  );
  await page.getByTestId('lesson-free').click();
  await page.getByTestId('lesson-panel').waitFor({ state: 'detached' });
  await optimizer.selectOption('adam');
  await page.waitForTimeout(500);
  assert.equal(await optimizer.inputValue(), 'adam');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the language switch changes the interface and keeps lang= in the address', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=02');
  await page.getByTestId('lesson-panel').waitFor();
  await page.getByTestId('lang-select').selectOption('zh');
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-title]')?.textContent === '损失函数');
  assert.equal(await page.getByTestId('lessons-button').textContent(), '课程');
  assert.match(await page.locator('html').evaluate(() => location.hash), /&lang=zh$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sweep of lesson 8 runs its points one after another; runs are compared', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=08&step=3&lang=en');
  const sweep = page.getByTestId('lesson-panel').getByTestId('sweep');
  await sweep.waitFor();
  await sweep.getByTestId('sweep-values').fill('0.003, 0.01');
  await sweep.getByTestId('sweep-start').click();
  const rows = sweep.getByTestId('sweep-table').locator('tbody tr');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=lesson-panel] [data-testid=sweep-table] tbody tr').length === 2,
    null,
    { timeout: 200_000 },
  );
  assert.match(await rows.first().textContent(), /^lr=0\.003\s*0\.\d{4}$/);
  assert.match(await rows.nth(1).textContent(), /^lr=0\.01\s*0\.\d{4}$/);
  // The chart of the metric against the setting (the lesson's sweep; the lab has its own).
  const drawn = await sweep.getByTestId('sweep-chart').evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 200) ink++;
    return ink / (data.length / 4);
  });
  assert.ok(drawn > 0.005, `sweep chart ink ${drawn}`);
  // Both runs are kept for comparison, the legend naming what differs.
  const compare = page.getByTestId('compare-chart');
  assert.ok((await inkShare(page, 'compare-chart')).share > 0.02);
  assert.equal(await compare.isVisible(), true);
  await shot(page, 'lesson-08-sweep-en-1440x900.png');
  assert.deepEqual(errors, []);
  await page.close();
});
