// Export and import: the weights hash is not computed while training until asked for;
// the model downloads as the safetensors file whose SHA-256 the page shows; re-importing it after a reset gives back the same losses and the same decision
// boundary; a file for another model is refused naming the mismatch; the data (CSV) and
// the history (JSON) download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  browserForFile,
  choosePreset,
  download,
  gradlab,
  openPage,
  requestWeightsHash,
  reset,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

const SPIRAL_RUN =
  '#v=1&data=spiral&samples=500&noise=0&test=0.5&feat=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&' +
  'std=false&hidden=8,8&act=tanh,tanh&loss=cross-entropy&opt=adam&lr=0.01&momentum=0.9&' +
  'nesterov=false&beta1=0.9&beta2=0.999&eps=1e-8&wd=0&l1=0&l2=0&clip=none&batch=10&' +
  'budget=epochs:200&eval=0&seed=1&backend=cpu&run=2000';

/** Losses, accuracy and a digest of the decision-boundary canvas. */
async function predictions(page) {
  const text = async (id) => (await page.getByTestId(id).textContent()).trim();
  const canvas = await page.getByTestId('main-chart').evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let h = 0;
    for (let i = 0; i < data.length; i++) h = (Math.imul(h, 31) + data[i]) | 0;
    return h;
  });
  return {
    train: await text('train-loss'),
    test: await text('test-loss'),
    accuracy: await text('test-accuracy'),
    canvas,
  };
}

test('export, reset, re-import: the same predictions; other models are refused', { timeout: 300_000 }, async () => {
  const { page, errors } = await openPage(browser(), undefined, SPIRAL_RUN);
  // While the link's 2,000 steps train (long enough to be watched a few times: 100 steps
  // once ended between two polls), nobody asks for the hash: the page never shows one
  // (it is built on demand only). Each poll records what the element held.
  const seen = await page.waitForFunction(
    () => {
      const held = document.querySelector('[data-testid=weights-hash]')?.textContent ?? '';
      window.hashesSeen = (window.hashesSeen ?? 0) + (held === '' ? 0 : 1);
      window.polls = (window.polls ?? 0) + 1;
      return (
        document.querySelector('[data-testid=step-count]')?.textContent === '2000' &&
        document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') ===
          'false' && { polls: window.polls, hashesSeen: window.hashesSeen }
      );
    },
    null,
    { timeout: 120_000, polling: 100 },
  );
  const { polls, hashesSeen } = await seen.jsonValue();
  assert.ok(polls >= 2, `the hash element was watched while training (${polls} polls)`);
  assert.equal(hashesSeen, 0, 'no hash was shown while training without a request');
  await page.waitForTimeout(300);
  assert.equal((await page.getByTestId('weights-hash').textContent()).trim(), '', 'still none');
  const trained = await predictions(page);
  const shown = await requestWeightsHash(page);
  const file = await download(page, 'export-model');
  const bytes = readFileSync(file);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), shown, 'the file is the hashed one');
  assert.equal(
    (await page.getByTestId('weights-hash').textContent()).trim(),
    shown,
    'the download (same weights) shows the same hash',
  );
  // PyTorch names and shapes, the config in the metadata.
  const headerLen = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
  assert.deepEqual(header['0.weight'].shape, [8, 7]);
  assert.deepEqual(header['4.bias'].shape, [2]);
  assert.match(header.__metadata__.gradlab_config, /"seed":1/);

  await reset(page);
  const fresh = await predictions(page);
  assert.notEqual(fresh.train, trained.train, 'a reset gives other weights');
  // Never a stale hash: other weights clear it until it is asked for again.
  await page.waitForFunction(
    () => document.querySelector('[data-testid=weights-hash]')?.textContent === '',
    null,
    { timeout: 10_000 },
  );
  assert.notEqual(await requestWeightsHash(page), shown, 'the reset weights have their own hash');
  await page.getByTestId('import-model').setInputFiles(file);
  await page.waitForFunction(
    () => /^loaded/.test(document.querySelector('[data-testid=io-message]')?.textContent),
    null,
    { timeout: 30_000 },
  );
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid=train-loss]')?.textContent?.trim() === t,
    trained.train,
    { timeout: 30_000 },
  );
  assert.deepEqual(await predictions(page), trained);

  // Another model (xor: 2 inputs, 8-4 hidden) refuses the spiral file, naming why.
  await choosePreset(page, 'xor');
  const before = await predictions(page);
  await page.getByTestId('import-model').setInputFiles(file);
  await page.waitForFunction(
    () => /do not fit/.test(document.querySelector('[data-testid=io-message]')?.textContent),
    null,
    { timeout: 30_000 },
  );
  assert.match(await page.getByTestId('io-message').textContent(), /\d\.(weight|bias)/);
  assert.deepEqual(await predictions(page), before, 'a refused file changes nothing');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the data downloads as CSV and the history as JSON', { timeout: 120_000 }, async () => {
  // circle, evaluated every step (history points fall at the runner's evaluation
  // steps, an epoch by default), on WebGPU when the browser has it.
  const circleEveryStep = withKey(withKey(gradlab('link', 'circle').trim(), 'eval', '1'), 'backend', 'gpu');
  const { page } = await openPage(browser(), undefined, circleEveryStep);
  for (let i = 0; i < 2; i++) await page.getByTestId('step-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-count]')?.textContent === '2');
  const csv = readFileSync(await download(page, 'export-data'), 'utf8').trim().split('\n');
  assert.match(csv[0], /,split$/);
  assert.equal(csv.length, 1 + 500, 'a header and the 500 points');
  assert.equal(csv.filter((l) => l.endsWith(',test')).length, 250);
  const history = JSON.parse(readFileSync(await download(page, 'export-history'), 'utf8'));
  assert.ok(Array.isArray(history) && history.length >= 2, JSON.stringify(history));
  assert.equal(history[0].step, 0);
  assert.ok(history.every((p) => Number.isFinite(p.train_loss) && Number.isFinite(p.test_loss)));
  await page.close();
});
