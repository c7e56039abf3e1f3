// Experiment links in the page: the address bar follows the experiment (replaceState,
// no new history entries), a link restores the controls and the initial weights,
// `run=N` trains N steps and stops, TF Playground links import, bad links warn and
// leave a working page, and a `run=N` link replayed on the CPU backend gives the
// weights_sha256 that the native CLI prints for the same link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  waitStoppedAt,
  gradlabBin,
  chooseBackend,
  choosePreset,
  editSetting,
  openPage,
  readNumber,
  requestWeightsHash,
  screenshot,
  browserForFile,
} from './helpers.mjs';

const TF_LINK =
  '#activation=relu&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03&' +
  'regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&' +
  'discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&' +
  'ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&' +
  'problem=classification&initZero=false&hideText=false';

const browser = browserForFile();

const hash = (page) => page.evaluate(() => location.hash);

/** Waits until the address bar holds a link satisfying `pred`; returns it. */
async function waitForHash(page, pred, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const h = await hash(page);
    if (pred(h)) return h;
    if (Date.now() > deadline) assert.fail(`address bar never ${what}; it holds ${h}`);
    await page.waitForTimeout(100);
  }
}

/** The value of link key `key` in fragment `h`. */
function key(h, k) {
  return new URLSearchParams(h.replace(/^#/, '')).get(k);
}

test('the address bar follows the experiment without new history entries', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPage(browser());
  const first = await waitForHash(page, (h) => h.startsWith('#v=1&'), 'held a link');
  assert.equal(key(first, 'data'), 'spiral');
  const entries = await page.evaluate(() => history.length);
  await choosePreset(page, 'xor');
  await waitForHash(page, (h) => key(h, 'data') === 'xor' && key(h, 'run') === '0', 'showed xor');
  for (let i = 0; i < 3; i++) await page.getByTestId('step-button').click();
  await waitForHash(page, (h) => key(h, 'run') === '3', 'counted 3 steps');
  // A trained small model carries its weights.
  assert.ok(key(await hash(page), 'w'), 'the link of a trained small model carries w=');
  assert.equal(await page.evaluate(() => history.length), entries);
  await page.getByTestId('share-button').click();
  const shared = await page.getByTestId('share-link').inputValue();
  assert.ok(shared.endsWith(await hash(page)), `${shared} is the address bar's link`);
  assert.ok(shared.startsWith('http://127.0.0.1'), shared);
  await screenshot(page, 'share-panel-1440x900.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link restores the controls, the data and the initial weights', { timeout: 180_000 }, async () => {
  const { page } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'circle');
  await editSetting(page, () => page.getByLabel('Optimizer').selectOption('momentum'));
  const lr = page.getByLabel('Learning rate');
  await editSetting(page, async () => {
    await lr.fill('0.07');
    await lr.press('Enter');
  });
  const seed = page.getByLabel('Seed', { exact: true });
  await editSetting(page, async () => {
    await seed.fill('42');
    await seed.press('Enter');
  });
  const link = await waitForHash(page, (h) => key(h, 'seed') === '42', 'took the seed');
  const initHash = await requestWeightsHash(page);
  const loss = await page.getByTestId('train-loss').textContent();
  await page.close();

  const { page: again } = await openPage(browser(), undefined, link);
  assert.equal(await again.getByTestId('preset-select').inputValue(), '');
  assert.equal(await again.getByLabel('Optimizer').inputValue(), 'momentum');
  assert.equal(await again.getByLabel('Learning rate').inputValue(), '0.07');
  assert.equal(await again.getByLabel('Seed', { exact: true }).inputValue(), '42');
  await again.waitForFunction(
    () => document.querySelector('[data-testid=backend-badge]')?.textContent?.startsWith('CPU'),
  );
  // Same config, same seed: the same data and initial weights, hence the same loss.
  assert.equal(await requestWeightsHash(again), initHash);
  assert.equal(await again.getByTestId('train-loss').textContent(), loss);
  assert.equal(await again.getByTestId('link-warnings').count(), 0);
  await again.close();
});

test('run=N trains N steps on the CPU, stops, and matches the native CLI', { timeout: 1_500_000 }, async () => {
  const bin = gradlabBin();
  const base = execFileSync(bin, ['link', 'spiral'], { encoding: 'utf8' }).trim();
  const link = `${base}&run=200`;
  const { page, errors } = await openPage(browser(), undefined, link);
  await waitStoppedAt(page, 200);
  assert.match(await page.getByTestId('backend-badge').textContent(), /^CPU/);
  await page.waitForTimeout(500);
  assert.equal(await readNumber(page, 'step-count'), 200, 'training stopped at 200');
  await waitForHash(page, (h) => key(h, 'run') === '200', 'recorded run=200');
  const pageHash = await requestWeightsHash(page);
  const cli = (l) =>
    execFileSync(bin, ['run', l, '--backend', 'cpu'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const out = cli(link);
  const cliHash = out.match(/weights_sha256\s+([0-9a-f]{64})/)?.[1];
  assert.ok(cliHash, `the CLI printed no weights_sha256:\n${out}`);
  assert.equal(pageHash, cliHash, 'the page and the CLI trained bit-identical weights');
  // The page's own link (with its weights) replays to the same hash.
  const own = await hash(page);
  const again = cli(own);
  assert.match(again, new RegExp(`weights_sha256\\s+${pageHash}`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a run=N link to a downloaded data set waits for it, replays and matches the native CLI', { timeout: 300_000 }, async () => {
  // breast-cancer's table is not in the wasm: the page fetches it before the replay.
  const bin = gradlabBin();
  const base = execFileSync(bin, ['link', 'breast-cancer'], { encoding: 'utf8' }).trim();
  const link = `${base}&run=40`;
  const { page, errors } = await openPage(browser(), undefined, link);
  await waitStoppedAt(page, 40);
  assert.match(await page.getByTestId('backend-badge').textContent(), /^CPU/);
  const fetched = await page.evaluate(() =>
    performance.getEntriesByType('resource').filter((e) => /www\/data\//.test(e.name)).map((e) => e.name.replace(/^.*\//, '')),
  );
  assert.deepEqual(fetched, ['breast_cancer.csv']);
  await waitForHash(page, (h) => key(h, 'run') === '40', 'recorded run=40');
  const pageHash = await requestWeightsHash(page);
  const out = execFileSync(bin, ['run', link, '--backend', 'cpu'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const cliHash = out.match(/weights_sha256\s+([0-9a-f]{64})/)?.[1];
  assert.equal(pageHash, cliHash, `the page and the CLI trained bit-identical weights:\n${out}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a link's weights (w=) load, and a replay that matches them says so", { timeout: 180_000 }, async () => {
  const { page } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'xor');
  for (let i = 0; i < 5; i++) await page.getByTestId('step-button').click();
  const link = await waitForHash(page, (h) => key(h, 'run') === '5', 'counted 5 steps');
  assert.ok(key(link, 'w'), 'the link carries the weights');
  const loss = (await page.getByTestId('train-loss').textContent()).trim();
  const fresh = await requestWeightsHash(page);
  await page.close();

  // Weights without run=: loaded at step 0, so the model is the shared one.
  const noRun = link.replace(/&run=5/, '');
  const { page: loaded } = await openPage(browser(), undefined, noRun);
  await loaded.getByTestId('io-message').filter({ hasText: /^loaded/ }).waitFor();
  await loaded.waitForFunction(
    (t) => document.querySelector('[data-testid=train-loss]')?.textContent?.trim() === t,
    loss,
    { timeout: 30_000 },
  );
  assert.equal(await readNumber(loaded, 'step-count'), 0);
  await loaded.close();

  // With run=5 the page replays 5 steps and finds the link's weights bit for bit.
  const { page: replayed } = await openPage(browser(), undefined, link);
  await waitStoppedAt(replayed, 5);
  await replayed.getByTestId('io-message').filter({ hasText: /bit for bit/ }).waitFor();
  assert.equal(await requestWeightsHash(replayed), fresh);
  assert.equal((await replayed.getByTestId('train-loss').textContent()).trim(), loss);
  await replayed.close();
});

test('a TensorFlow Playground link imports, pasted or opened', { timeout: 180_000 }, async () => {
  const { page } = await openPage(browser());
  const old = await page.getByTestId('step-count').getAttribute('data-run');
  await page.getByTestId('import-link').fill(`https://playground.tensorflow.org/${TF_LINK}`);
  await page.getByTestId('import-button').click();
  await page.waitForFunction(
    (o) => document.querySelector('[data-testid=step-count]')?.dataset.run !== o,
    old,
  );
  const h = await waitForHash(page, (x) => key(x, 'data') === 'xor', 'showed the xor link');
  assert.equal(key(h, 'hidden'), '4,2');
  assert.equal(key(h, 'act'), 'relu,relu');
  assert.equal(await page.getByLabel('Learning rate').inputValue(), '0.03');
  assert.equal(await page.getByLabel('Activation of layer 1').inputValue(), 'relu');
  await page.close();

  const { page: direct } = await openPage(browser(), undefined, TF_LINK);
  const d = await waitForHash(direct, (x) => x.startsWith('#v=1&'), 'held our link');
  assert.equal(key(d, 'data'), 'xor');
  assert.equal(key(d, 'hidden'), '4,2');
  await direct.close();
});

test('a malformed link warns and the page still works', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser(), undefined, '#v=1&data=spiral&lr=banana&hidden=3,x&bogus=1');
  const warnings = page.getByTestId('link-warnings');
  await warnings.waitFor();
  const text = await warnings.textContent();
  assert.match(text, /lr/);
  assert.match(text, /bogus/);
  await screenshot(page, 'link-warnings-1440x900.png');
  await page.getByTestId('step-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-count]')?.textContent === '1');
  assert.ok(Number.isFinite(await readNumber(page, 'train-loss')));
  await warnings.getByRole('button').click();
  assert.equal(await warnings.count(), 0);
  assert.deepEqual(errors, []);
  await page.close();

  const { page: bad } = await openPage(browser(), undefined, '#%%%not-a-link');
  await bad.getByTestId('link-warnings').waitFor();
  assert.match(await bad.getByTestId('link-warnings').textContent(), /cannot open the link/);
  assert.equal(await bad.getByTestId('preset-select').inputValue(), 'spiral');
  await bad.getByTestId('step-button').click();
  await bad.waitForFunction(() => document.querySelector('[data-testid=step-count]')?.textContent === '1');
  await bad.close();
});
