// The built page hosted under a subpath (/some/sub/path/, with nothing at "/"): it loads
// with no console errors and asks for nothing outside its folder, Chromium finds it
// installable (manifest, icons), it trains, and its share link carries the subpath and
// reopens the same experiment. `GRADLAB_E2E_PREFIX=/some/sub/path/ bash scripts/e2e.sh`
// runs every other e2e test under a subpath the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  browserForFile,
  chooseBackend,
  choosePreset,
  launchPersistent,
  openPageAt,
  readNumber,
  requestWeightsHash,
  trainToEnd,
  waitStoppedAt,
} from './helpers.mjs';
import { SiteServer } from './site_server.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const PREFIX = '/some/sub/path/';
const server = new SiteServer(path.join(ROOT, 'dist'), PREFIX);
const browser = browserForFile();

before(() => server.start());
after(() => server.stop());

test('under a subpath: loads and asks for nothing outside it', { timeout: 120_000 }, async () => {
  server.requests.length = 0;
  const { page, errors } = await openPageAt(browser(), server.url);
  await page.waitForTimeout(1000);
  assert.deepEqual(errors, []);
  const outside = server.requests.filter((p) => !p.startsWith(PREFIX));
  assert.deepEqual(outside, [], 'requests outside the folder');
  for (const asked of ['www/boot.js', '_bg.wasm', 'www/manifest.webmanifest']) {
    assert.ok(
      server.requests.some((p) => p.includes(asked)),
      `${asked} loaded from the folder: ${server.requests.join(' ')}`,
    );
  }
  assert.match(await page.title(), /gradlab/);
  const icon = await page.evaluate(async () => {
    const link = document.querySelector('link[rel=icon][type="image/svg+xml"]');
    const r = await fetch(link.href);
    return { href: link.href, status: r.status, type: r.headers.get('content-type') };
  });
  assert.equal(icon.status, 200, icon.href);
  assert.match(icon.type, /image\/svg\+xml/);
  await page.close();
});

test("under a subpath: Chromium's own check finds the page installable", { timeout: 120_000 }, async () => {
  // A real profile: Chromium refuses to judge installability in an incognito context.
  const profile = mkdtempSync(path.join(tmpdir(), 'gradlab-profile-'));
  const context = await launchPersistent(profile);
  try {
    const { page } = await openPageAt(context, server.url);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.ok(manifest.url.endsWith(`${PREFIX}www/manifest.webmanifest`), manifest.url);
    assert.deepEqual(manifest.errors, []);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    await page.close();
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('under a subpath: linear-regression trains to MSE < 0.01', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPageAt(browser(), server.url);
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'linear-regression');
  await trainToEnd(page, 120_000);
  const mse = await readNumber(page, 'test-loss');
  assert.ok(mse < 0.01, `test MSE ${mse}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('under a subpath: the share link carries the subpath and reopens the experiment', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPageAt(browser(), server.url);
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'xor');
  for (let i = 1; i <= 5; i++) {
    await page.getByTestId('step-button').click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=step-count]')?.textContent === String(n),
      i,
    );
  }
  await page.waitForFunction(() => /[#&]run=5(&|$)/.test(location.hash));
  const trained = await requestWeightsHash(page);
  await page.getByTestId('share-button').click();
  const shared = await page.getByTestId('share-link').inputValue();
  assert.ok(shared.startsWith(`${server.url}#v=1&`), shared);
  assert.equal(shared, await page.evaluate(() => location.href));
  assert.deepEqual(errors, []);
  await page.close();

  // The link replays the 5 steps on the CPU: the same weights, bit for bit.
  const { page: reopened, errors: reopenedErrors } = await openPageAt(browser(), shared);
  await waitStoppedAt(reopened, 5);
  assert.equal(await reopened.getByTestId('preset-select').inputValue(), 'xor');
  assert.equal(await requestWeightsHash(reopened), trained);
  assert.equal(await reopened.getByTestId('link-warnings').count(), 0);
  assert.deepEqual(reopenedErrors, []);
  await reopened.close();
});

