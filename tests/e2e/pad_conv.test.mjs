// A conv net on the digits (opened from a v=2 link with a `model=` stack): the model
// text field shows the stack, a stack that does not fit keeps the last good model and
// says why, a good one rebuilds the run; the drawing pad reads a digit and the network
// view draws the learned filters and the feature maps of the drawing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile,
  chooseBackend,
  choosePreset,
  editSetting,
  inkShare,
  openPage,
  screenshot,
  trainToEnd,
} from './helpers.mjs';

const browser = browserForFile();

const STACK = 'conv(6,3,1,1),relu,maxpool(2),flatten,dense(10)';

/** The digits preset's link rewritten as a version 2 link of `stack`. */
async function stackLink(page, stack) {
  await page.waitForFunction(() => location.hash.includes('data=digits'));
  const pairs = (await page.evaluate(() => location.hash))
    .replace(/^#/, '')
    .split('&')
    .map((p) => p.split('='))
    .filter(([k]) => !['v', 'hidden', 'act', 'w', 'run'].includes(k));
  return `#v=2&${pairs.map((p) => p.join('=')).join('&')}&model=${stack}&run=0`;
}

async function stroke(page, points) {
  const box = await page.getByTestId('draw-pad').boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
}

const ZERO = Array.from({ length: 33 }, (_, i) => {
  const a = (2 * Math.PI * i) / 32;
  return [0.5 + 0.25 * Math.sin(a), 0.5 - 0.33 * Math.cos(a)];
});

test('a conv stack: model text, pad, filters and feature maps', { timeout: 240_000 }, async () => {
  const first = await openPage(browser());
  await chooseBackend(first.page, 'cpu');
  await choosePreset(first.page, 'digits');
  const link = await stackLink(first.page, STACK);
  await first.page.close();

  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, link);
  await chooseBackend(page, 'cpu');
  const text = page.getByTestId('model-text');
  assert.equal(await text.inputValue(), STACK);
  const params = await page.getByTestId('param-count').textContent();

  // A stack whose output does not fit the ten classes: an error, the model kept.
  const run = await page.getByTestId('step-count').getAttribute('data-run');
  await text.fill('conv(6,3,1,1),relu,flatten,dense(7)');
  await text.press('Enter');
  await page.getByTestId('model-text-error').filter({ hasText: /\S/ }).waitFor();
  console.log('error shown:', await page.getByTestId('model-text-error').textContent());
  assert.equal(await page.getByTestId('step-count').getAttribute('data-run'), run);
  await text.fill('conv(6,3,1,1),relu,oops(2)');
  await text.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=model-text-error]')?.textContent?.includes('oops'),
  );
  assert.equal(await page.getByTestId('step-count').getAttribute('data-run'), run);

  // A good stack (smaller: 8 channels pass the CPU's cost limit for one evaluation)
  // rebuilds the run.
  const smaller = 'conv(4,3,1,1),relu,maxpool(2),flatten,dense(10)';
  try {
    await editSetting(page, async () => {
      await text.fill(smaller);
      await text.press('Enter');
    });
  } catch (e) {
    await screenshot(page, 'pad-conv-failed.png');
    throw e;
  }
  assert.equal(await page.getByTestId('model-text-error').textContent(), '');
  assert.notEqual(await page.getByTestId('param-count').textContent(), params);

  await trainToEnd(page, 20_000);
  await page.getByTestId('draw-pad').scrollIntoViewIfNeeded();
  await stroke(page, ZERO);
  await page.waitForFunction(() => document.querySelector('[data-testid=draw-probs]')?.dataset.top);
  const view = page.getByTestId('feature-view');
  await view.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=feature-view]')?.dataset.rows?.includes('feature maps'),
    null,
    { timeout: 15_000 },
  );
  const rows = await view.getAttribute('data-rows');
  console.log('network view rows:', rows);
  assert.match(rows, /input: your drawing/);
  assert.match(rows, /layer 0 conv: 4 filters 3x3/);
  assert.match(rows, /its feature maps after relu/);
  assert.match(rows, /layer 2 maxpool: pooled maps/);
  const seen = await inkShare(page, 'feature-view');
  assert.ok(seen.colours > 20, `filters and maps drawn: ${JSON.stringify(seen)}`);
  const ms = parseFloat(await page.getByTestId('draw-ms').textContent());
  console.log(`conv digits: a prediction with every layer's maps took ${ms} ms`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'pad-conv-1440.png');
  assert.deepEqual(errors, []);
  await page.close();
});
