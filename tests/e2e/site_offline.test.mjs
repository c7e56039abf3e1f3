// Offline after one visit, and new builds picked up: the page (served under a subpath
// by this test's own server) registers its service worker on the first visit, which
// caches every file of the build; with the server stopped a reload opens the lab, trains,
// and loads MNIST from the cache. Then a new build is served (the same app with a changed
// wasm under new hashed names, finished by scripts/site_build.mjs as trunk's hook does):
// the next visit runs the new build, with no console errors, its service worker replaces
// the old cache, and offline the new build is what opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { browserForFile, openPageAt, waitForAsync } from './helpers.mjs';
import { SiteServer } from './site_server.mjs';
import { finish, readBuild } from '../../scripts/site_build.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DIST = path.join(ROOT, 'dist');
const browser = browserForFile();
let work;

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'gradlab-site-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The build a page runs: its stamp, and the JS glue and wasm its boot tag loads. */
async function runningBuild(page) {
  return page.evaluate(() => {
    const tag = document.getElementById('gradlab-boot');
    const loaded = performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname.split('/').pop())
      .filter((n) => /^gradlab-[0-9a-f]+(_bg\.wasm|\.js)$/.test(n));
    return {
      version: document.querySelector('meta[name=gradlab-build]')?.content,
      js: tag.dataset.js.split('/').pop(),
      wasm: tag.dataset.wasm.split('/').pop(),
      loaded: [...new Set(loaded)].sort(),
    };
  });
}

/** Waits until this page's service worker is active and its cache holds `version`
 * with every file, and no other cache of this scope is left; returns the cache names. */
async function waitCached(page, version, files, server) {
  try {
    await waitForAsync(
      page,
      async ([v, n]) => {
        const reg = await navigator.serviceWorker.getRegistration();
        if (reg?.active?.state !== 'activated' || !reg.active.scriptURL.endsWith('/sw.js')) return false;
        const names = (await caches.keys()).filter((k) => k.startsWith(`gradlab:${reg.scope}:`));
        if (names.length !== 1 || !names[0].endsWith(`:${v}`)) return false;
        return (await (await caches.open(names[0])).keys()).length === n;
      },
      [version, files],
    );
  } catch (err) {
    throw new Error(`${err.message}; waiting for ${files} files of ${version}: ${await workerState(page, server)}`);
  }
  return page.evaluate(async () => caches.keys());
}

/** What the page's service worker and caches hold, and the server's last requests: what
 * a failed wait reports, so a flaky update says where it stopped. */
async function workerState(page, server) {
  const state = await page
    .evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      const worker = (w) => (w ? `${w.scriptURL.split('/').pop()} ${w.state}` : 'none');
      const caches_ = await Promise.all(
        (await caches.keys()).map(async (k) => `${k} (${(await (await caches.open(k)).keys()).length} files)`),
      );
      return JSON.stringify({
        installing: worker(reg?.installing),
        waiting: worker(reg?.waiting),
        active: worker(reg?.active),
        controller: worker(navigator.serviceWorker.controller),
        caches: caches_,
      });
    })
    .catch((e) => `(page state unavailable: ${e.message})`);
  return `${state}; last requests: ${server.requests.slice(-40).join(' ')}`;
}

/** Takes one training step and waits until the counter shows it. */
async function step(page) {
  const before = Number(await page.getByTestId('step-count').textContent());
  await page.getByTestId('step-button').click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=step-count]')?.textContent === String(n),
    before + 1,
  );
}

/** A wasm module with an extra custom section: other bytes, the same program. */
function withCustomSection(wasm, name, payload) {
  const leb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return Buffer.from(out);
  };
  const body = Buffer.concat([leb(name.length), Buffer.from(name), Buffer.from(payload)]);
  return Buffer.concat([wasm, Buffer.from([0]), leb(body.length), body]);
}

/**
 * Makes `to`, a new build of the app in `from`: the wasm gets other bytes (a custom
 * section), the glue and wasm new hashed names, index.html their names and integrity,
 * and scripts/site_build.mjs finishes the folder as trunk's hook does.
 */
function newBuild(from, to) {
  cpSync(from, to, { recursive: true });
  const indexPath = path.join(to, 'index.html');
  let index = readFileSync(indexPath, 'utf8');
  const oldJs = index.match(/data-js="\.\/(gradlab-[0-9a-f]+)\.js"/)[1];
  const newJs = `gradlab-${createHash('sha256').update(`${oldJs} rebuilt`).digest('hex').slice(0, 16)}`;
  const wasm = withCustomSection(
    readFileSync(path.join(to, `${oldJs}_bg.wasm`)),
    'gradlab-test-build',
    'a second build',
  );
  writeFileSync(path.join(to, `${newJs}_bg.wasm`), wasm);
  rmSync(path.join(to, `${oldJs}_bg.wasm`));
  renameSync(path.join(to, `${oldJs}.js`), path.join(to, `${newJs}.js`));
  const sri = `sha384-${createHash('sha384').update(wasm).digest('base64')}`;
  index = index
    .replaceAll(oldJs, newJs)
    .replace(/(href="\.\/[^"]+_bg\.wasm"[^>]*integrity=")[^"]*"/, `$1${sri}"`);
  writeFileSync(indexPath, index);
  const done = finish(to);
  writeFileSync(indexPath, done.index);
  writeFileSync(path.join(to, 'sw.js'), done.worker);
  return { version: done.version, js: `${newJs}.js`, wasm: `${newJs}_bg.wasm`, files: done.entries.length };
}

test('offline after the first visit; a new build runs on the next visit', { timeout: 900_000 }, async () => {
  const v1 = path.join(work, 'v1');
  cpSync(DIST, v1, { recursive: true });
  const first = readBuild(v1); // the build as served (finished by trunk's hook)
  const server = new SiteServer(v1, '/deploy/gradlab/');
  await server.start();
  const context = await browser().newContext();
  try {
    // Visit 1, online: the app runs and its worker caches the whole build.
    const { page, errors } = await openPageAt(context, server.url);
    const one = await runningBuild(page);
    assert.equal(one.version, first.version);
    const names = await waitCached(page, first.version, first.files.length, server);
    assert.equal(names.length, 1, names.join());
    assert.deepEqual(errors, []);
    await page.close();

    // The network goes away: a reload still opens the lab, which trains.
    await server.stop();
    const { page: offline, errors: offlineErrors } = await openPageAt(context, server.url);
    assert.deepEqual(await runningBuild(offline), one);
    await step(offline);
    // MNIST is downloaded on demand; offline it comes from the cache, and the run is built.
    const oldRun = await offline.getByTestId('step-count').getAttribute('data-run');
    await offline.getByTestId('preset-select').selectOption('mnist-mlp');
    await offline.waitForFunction(
      (old) => {
        if (document.querySelector('[data-testid=data-error]')) return true;
        document.querySelector('[data-testid=cost-confirm]')?.click();
        const step = document.querySelector('[data-testid=step-count]');
        const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
        return step?.dataset.run !== old && step?.textContent === '0' && loss !== '–';
      },
      oldRun,
      { timeout: 120_000, polling: 250 },
    );
    assert.equal(await offline.getByTestId('data-error').count(), 0, 'MNIST came from the cache');
    assert.deepEqual(offlineErrors, []);
    await offline.close();

    // A lesson opens offline too (lessons are compiled into the cached wasm).
    const { page: lesson, errors: lessonErrors } = await openPageAt(
      context,
      `${server.url}#lesson=03&step=1&lang=zh`,
    );
    await lesson.getByTestId('lesson-panel').waitFor({ timeout: 60_000 });
    const title = (await lesson.getByTestId('lesson-title').textContent()) ?? '';
    assert.ok(/\p{Script=Han}/u.test(title), `the Chinese lesson title, got ${title}`);
    assert.ok((await lesson.getByTestId('lesson-goal').count()) > 0, 'the step has goals');
    assert.deepEqual(lessonErrors, []);
    await lesson.close();

    // A new build is deployed: the next visit runs it, not a mix with the cached one.
    const two = newBuild(v1, path.join(work, 'v2'));
    assert.notEqual(two.version, first.version);
    server.root = path.join(work, 'v2');
    await server.start();
    const { page: updated, errors: updatedErrors } = await openPageAt(context, server.url);
    const running = await runningBuild(updated);
    assert.equal(running.version, two.version);
    assert.deepEqual(running.loaded, [two.js, two.wasm].sort());
    await step(updated);
    // Its worker replaces the old build's cache.
    await waitCached(updated, two.version, two.files, server);
    await updated.waitForTimeout(500);
    assert.deepEqual(updatedErrors, []);
    await updated.close();

    // Offline again: the new build opens from the cache.
    await server.stop();
    const { page: again, errors: againErrors } = await openPageAt(context, server.url);
    assert.equal((await runningBuild(again)).version, two.version);
    await step(again);
    assert.deepEqual(againErrors, []);
    await again.close();
  } finally {
    await context.close();
    await server.stop();
  }
});
