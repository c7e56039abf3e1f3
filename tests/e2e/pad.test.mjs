// The drawing pad: train an image model a little, draw a 1 and a 0 with pointer events,
// see the class bars change with a different top class; click a test image, the bars
// change again; the network view draws what the model sees. Screenshots at a desktop
// and a phone width (saved as docs/pad-1440.png and docs/pad-390.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import {
  browserForFile,
  chooseBackend,
  choosePreset,
  inkShare,
  openPage,
  screenshot,
  trainToEnd,
} from './helpers.mjs';

const browser = browserForFile();

/** The image preset to use: the 8x8 digits on the CPU backend (the conv presets ask for
 * WebGPU, which the test browser's SwiftShader runs too slowly to train here; set
 * GRADLAB_PAD_PRESET to try another). */
async function imagePreset(page) {
  const names = await page
    .getByTestId('preset-select')
    .locator('option')
    .evaluateAll((os) => os.map((o) => o.value));
  const wanted = process.env.GRADLAB_PAD_PRESET ?? 'digits';
  assert.ok(names.includes(wanted), `no preset ${wanted} in ${names}`);
  return wanted;
}

/** Every bar's percentage, in class order, and the top class. */
async function bars(page) {
  return page.getByTestId('draw-probs').evaluate((el) => ({
    top: el.dataset.top,
    pcts: [...el.querySelectorAll('.prob-row')].map((r) =>
      parseFloat(r.querySelector('.prob-pct').textContent),
    ),
    step: 0,
  }));
}

/** Waits until the bars show something other than `before` (a JSON string). */
async function barsChange(page, before) {
  await page.waitForFunction(
    (old) => {
      const el = document.querySelector('[data-testid=draw-probs]');
      const now = JSON.stringify([...el.querySelectorAll('.prob-pct')].map((p) => p.textContent));
      return el.dataset.top && now !== old;
    },
    before,
    { timeout: 15_000 },
  );
}

async function pctTexts(page) {
  return page
    .getByTestId('draw-probs')
    .evaluate((el) => JSON.stringify([...el.querySelectorAll('.prob-pct')].map((p) => p.textContent)));
}

/** Moves the mouse (pointer events) through `points` given in [0, 1] of the pad. */
async function stroke(page, points) {
  const box = await page.getByTestId('draw-pad').boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
}

const ONE = Array.from({ length: 12 }, (_, i) => [0.52 - 0.04 * (i / 11), 0.15 + 0.7 * (i / 11)]);
const ZERO = Array.from({ length: 33 }, (_, i) => {
  const a = (2 * Math.PI * i) / 32;
  return [0.5 + 0.25 * Math.sin(a), 0.5 - 0.33 * Math.cos(a)];
});

async function drawAndRead(page, points) {
  const before = await pctTexts(page);
  await page.getByTestId('draw-clear').click();
  await stroke(page, points);
  await barsChange(page, before);
  // Let the prediction of the last segment land.
  await page.waitForTimeout(300);
  return bars(page);
}

for (const [w, h] of [
  [1440, 900],
  [390, 844],
]) {
  test(`pad at ${w}x${h}: a drawn 1 and 0 read differently; a test image`, { timeout: 240_000 }, async () => {
    const { page, errors } = await openPage(browser(), { width: w, height: h });
    await chooseBackend(page, 'cpu');
    const preset = await imagePreset(page);
    await choosePreset(page, preset);
    await page.getByTestId('draw-pad').waitFor({ state: 'visible', timeout: 60_000 });
    await trainToEnd(page, 60_000);
    await page.getByTestId('draw-pad').scrollIntoViewIfNeeded();

    const one = await drawAndRead(page, ONE);
    const ms = parseFloat(await page.getByTestId('draw-ms').textContent());
    console.log(`${preset} at ${w}: a 1 reads ${one.top}, a prediction took ${ms} ms`);
    const zero = await drawAndRead(page, ZERO);
    console.log(`${preset} at ${w}: a 0 reads ${zero.top}`);
    assert.equal(one.pcts.length, 10);
    assert.notDeepEqual(one.pcts, zero.pcts);
    assert.notEqual(one.top, zero.top, `a 1 and a 0 both read as ${one.top}`);
    for (const b of [one, zero]) {
      const total = b.pcts.reduce((a, v) => a + v, 0);
      assert.ok(Math.abs(total - 100) < 1.5, `percentages sum to ${total}`);
    }
    assert.ok(Number.isFinite(ms) && ms < 250, `a prediction took ${ms} ms`);
    const input = await inkShare(page, 'draw-input');
    assert.ok(input.share > 0.02, `the model input shows the drawing: ${JSON.stringify(input)}`);

    // A click on the first test image shows its probabilities.
    const before = await pctTexts(page);
    const grid = page.getByTestId('digits-grid');
    await grid.scrollIntoViewIfNeeded();
    const gbox = await grid.boundingBox();
    const scale = gbox.width / (await grid.evaluate((c) => c.width));
    await page.mouse.click(gbox.x + 30 * scale, gbox.y + 30 * scale);
    await barsChange(page, before);
    assert.match(await page.locator('.draw-source').textContent(), /test image 1/);

    // What the network sees: filters or weight images, and the maps of this input.
    const view = page.getByTestId('feature-view');
    await view.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    const seen = await inkShare(page, 'feature-view');
    assert.ok(seen.colours > 20, `the network view draws images: ${JSON.stringify(seen)}`);

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page overflows by ${overflow}px at ${w}px`);
    // The picture: the pad with the 0 drawn again, its bars beside it.
    await drawAndRead(page, ZERO);
    await page.getByTestId('draw-pad').scrollIntoViewIfNeeded();
    const file = await screenshot(page, `pad-${w}.png`);
    mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
    copyFileSync(file, new URL(`../../docs/pad-${w}.png`, import.meta.url));
    assert.deepEqual(errors, []);
    await page.close();
  });
}
