// Screenshots of the page while training, at a desktop and a phone width, saved under
// artifacts/ (and the README's docs/screenshot.png when GRADLAB_SCREENSHOT_README=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import {
  chooseBackend,
  editSetting,
  openPage,
  readNumber,
  screenshot,
  browserForFile,
} from './helpers.mjs';

const browser = browserForFile();

for (const [w, h] of [
  [1440, 900],
  [390, 844],
]) {
  test(`screenshot at ${w}x${h} while training`, { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage(browser(), { width: w, height: h });
    await chooseBackend(page, 'cpu');
    // Unlimited, so the page is still training when the picture is taken.
    await editSetting(page, () => page.getByLabel('Unlimited').check());
    await page.getByTestId('train-toggle').click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=step-count]')?.textContent) > 1500,
      null,
      { timeout: 60_000 },
    );
    // No horizontal scrolling at this width.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page overflows by ${overflow}px at ${w}px`);
    const file = await screenshot(page, `page-${w}x${h}.png`);
    if (w === 1440 && process.env.GRADLAB_SCREENSHOT_README === '1') {
      mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
      copyFileSync(file, new URL('../../docs/screenshot.png', import.meta.url));
    }
    assert.ok((await readNumber(page, 'step-count')) > 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
