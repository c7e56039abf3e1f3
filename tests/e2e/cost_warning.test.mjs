// Valid but enormous links open without freezing the page: nothing is built or
// trained, the cost warning says what the run would cost, the page keeps answering
// (another control takes effect within a second), and play does nothing until the
// person confirms. A run over the backend's hard ceiling offers no confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserForFile, gradlab, screenshot, URL_BASE, withKey } from './helpers.mjs';

const browser = browserForFile();

/** The circle preset's link with `changes` applied. */
function link(changes, preset = 'circle') {
  let l = gradlab('link', preset).trim();
  for (const [k, v] of Object.entries(changes)) l = withKey(l, k, v);
  return l;
}

const DEEP_WIDE = { hidden: Array(8).fill(1024).join(','), act: Array(8).fill('relu').join(',') };
// [name, link changes, whether the cost model must hold it back]
const ENORMOUS = [
  ['the issue: 100000 samples, batch 100000, 8 x 1024', { samples: '100000', batch: '100000', ...DEEP_WIDE }, true],
  // Many points through circle's own 4-2 network are few FLOPs but millions of values
  // through the kernels per step: refused on the page's CPU (its main thread would
  // freeze), built and trained at once on the GPU, and the page answers while it trains.
  ['huge samples only', { samples: '100000', batch: '100000' }, { cpu: true, gpu: false }],
  ['deep and wide only', DEEP_WIDE, true],
];

/** Opens `fragment` and waits for the app to mount and WebGPU's probe to end. */
async function open(fragment) {
  const page = await browser().newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(URL_BASE + fragment);
  await page.getByTestId('step-count').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready',
    null,
    { timeout: 90_000 },
  );
  return { page, errors };
}

/** Milliseconds until a click on the log-scale switch shows (the page answers). */
async function answerTime(page) {
  const box = page.getByTestId('log-scale');
  const before = await box.isChecked();
  const t0 = Date.now();
  await box.click({ timeout: 5_000 });
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid=log-scale]')?.checked !== b,
    before,
    { timeout: 5_000, polling: 20 },
  );
  return Date.now() - t0;
}

/** Play does not train a held-back run: the counter stays at 0, play pops back. */
async function playDoesNothing(page) {
  await page.getByTestId('train-toggle').click();
  await page.waitForTimeout(1_000);
  assert.equal(await page.getByTestId('step-count').textContent(), '0');
  assert.equal(await page.getByTestId('train-toggle').getAttribute('aria-pressed'), 'false');
}

/** Waits until the page has either held the run back or evaluated it; true if held. */
async function heldBack(page) {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=cost-warning]') ||
      document.querySelector('[data-testid=train-loss]')?.textContent?.trim() !== '–',
    null,
    { timeout: 60_000, polling: 50 },
  );
  return (await page.getByTestId('cost-warning').count()) > 0;
}

for (const [name, changes, hold] of ENORMOUS) {
  for (const backend of ['cpu', 'gpu']) {
    const mustHold = typeof hold === 'object' ? hold[backend] : hold;
    test(`enormous link (${name}, ${backend}): opens without a freeze`, { timeout: 180_000 }, async () => {
      const { page, errors } = await open(link({ ...changes, backend }));
      const held = await heldBack(page);
      assert.equal(held, mustHold, `held back by the cost gate: ${held}`);
      assert.ok((await answerTime(page)) < 1_000, 'a click takes effect within a second');
      if (held) {
        const warning = page.getByTestId('cost-warning');
        const text = await warning.textContent();
        assert.match(text, /FLOP per step|values through the kernels per step/, text);
        assert.match(text, /default limit|ceiling|maxBufferSize|maxStorageBufferBindingSize|most one/, text);
        await playDoesNothing(page);
        // Nothing was built: no evaluation, no weights.
        assert.equal((await page.getByTestId('train-loss').textContent()).trim(), '–');
        if ((await warning.getAttribute('data-state')) === 'too-large') {
          assert.equal(await page.getByTestId('cost-confirm').count(), 0, 'no way past a ceiling');
          assert.match(text, /cannot start here/);
        } else {
          assert.equal(await page.getByTestId('cost-confirm').count(), 1);
        }
        await screenshot(page, `cost-warning-${name.replace(/\W+/g, '-')}-${backend}.png`);
        // Another preset replaces it at once.
        await page.getByTestId('preset-select').selectOption('xor');
        await warning.waitFor({ state: 'detached', timeout: 1_000 });
        await page.waitForFunction(
          () => document.querySelector('[data-testid=train-loss]')?.textContent?.trim() !== '–',
          null,
          { timeout: 30_000 },
        );
      } else {
        // Within the limits: it trains, and the page still answers while it does.
        await page.getByTestId('train-toggle').click();
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid=step-count]')?.textContent) > 0,
          null,
          { timeout: 60_000 },
        );
        assert.ok((await answerTime(page)) < 1_000, 'a click takes effect while it trains');
        await page.getByTestId('train-toggle').click();
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}

test('the issue link is refused on the CPU backend, a clear message and no confirmation', { timeout: 120_000 }, async () => {
  const { page, errors } = await open(link({ ...ENORMOUS[0][1], backend: 'cpu' }));
  const warning = page.getByTestId('cost-warning');
  await warning.waitFor({ timeout: 10_000 });
  assert.equal(await warning.getAttribute('data-state'), 'too-large');
  assert.match(await warning.textContent(), /too large for the CPU backend/);
  assert.equal(await page.getByTestId('cost-confirm').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('over the default limits only: confirmed, it builds, and trains only on play', { timeout: 240_000 }, async () => {
  // breast-cancer through two hidden layers of 1,024 in batches of 100: one step is about
  // 0.66 GFLOP, over the default limit (0.5) and under the CPU backend's ceilings (1 GFLOP
  // and a million values a step: 100 rows of about 6,200 values; an evaluation of its
  // 569 rows, 1.2 GFLOP and 3.5 million values, is under 4 of each).
  const large = link({ hidden: '1024,1024', act: 'tanh,tanh', batch: '100', backend: 'cpu' }, 'breast-cancer');
  const { page, errors } = await open(large);
  const warning = page.getByTestId('cost-warning');
  await warning.waitFor({ timeout: 10_000 });
  assert.equal(await warning.getAttribute('data-state'), 'large');
  assert.match(await warning.textContent(), /FLOP per step is [\d.]+x the default limit/);
  await screenshot(page, 'cost-warning-confirmable-1440x900.png');
  await playDoesNothing(page);
  await page.getByTestId('cost-confirm').click();
  await warning.waitFor({ state: 'detached', timeout: 30_000 });
  // Built and evaluated at step 0, and not training by itself.
  await page.waitForFunction(
    () => document.querySelector('[data-testid=train-loss]')?.textContent?.trim() !== '–',
    null,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('step-count').textContent(), '0');
  assert.equal(await page.getByTestId('train-toggle').getAttribute('aria-pressed'), 'false');
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=step-count]')?.textContent) > 0,
    null,
    { timeout: 60_000 },
  );
  await page.getByTestId('train-toggle').click();
  // The confirmed config rebuilds without asking again; another large one asks.
  await page.getByTestId('reset-button').click();
  await page.waitForTimeout(500);
  assert.equal(await warning.count(), 0, 'the same confirmed config rebuilds without asking');
  const seed = page.getByLabel('Seed', { exact: true });
  await seed.fill('7');
  await seed.press('Enter');
  await warning.waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
