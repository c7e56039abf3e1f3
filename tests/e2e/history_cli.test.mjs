// Cross-target determinism: a preset trained to the end of a small budget in the page
// (CPU backend, wasm32) leaves exactly the history of the native CLI's metrics.json for
// the same link (the same steps, every loss and metric bit for bit as printed) and the
// same weights_sha256. The page records its points at the runner's steps, never at times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  browserForFile,
  download,
  gradlab,
  openPage,
  requestWeightsHash,
  trainToEnd,
  waitStoppedAt,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

/** The link of `preset` with a budget of `steps` steps (not a whole number of epochs,
 * so the end point is one of its own), on the CPU backend. */
function smallRun(preset, steps) {
  const base = gradlab('link', preset).trim();
  return withKey(withKey(base, 'budget', `steps:${steps}`), 'backend', 'cpu');
}

/** The history and weights hash of `gradlab run LINK --out DIR`. */
function cliRun(link) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gradlab-e2e-'));
  const out = gradlab('run', link, '--backend', 'cpu', '--out', dir);
  const metrics = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
  const sha = out.match(/weights_sha256\s+([0-9a-f]{64})/)?.[1];
  assert.ok(sha, `the CLI printed no weights_sha256:\n${out}`);
  return { history: metrics.history, sha };
}

for (const [preset, steps] of [
  ['xor', 230],
  ['iris', 97],
]) {
  test(`${preset}, ${steps} steps: the page's history and weights are the CLI's`, { timeout: 240_000 }, async () => {
    const link = smallRun(preset, steps);
    const cli = cliRun(link);
    assert.ok(cli.history.length >= 3, `a history of several points: ${cli.history.length}`);

    const { page, errors } = await openPage(browser(), undefined, link);
    assert.match(await page.getByTestId('backend-badge').textContent(), /^CPU/);
    await trainToEnd(page, 180_000);
    await waitStoppedAt(page, steps);
    // The final state is published with its link (run=N); its hash is asked for.
    await page.waitForFunction(
      (n) => new URLSearchParams(location.hash.slice(1)).get('run') === String(n),
      steps,
      { timeout: 30_000 },
    );
    const pageSha = await requestWeightsHash(page);
    const shown = JSON.parse(readFileSync(await download(page, 'export-history'), 'utf8'));
    // Same steps first (the clearest message when a point is missing or extra).
    assert.deepEqual(
      shown.map((p) => p.step),
      cli.history.map((p) => p.step),
      'history steps',
    );
    // Then every value: JSON numbers parse exactly, and deepStrictEqual tells -0 from 0.
    assert.deepStrictEqual(shown, cli.history);
    assert.equal(pageSha, cli.sha, 'the page and the CLI trained bit-identical weights');
    assert.deepEqual(errors, []);
    await page.close();
  });
}
