// Lessons 8-12 in the page: lesson 8's decision threshold recomputes the metrics (and
// 0.5 gives back the arg-max numbers), lesson 9's dropout control puts dropout layers in
// and takes them out, lesson 10 opens in English and Chinese with the drawing pad and
// "What the network sees" (screenshots of both languages at 1440x900 and 390x844 go
// to docs/), lessons 11 and 12 open at every step, and the lab's own controls read in
// Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { URL_BASE, browserForFile, openPage } from './helpers.mjs';

const browser = browserForFile();
const DOCS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../docs');

async function shot(page, name) {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, name) });
}

/** Sets a range input to `value` as a person dragging it would (input, then change). */
async function slide(locator, value) {
  await locator.evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** The metrics panel's values by name, and the confusion matrix's cells. */
async function metrics(page) {
  return page.evaluate(() => {
    const out = {};
    for (const row of document.querySelectorAll('[data-testid=metrics] > div')) {
      out[row.querySelector('dt').textContent] = row.querySelector('dd').textContent;
    }
    out.cells = [...document.querySelectorAll('[data-testid=confusion-matrix] td')].map((c) => c.textContent);
    return out;
  });
}

test('lesson 8: the decision threshold recomputes the metrics; 0.5 gives them back', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=08&step=2&lang=en');
  await page.getByTestId('lesson-panel').waitFor();
  const toggle = page.getByTestId('train-toggle');
  await toggle.click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]')?.textContent) >= 100, null, {
    timeout: 120_000,
  });
  await toggle.click();
  const slider = page.getByTestId('threshold');
  await slider.waitFor();
  // The last readback after the pause: the metrics stop changing.
  let at05 = await metrics(page);
  for (let same = 0; same < 3; ) {
    await page.waitForTimeout(700);
    const now = await metrics(page);
    same = JSON.stringify(now) === JSON.stringify(at05) ? same + 1 : 0;
    at05 = now;
  }
  assert.equal(await page.getByTestId('threshold-value').textContent(), '0.50');
  await slide(slider, 0.95);
  await page.waitForFunction(() => document.querySelector('[data-testid=threshold-value]')?.textContent === '0.95');
  const at95 = await metrics(page);
  // Fewer rows are called class 1: the confusion matrix's second column shrinks.
  const called1 = (m) => Number(m.cells[1]) + Number(m.cells[3]);
  assert.ok(called1(at95) < called1(at05), `${JSON.stringify(at05)} -> ${JSON.stringify(at95)}`);
  assert.equal(
    at95.cells.reduce((s, c) => s + Number(c), 0),
    at05.cells.reduce((s, c) => s + Number(c), 0),
    'the same test rows',
  );
  await slide(slider, 0.5);
  await page.waitForFunction(() => document.querySelector('[data-testid=threshold-value]')?.textContent === '0.50');
  assert.deepEqual(await metrics(page), at05);
  assert.deepEqual(errors, []);
  await page.close();
});

test('lesson 9: the dropout control puts dropout after each hidden layer and takes it out', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lesson=09&step=2&lang=en');
  await page.getByTestId('lesson-panel').waitFor();
  const dropout = page.getByTestId('dropout');
  await dropout.waitFor();
  assert.equal(await page.getByTestId('dropout-value').textContent(), '0.00');
  await slide(dropout, 0.5);
  const text = page.getByTestId('model-text');
  await text.waitFor();
  assert.equal(
    await text.inputValue(),
    'dense(32),relu,dropout(0.5),dense(32),relu,dropout(0.5),dense(2)',
  );
  await slide(dropout, 0);
  await text.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('dropout-value').textContent(), '0.00');
  assert.deepEqual(errors, []);
  await page.close();
});

for (const [lang, title] of [
  ['en', 'Images: convolutional networks'],
  ['zh', '图像：卷积神经网络'],
]) {
  test(`lesson 10 in ${lang}: filters, feature maps and the drawing pad`, { timeout: 240_000 }, async () => {
    const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, `#lesson=10&step=2&lang=${lang}`);
    await page.getByTestId('lesson-panel').waitFor();
    assert.equal(await page.getByTestId('lesson-title').textContent(), title);
    const pad = page.getByTestId('draw-pad');
    await pad.waitFor();
    // A few steps of training, then a digit drawn on the pad: its feature maps show.
    await page.getByTestId('step-button').click();
    await page.getByTestId('step-button').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]')?.textContent) >= 2, null, {
      timeout: 60_000,
    });
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
    await page.mouse.move(...at(0.3, 0.2));
    await page.mouse.down();
    for (const [fx, fy] of [[0.7, 0.2], [0.45, 0.85]]) await page.mouse.move(...at(fx, fy), { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=draw-probs]')?.dataset.top !== '',
      null,
      { timeout: 60_000 },
    );
    const view = page.getByTestId('feature-view');
    await view.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=feature-view]')?.dataset.rows ?? '').split('; ').length >= 3,
      null,
      { timeout: 60_000 },
    );
    const rows = await view.getAttribute('data-rows');
    assert.match(rows, lang === 'en' ? /8 filters 3x3/ : /8 个 3x3 卷积核/);
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const vp of ['1440x900', '390x844']) {
      const [width, height] = vp.split('x').map(Number);
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(400);
      await shot(page, `lesson-10-${lang}-${vp}.png`);
    }
    // The pad and the feature view, in view, at the desktop size.
    await page.setViewportSize({ width: 1440, height: 900 });
    await pad.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await shot(page, `lesson-10-pad-${lang}-1440x900.png`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

for (const [id, steps] of [['11', 4], ['12', 2]]) {
  test(`lesson ${id} opens at every step in both languages`, { timeout: 180_000 }, async () => {
    for (const lang of ['en', 'zh']) {
      for (let step = 1; step <= steps; step++) {
        // Not `openPage`: a text data set may not train in the page (no first
        // evaluation to wait for), and its step must still open.
        const page = await browser().newPage({ viewport: { width: 1440, height: 900 } });
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => {
          if (m.type() === 'error' && /panicked/.test(m.text())) errors.push(m.text());
        });
        await page.goto(`${URL_BASE}#lesson=${id}&step=${step}&lang=${lang}`);
        const panel = page.getByTestId('lesson-panel');
        await panel.waitFor({ timeout: 30_000 });
        await page.waitForTimeout(500);
        assert.equal(await panel.getAttribute('data-lesson'), id);
        assert.equal(await panel.getAttribute('data-step'), String(step));
        assert.equal(await page.getByTestId('link-warnings').count(), 0, `lesson ${id} step ${step}: link warnings`);
        assert.deepEqual(errors, [], `lesson ${id} step ${step} (${lang})`);
        await page.close();
      }
    }
  });
}

test('the lab reads in Chinese: panels, buttons, preset summary', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, '#lang=zh');
  await page.getByTestId('export-pytorch').waitFor();
  assert.equal((await page.getByTestId('export-pytorch').textContent()).trim(), '导出到 PyTorch');
  assert.match(await page.locator('.summary').textContent(), /螺旋/);
  assert.match(await page.getByTestId('param-count').first().textContent(), /个参数/);
  assert.deepEqual(errors, []);
  await page.close();
});
