// TF Playground's 2-D regression: reg-gauss trains on the CPU backend and its prediction
// is drawn as a heat map over the plane with the points; a TF Playground regression link
// opens the same surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

/** The R² the metrics panel shows. */
async function r2(page) {
  const text = await page.getByTestId('metrics').textContent();
  const m = text.match(/R²\s*(-?[0-9.]+)/);
  return m ? parseFloat(m[1]) : NaN;
}

/** The heat map's colour at a point of the plane (data coordinates), read from the
 * canvas: plotters' plot area spans the canvas minus a 10-pixel margin and the label
 * areas (36 left, 28 below). */
async function colourAt(page, x, y) {
  return page.getByTestId('main-chart').evaluate(
    (c, [x, y]) => {
      const [left, right, top, bottom] = [10 + 36, c.width - 10, 10, c.height - 10 - 28];
      const px = Math.round(left + ((x + 6) / 12) * (right - left));
      const py = Math.round(top + ((6 - y) / 12) * (bottom - top));
      const d = c.getContext('2d').getImageData(px, py, 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [x, y],
  );
}

test('reg-gauss trains and draws its prediction as a heat map with the points', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'reg-gauss');
  assert.match(await page.locator('.card-head h2').first().textContent(), /prediction over the plane/i);
  await trainToEnd(page, 240_000);
  const fit = await r2(page);
  assert.ok(fit >= 0.85, `test R² ${fit}`);
  const ink = await inkShare(page, 'main-chart');
  assert.ok(ink.share > 0.5 && ink.colours > 20, JSON.stringify(ink));
  // The bumps at (-4, 2.5) and (4, -2.5) are +1 (blue) and -1 (orange): the map agrees
  // with the surface there (the grid bound is 6 when no point lies outside [-6, 6]).
  const [pos, neg] = [await colourAt(page, -4, 2.5), await colourAt(page, 4, -2.5)];
  assert.ok(pos[2] > pos[0] + 40, `blue at (-4, 2.5): ${pos}`);
  assert.ok(neg[0] > neg[2] + 40, `orange at (4, -2.5): ${neg}`);
  await screenshot(page, 'reg-gauss-1440x900.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a TF Playground regression link opens the same 2-D surface', { timeout: 120_000 }, async () => {
  const link =
    '#problem=regression&regDataset=reg-plane&networkShape=4,2&activation=tanh&learningRate=0.03&batchSize=10';
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, link);
  assert.match(await page.locator('.card-head h2').first().textContent(), /prediction over the plane/i);
  assert.match(await page.locator('.group .hint').first().textContent(), /2-D regression: reg-plane/);
  const ink = await inkShare(page, 'main-chart');
  assert.ok(ink.colours > 5, JSON.stringify(ink));
  assert.deepEqual(errors, []);
  await page.close();
});
