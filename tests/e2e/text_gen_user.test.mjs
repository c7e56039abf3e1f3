// Own text and sentiment in the page: text that cannot train (empty, one distinct
// character, too short) gets a clear message; pasted text trains the GPT shape with its
// own vocabulary (the loss falls) and its link carries the text's hash; the sentiment
// preset fetches its sentences, trains, shows accuracy and F1, and draws no 2-D plot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  browserForFile,
  choosePreset,
  chooseBackend,
  openPage,
  readNumber,
  screenshot,
  trainToEnd,
} from './helpers.mjs';

const browser = browserForFile();

/** Puts `text` in the own-text box and presses the button. */
async function trainOn(page, text) {
  await page.getByTestId('user-text-input').fill(text);
  await page.getByTestId('user-text-train').click();
}

/** The own-text message, once shown. */
async function message(page) {
  const m = page.getByTestId('user-text-message');
  await m.waitFor({ timeout: 10_000 });
  return m.textContent();
}

test('own text: clear refusals, then it trains with its own vocabulary', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'shakespeare-char');
  await trainOn(page, '');
  assert.match(await message(page), /empty/);
  await trainOn(page, 'a'.repeat(400));
  assert.match(await message(page), /only one distinct character/);
  await trainOn(page, 'short text');
  assert.match(await message(page), /needs at least \d+/);

  // A text with a pattern and characters tiny Shakespeare lacks (Chinese).
  const text = 'the cat sat on the mat; 猫坐在垫子上。\n'.repeat(60);
  const old = await page.getByTestId('step-count').getAttribute('data-run');
  await trainOn(page, text);
  await page.waitForFunction(
    (o) => {
      const step = document.querySelector('[data-testid=step-count]');
      const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
      return step?.dataset.run !== o && step?.textContent === '0' && loss !== '–';
    },
    old,
    { timeout: 60_000 },
  );
  assert.equal(await page.getByTestId('user-text-message').count(), 0, 'no message for good text');
  const info = await page.getByTestId('user-text-info').textContent();
  const sha = createHash('sha256').update(text, 'utf8').digest('hex');
  assert.match(info, new RegExp(`${[...text].length} characters`));
  assert.ok(info.includes(sha.slice(0, 16)), info);
  assert.ok(page.url().includes(`textsha=${sha.slice(0, 16)}`), 'the link carries the hash');
  const start = await readNumber(page, 'train-loss');

  // Train past the first recorded point (every 100 steps), then pause.
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    () => parseInt(document.querySelector('[data-testid=step-count]')?.textContent, 10) > 100,
    null,
    { timeout: 120_000, polling: 250 },
  );
  await page.getByTestId('train-toggle').click();
  const after = await readNumber(page, 'train-loss');
  assert.ok(after < 0.7 * start, `the loss falls: ${start} -> ${after}`);

  // The prompt may use the text's own characters (not in tiny Shakespeare).
  await page.getByTestId('gen-prompt').fill('猫');
  await page.getByTestId('gen-chars').fill('20');
  await page.getByTestId('gen-chars').dispatchEvent('change');
  await page.getByTestId('gen-start').click();
  await page.waitForFunction(
    () => [...(document.querySelector('[data-testid=gen-text]')?.textContent ?? '')].length === 20,
    null,
    { timeout: 30_000 },
  );
  assert.equal(await page.getByTestId('gen-message').count(), 0);
  await page.getByTestId('gen-prompt').fill('Q');
  await page.getByTestId('gen-message').waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('gen-message').textContent(), /'Q'/);
  await screenshot(page, 'text-user-1440x900.png');
  assert.deepEqual(errors, []);

  // The run's link, opened elsewhere: it asks for the text (a link cannot carry it);
  // other text is named as not the link's, the same text as the link's.
  const link = page.url();
  await page.close();
  const other = await browser().newPage({ viewport: { width: 1440, height: 900 } });
  await other.goto(link);
  const note = other.getByTestId('user-text-link');
  await note.waitFor({ timeout: 30_000 });
  assert.match(await note.textContent(), new RegExp(`SHA-256 ${sha.slice(0, 16)}.*paste or drop the same text`));
  await trainOn(other, 'a different text, long enough to train on. '.repeat(20));
  await other.waitForFunction(
    () => /is not the link's/.test(document.querySelector('[data-testid=user-text-link]')?.textContent),
    null,
    { timeout: 30_000 },
  );
  await trainOn(other, text);
  await other.waitForFunction(
    () => /is the link's/.test(document.querySelector('[data-testid=user-text-link]')?.textContent),
    null,
    { timeout: 30_000 },
  );
  await other.close();
});

test('sentiment trains in the page with accuracy and F1, and no 2-D plot', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'sentiment');
  await trainToEnd(page, 120_000);
  const accuracy = await readNumber(page, 'test-accuracy');
  assert.ok(accuracy > 0.6, `accuracy ${accuracy}`);
  const metrics = await page.getByTestId('metrics').textContent();
  assert.match(metrics, /F1/);
  assert.equal(await page.getByTestId('main-chart').isVisible(), false);
  assert.equal(await page.getByTestId('gen-panel').isVisible(), false);
  assert.equal(await page.getByTestId('lm-metrics').isVisible(), true, 'tokens/s shown');
  assert.deepEqual(errors, []);
  await page.close();
});
