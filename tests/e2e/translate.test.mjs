// The dates translator in the page: the translate-dates link trains a few dozen steps on
// the CPU backend, the translation box writes an ISO date for what is typed (greedy and
// beam search) and draws the cross-attention of each written character over the source
// characters; `gradlab translate` writes exactly the same dates natively from the model
// the page downloads. A character the model never saw gets a message naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile,
  download,
  gradlab,
  openPage,
  screenshot,
  waitStoppedAt,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

/** Steps the link replays on the CPU (enough that the outputs are no longer constant). */
const STEPS = 60;

/** Typed dates, each in another format. */
const DATES = ['3rd of March, 2021', 'Mar 3 21', '2021年3月3日'];

/** Types `text` into the box and waits until the output (or an error) is for it. */
async function translate(page, text) {
  await page.getByTestId('translate-input').fill(text);
  // The look waits for typing to settle; the output is replaced when it comes.
  await page.waitForTimeout(300);
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=translate-output]') ||
      document.querySelector('[data-testid=translate-error]'),
    null,
    { timeout: 10_000 },
  );
  return (await page.getByTestId('translate-output').textContent()).trim();
}

test('translate-dates trains on the CPU; the page translates as gradlab translate does', { timeout: 300_000 }, async () => {
  const link = withKey(withKey(gradlab('link', 'translate-dates').trim(), 'backend', 'cpu'), 'run', String(STEPS));
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, link);
  const t0 = Date.now();
  await waitStoppedAt(page, STEPS, 240_000);
  console.log(`# ${STEPS} translator steps on the CPU in ${Date.now() - t0} ms (with the evaluation)`);
  assert.equal(await page.getByTestId('main-chart').isVisible(), false, 'no plane plot for the translator');
  assert.equal(await page.getByTestId('translate-box').isVisible(), true);
  assert.match(await page.getByTestId('param-count').first().textContent(), /25,?742|25742/);
  // The metrics of the task.
  const metrics = await page.getByTestId('metrics').textContent();
  assert.match(metrics, /Exact match/);
  assert.match(metrics, /Token accuracy/);
  // The bar's headline number is the exact match, read from the same evaluation.
  const exact = parseFloat(await page.getByTestId('test-accuracy').textContent());
  assert.ok(exact >= 0 && exact <= 1, `exact match ${exact}`);

  const greedy = [];
  for (const text of DATES) greedy.push(await translate(page, text));
  // Beam search of width 3 for the last one.
  await page.getByTestId('translate-beam').selectOption('3');
  await page.waitForTimeout(300);
  const beam = (await page.getByTestId('translate-output').textContent()).trim();

  // The cross-attention: a row per written character (and the end), a column per
  // source character plus the start and end tokens.
  const map = page.getByTestId('translate-attention');
  await map.waitFor({ timeout: 10_000 });
  const cols = await map.locator('.hm-col').count();
  const rows = await map.locator('.hm-row').count();
  assert.equal(cols, [...DATES[2]].length + 2, 'a column per source token');
  assert.ok(rows >= 1 && rows <= 11, `${rows} rows`);
  assert.equal(await map.locator('.hm-cell').count(), rows * cols);
  await screenshot(page, 'translate-1440x900.png');

  // The same weights natively: the same dates, greedy and beam.
  const model = await download(page, 'export-model');
  for (const [i, text] of DATES.entries()) {
    const native = gradlab('translate', '--model', model, text).trim().split('\t').pop();
    assert.equal(native, greedy[i], `${text}: the page and gradlab translate agree`);
  }
  const nativeBeam = gradlab('translate', '--model', model, '--beam', '3', DATES[2]).trim().split('\t').pop();
  assert.equal(nativeBeam, beam, 'beam search agrees too');

  // A character the model never saw: a message naming it, and no date.
  await page.getByTestId('translate-input').fill('3 März 2021');
  const error = page.getByTestId('translate-error');
  await error.waitFor({ timeout: 10_000 });
  assert.match(await error.textContent(), /ä/);
  assert.equal(await page.getByTestId('translate-output').count(), 0);

  // On a phone the box and its map still fit (the map scrolls inside its own box).
  await page.getByTestId('translate-input').fill(DATES[0]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('translate-attention').waitFor({ timeout: 10_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow} px wider than the phone`);
  await page.getByTestId('translate-box').scrollIntoViewIfNeeded();
  await screenshot(page, 'translate-390x844.png');
  assert.deepEqual(errors, []);
});
