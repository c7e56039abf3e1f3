// The sentiment box and the attention view: open the sentiment preset on the CPU,
// type a sentence (the probability and the token colours follow each edit), train the
// preset's budget (a few seconds), then a clearly positive and a clearly negative
// sentence must read that way; an unknown word is marked; the attention map's labels
// are the sentence's tokens; the bag-of-embeddings preset has the box but no attention.
// Screenshots at a desktop and a phone width (docs/sentiment-1440.png, -390.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import {
  browserForFile,
  chooseBackend,
  choosePreset,
  openPage,
  screenshot,
  trainToEnd,
} from './helpers.mjs';

const browser = browserForFile();

const POSITIVE = 'What a wonderful place: excellent food, friendly staff, I loved it!';
const NEGATIVE = 'Terrible food, rude staff and a dirty table. Awful, I hated it.';

/** The words and punctuation of `s` as the model's tokenizer splits them. */
function tokens(s) {
  return s.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** What the sentiment box shows: P(positive) and each token's label, effect, unknown. */
async function readBox(page) {
  return page.getByTestId('sentiment-box').evaluate((box) => ({
    positive: parseFloat(box.querySelector('[data-testid=sentiment-positive]')?.dataset.value),
    tokens: [...box.querySelectorAll('.tv-tok')].map((t) => ({
      label: t.querySelector('.tv-word')?.textContent ?? '',
      effect: parseFloat(t.dataset.effect),
      unknown: t.dataset.unknown === 'true',
      colour: getComputedStyle(t).backgroundColor,
    })),
  }));
}

/** Types `s` into the box and waits until the box shows its tokens. */
async function typeSentence(page, s) {
  const input = page.getByTestId('sentiment-input');
  await input.fill('');
  // Typed key by key: the box must follow keystrokes, not only a pasted value.
  await input.pressSequentially(s, { delay: 5 });
  const want = JSON.stringify(tokens(s).slice(0, 32));
  await page.waitForFunction(
    (w) =>
      JSON.stringify(
        [...document.querySelectorAll('[data-testid=sentiment-box] .tv-tok')].map(
          (t) => t.querySelector('.tv-word')?.textContent,
        ),
      ) === w,
    want,
    { timeout: 10_000 },
  );
  return readBox(page);
}

/** The attention heat map's row and column labels (their full text, from the tooltip). */
async function mapLabels(page) {
  return page.getByTestId('attention-view').evaluate((v) => ({
    rows: [...v.querySelectorAll('.hm-row')].map((e) => e.title),
    cols: [...v.querySelectorAll('.hm-col')].map((e) => e.title),
    cells: v.querySelectorAll('.hm-cell').length,
  }));
}

for (const [w, h] of [
  [1440, 900],
  [390, 844],
]) {
  test(`text views at ${w}x${h}: sentiment as you type, token colours, attention`, { timeout: 300_000 }, async () => {
    const { page, errors } = await openPage(browser(), { width: w, height: h });
    await chooseBackend(page, 'cpu');
    await choosePreset(page, 'sentiment');
    await page.getByTestId('sentiment-box').waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByTestId('sentiment-box').scrollIntoViewIfNeeded();

    // Untrained: typing updates the probability and the tokens at once.
    const first = await typeSentence(page, 'the food was good');
    const second = await typeSentence(page, 'the food was good but the service was slow');
    assert.ok(Number.isFinite(first.positive) && Number.isFinite(second.positive));
    assert.notEqual(first.positive, second.positive, 'the probability follows the edit');
    assert.equal(second.tokens.length, 9);

    await trainToEnd(page, 90_000);
    const step = parseInt(await page.getByTestId('step-count').textContent(), 10);
    const pos = await typeSentence(page, POSITIVE);
    const neg = await typeSentence(page, NEGATIVE);
    console.log(`after ${step} steps at ${w}: P(positive) ${pos.positive} vs ${neg.positive}`);
    const ms = parseFloat(await page.getByTestId('sentiment-ms').getAttribute('data-value'));
    console.log(`a look (sentence + ${neg.tokens.length} shorter copies) took ${ms} ms at ${w}`);
    assert.ok(Number.isFinite(ms) && ms < 250, `a look took ${ms} ms`);
    assert.ok(pos.positive > 0.6, `a clearly positive sentence reads ${pos.positive}`);
    assert.ok(neg.positive < 0.4, `a clearly negative sentence reads ${neg.positive}`);
    // Colours: the sentence's strongest words push its way, and differ in colour.
    const effect = (box, word) => box.tokens.find((t) => t.label === word)?.effect;
    assert.ok(effect(pos, 'wonderful') > 0 || effect(pos, 'excellent') > 0, JSON.stringify(pos.tokens));
    assert.ok(effect(neg, 'terrible') < 0 || effect(neg, 'awful') < 0, JSON.stringify(neg.tokens));
    assert.ok(new Set(neg.tokens.map((t) => t.colour)).size > 3, 'tokens have several colours');

    // A word the vocabulary lacks is marked as <unk>.
    const unk = await typeSentence(page, 'the qwzxvy was lovely');
    assert.deepEqual(
      unk.tokens.map((t) => t.unknown),
      [false, true, false, false],
    );

    // The attention map of the sentence: its tokens label rows and columns.
    const view = page.getByTestId('attention-view');
    await view.scrollIntoViewIfNeeded();
    const sentence = 'Great pizza, but slow service.';
    await typeSentence(page, sentence);
    await page.getByTestId('heatmap').waitFor();
    let labels = await mapLabels(page);
    assert.deepEqual(labels.rows, tokens(sentence));
    assert.deepEqual(labels.cols, tokens(sentence));
    assert.equal(labels.cells, tokens(sentence).length ** 2);
    const mean = await page.getByTestId('heatmap').innerHTML();
    await page.getByTestId('attention-head').selectOption('1');
    await page.waitForFunction(
      (old) => document.querySelector('[data-testid=heatmap]')?.innerHTML !== old,
      mean,
      { timeout: 5_000 },
    );
    assert.match(await page.locator('.hm-title').textContent(), /head 2/);
    labels = await mapLabels(page);
    assert.deepEqual(labels.rows, tokens(sentence));

    // The picture: the box with a sentence and the map below it.
    await typeSentence(page, 'The food was wonderful, but the service was painfully slow.');
    await page.getByTestId('attention-head').selectOption('mean');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page overflows by ${overflow}px at ${w}px`);
    await page.getByTestId('sentiment-box').scrollIntoViewIfNeeded();
    await page.evaluate(() =>
      document.querySelector('[data-testid=sentiment-box]').scrollIntoView({ block: 'start' }),
    );
    const file = await screenshot(page, `sentiment-${w}.png`);
    mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
    copyFileSync(file, new URL(`../../docs/sentiment-${w}.png`, import.meta.url));

    // The bag of embeddings: the box works, the view says there is no attention.
    await choosePreset(page, 'sentiment-bag');
    const bag = await typeSentence(page, 'lovely staff');
    assert.ok(Number.isFinite(bag.positive));
    await page.getByTestId('attention-none').waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
