// The network view draws the neurons' heatmaps and the weights, and hovering a weight
// shows its name and value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend, choosePreset, inkShare, openPage, browserForFile } from './helpers.mjs';

const browser = browserForFile();

test('network view: heatmaps drawn, hovering a weight shows its value', { timeout: 90_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'circle');
  const view = page.getByTestId('network-view');
  const ink = await inkShare(page, 'network-view');
  assert.ok(ink.colours > 20, `neuron heatmaps drawn: ${JSON.stringify(ink)}`);
  const readout = page.getByTestId('weight-readout');
  assert.doesNotMatch(await readout.textContent(), /=/);
  // Sweep the view until the pointer is over an edge.
  const box = await view.boundingBox();
  let text = '';
  for (let x = 0.15; x < 0.85 && !text.includes('='); x += 0.02) {
    for (let y = 0.15; y < 0.85 && !text.includes('='); y += 0.04) {
      await page.mouse.move(box.x + box.width * x, box.y + box.height * y);
      text = await readout.textContent();
    }
  }
  assert.match(text, /^\d+\.weight\[\d+, \d+\] = -?\d+\.\d{4}$/);
  await page.mouse.move(box.x + box.width + 50, box.y);
  await page.waitForFunction(
    () => !document.querySelector('[data-testid=weight-readout]')?.textContent?.includes('='),
  );
  assert.deepEqual(errors, []);
  await page.close();
});
