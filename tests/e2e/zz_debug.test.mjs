import { test } from 'node:test';
import { browserForFile, chooseBackend, choosePreset, openPage } from './helpers.mjs';
const browser = browserForFile();
test('debug translate', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'webgpu');
  await page.getByTestId('preset-select').selectOption('translate-dates'); await page.waitForTimeout(3000);
  await page.getByTestId('train-toggle').click();
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(3000);
    const s = await page.evaluate(() => ({
      step: document.querySelector('[data-testid=step-count]')?.textContent,
      loss: document.querySelector('[data-testid=train-loss]')?.textContent,
      metrics: document.querySelector('.metrics')?.textContent?.slice(0, 300),
      notices: [...document.querySelectorAll('.notice,.error')].map((n) => n.textContent).join(' | '),
    }));
    console.log(JSON.stringify(s));
  }
  await page.screenshot({ path: '/tmp/dbg.png', fullPage: true });
  console.log('errors', errors);
});
