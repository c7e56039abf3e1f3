// Long runs survive a reload: the page saves its run in IndexedDB while it trains and
// as it is left; reopened, it offers to resume, and the resumed run ends with exactly
// the weights of a run that never stopped (the same weights_sha256 as the same link
// trained straight through in a fresh browser context, and as the native CLI's).
// Discard leaves a fresh run and no saved one; a corrupt saved run gives a notice and
// the page goes on (no panic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  URL_BASE,
  browserForFile,
  gradlab,
  openPageAt,
  requestWeightsHash,
  screenshot,
  waitForAsync,
  waitReady,
  waitStoppedAt,
  withKey,
} from './helpers.mjs';

// The CPU backend only: the page's CPU run is the bit-exact reference.
const browser = browserForFile({ webgpu: false });

/**
 * `preset` with a budget of `steps` steps on the CPU backend, evaluated at every step
 * (so it trains slowly enough to be reloaded mid-run, and its history is long).
 */
function linkOf(preset, steps) {
  const base = withKey(gradlab('link', preset).trim(), 'eval', '1');
  return withKey(withKey(base, 'budget', `steps:${steps}`), 'backend', 'cpu');
}

/** A page in a fresh browser context (its own IndexedDB) at `fragment`. */
async function freshPage(fragment) {
  const context = await browser().newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openPageAt(context, URL_BASE + fragment);
  return { context, page, errors };
}

/** The step of the last save that reached IndexedDB (NaN before the first). */
async function savedStep(page) {
  return Number(await page.getByTestId('resume-saved').getAttribute('data-step'));
}

/** Presses play and waits until a save of step >= `k` has been written. */
async function trainUntilSaved(page, k) {
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=resume-saved]')?.dataset.step) >= n,
    k,
    { timeout: 120_000, polling: 100 },
  );
}

/** The weights hash of `gradlab run LINK` on the CPU. */
function cliHash(link) {
  const out = gradlab('run', link, '--backend', 'cpu', '--out', mkdtempSync(path.join(tmpdir(), 'gradlab-resume-')));
  return out.match(/weights_sha256\s+([0-9a-f]{64})/)?.[1];
}

/**
 * The page's saved run in IndexedDB (`gradlab-runs` / `runs` / `last`): `value` given,
 * writes it (an array of numbers is written as bytes); returns the length of what is
 * stored there now (null when nothing is).
 */
async function lastRun(page, value) {
  return page.evaluate(async (v) => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('gradlab-runs', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('runs');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    try {
      if (v !== undefined) {
        await new Promise((ok, fail) => {
          const tx = db.transaction('runs', 'readwrite');
          tx.objectStore('runs').put(Array.isArray(v) ? new Uint8Array(v) : v, 'last');
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        });
      }
      return await new Promise((ok, fail) => {
        const r = db.transaction('runs').objectStore('runs').get('last');
        r.onsuccess = () => ok(r.result === undefined ? null : r.result.length);
        r.onerror = () => fail(r.error);
      });
    } finally {
      db.close();
    }
  }, value);
}

const PRESET = 'digits';
const STEPS = 3000;

test('a run reloaded mid-way and resumed ends with the weights of an uninterrupted run', { timeout: 600_000 }, async () => {
  const link = linkOf(PRESET, STEPS);
  const a = await freshPage(link);
  assert.match(await a.page.getByTestId('backend-badge').textContent(), /^CPU/);
  await trainUntilSaved(a.page, 50);
  // Reloaded while it trains: the page saves as it goes (pagehide) and opens again.
  await a.page.reload();
  await waitReady(a.page);
  const offer = a.page.getByTestId('resume-offer');
  await offer.waitFor({ timeout: 30_000 });
  const from = Number(await offer.getAttribute('data-step'));
  assert.ok(from >= 50 && from < STEPS, `offered step ${from}: saved mid-run`);
  assert.match(await a.page.getByTestId('resume-accept').textContent(), new RegExp(`step ${from} \\(saved \\d\\d:\\d\\d\\)`));
  // The address's link is the saved run's experiment: nothing else to say about it.
  assert.equal((await offer.locator('span').textContent()).trim(), '');
  // While the offer is open, the link's replay waits.
  assert.equal((await a.page.getByTestId('step-count').textContent()).trim(), '0');
  await screenshot(a.page, 'resume-offer.png');
  await a.page.getByTestId('resume-accept').click();
  await a.page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=step-count]')?.textContent) >= n,
    from,
    { timeout: 30_000 },
  );
  assert.equal(await offer.count(), 0, 'the offer closes');
  await waitStoppedAt(a.page, STEPS, 300_000);
  const resumed = await requestWeightsHash(a.page);
  assert.deepEqual(a.errors, []);
  await a.context.close();

  const b = await freshPage(link);
  await b.page.getByTestId('train-toggle').click();
  await waitStoppedAt(b.page, STEPS, 300_000);
  const straight = await requestWeightsHash(b.page);
  assert.deepEqual(b.errors, []);
  await b.context.close();

  assert.equal(resumed, straight, 'resumed and uninterrupted runs end with the same weights');
  assert.equal(resumed, cliHash(link), 'and the native CLI agrees');
});

test('discard removes the saved run and leaves a fresh one', { timeout: 300_000 }, async () => {
  const { context, page, errors } = await freshPage(withKey(gradlab('link', 'spiral').trim(), 'backend', 'cpu'));
  await trainUntilSaved(page, 20);
  await page.getByTestId('train-toggle').click();
  // The page opened again without a link: the offer says which run it is.
  await page.goto('about:blank');
  await page.goto(URL_BASE);
  await waitReady(page);
  const offer = page.getByTestId('resume-offer');
  await offer.waitFor({ timeout: 30_000 });
  assert.match(await offer.locator('span').textContent(), /spiral/);
  await page.getByTestId('resume-discard').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=resume-offer]'), null, {
    timeout: 10_000,
  });
  assert.equal((await page.getByTestId('step-count').textContent()).trim(), '0', 'a fresh run');
  assert.equal(await lastRun(page), null, 'no saved run left');
  await page.reload();
  await waitReady(page);
  await page.waitForTimeout(1000);
  assert.equal(await page.getByTestId('resume-offer').count(), 0, 'nothing offered after a discard');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a corrupt saved run gives a notice, not a panic, and the page trains', { timeout: 300_000 }, async () => {
  const { context, page, errors } = await freshPage('');
  for (const [garbage, why] of [
    [[71, 76, 65, 66, 82, 85, 78, 0, 1, 0, 0, 0, 9, 9], /could not be read.*(truncated|format)/],
    ['not bytes at all', /could not be read.*not bytes/],
  ]) {
    await lastRun(page, garbage);
    await page.reload();
    await waitReady(page);
    const notice = page.getByTestId('resume-notice');
    await notice.waitFor({ timeout: 30_000 });
    assert.match(await notice.textContent(), why);
    assert.equal(await page.getByTestId('resume-offer').count(), 0);
    // The unreadable run is removed.
    await waitForAsync(page, async () => {
      const r = await new Promise((ok) => {
        const o = indexedDB.open('gradlab-runs', 1);
        o.onsuccess = () => ok(o.result);
      });
      const n = await new Promise((ok) => {
        const g = r.transaction('runs').objectStore('runs').get('last');
        g.onsuccess = () => ok(g.result === undefined);
      });
      r.close();
      return n;
    });
  }
  // Training is unaffected.
  await page.getByTestId('step-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-count]')?.textContent === '1');
  assert.deepEqual(errors, []);
  await context.close();
});
