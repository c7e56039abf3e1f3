// Page-ready time in headless Chromium: from navigation start to the first animation
// frame in which the lab is usable (its step button is there and the first evaluation's
// loss is shown), for a first visit (fresh profile: nothing cached) and a repeat visit
// (same profile, after the service worker cached the build); the medians of RUNS visits
// each are printed. The repeat visit must take nothing but the page itself from the
// server (the rest comes from the cache). The time itself is checked against
// GRADLAB_READY_BUDGET_MS when that is set (the target is 300): on a shared or busy
// machine it measures the machine's load more than the page. Served from dist/ by the
// site tests' own server:
//   GRADLAB_READY_BUDGET_MS=300 GRADLAB_E2E_PORT=8095 bash scripts/e2e.sh tests/e2e/site_ready.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { browserForFile, readyProbe, waitForAsync } from './helpers.mjs';
import { SiteServer } from './site_server.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RUNS = 5;
const BUDGET_MS = process.env.GRADLAB_READY_BUDGET_MS ? Number(process.env.GRADLAB_READY_BUDGET_MS) : null;
const server = new SiteServer(path.join(ROOT, 'dist'), '/ready/');
const browser = browserForFile();

before(() => server.start());
after(() => server.stop());

/** Opens the page in `context` and returns its ready time in ms. */
async function visit(context) {
  const page = await context.newPage();
  await page.goto(server.url);
  const ms = await page.evaluate(() => window.__gradlabReady);
  return { page, ms };
}

/** Waits until the page's service worker is active and its build fully cached. */
async function waitOffline(page) {
  await waitForAsync(page, async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg?.active?.state === 'activated' && (await caches.keys()).length === 1;
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('page-ready time of a first and a repeat visit; the repeat one served from the cache', { timeout: 300_000 }, async (t) => {
  const first = [];
  const repeat = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser().newContext();
    await context.addInitScript(readyProbe);
    try {
      const one = await visit(context);
      first.push(one.ms);
      await waitOffline(one.page);
      await one.page.close();
      // Two repeat visits per profile: the first one after the install still compiles the
      // wasm from the cache; the second is the steady repeat visit.
      for (let j = 0; j < 2; j++) {
        const asked = server.requests.length;
        const again = await visit(context);
        if (j === 1) repeat.push(again.ms);
        // Only the page itself comes from the server (revalidated: a new build is seen).
        assert.deepEqual(server.requests.slice(asked), [server.prefix], `fetched on repeat visit ${j + 1} of profile ${i + 1}`);
        await again.page.close();
      }
    } finally {
      await context.close();
    }
  }
  const line = (name, xs) =>
    `${name}: median ${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  t.diagnostic(line('first visit', first));
  t.diagnostic(line('repeat visit', repeat));
  console.log(`page-ready ${line('first visit', first)}; ${line('repeat visit', repeat)}`);
  if (BUDGET_MS !== null) assert.ok(median(repeat) <= BUDGET_MS, line('repeat visit', repeat));
});
