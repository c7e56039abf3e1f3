// Shared set-up for the browser end-to-end tests: launch the Debian Chromium through
// playwright-core (never a downloaded browser), open the page served by
// scripts/e2e.sh, collect console errors, and read the page's data-testid hooks.
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

// playwright-core lives in .tools/ (scripts/setup.sh web), not in a package.json here.
function loadPlaywright() {
  for (const where of [path.join(ROOT, '.tools/node_modules/playwright-core'), 'playwright-core']) {
    try {
      return require(where);
    } catch {
      // try the next place
    }
  }
  throw new Error('playwright-core not found: run `bash scripts/setup.sh web`');
}

export const URL_BASE = process.env.GRADLAB_E2E_URL ?? 'http://127.0.0.1:8091/';
export const ARTIFACTS = path.join(ROOT, 'artifacts');

const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Launches Chromium headless; `webgpu: false` leaves WebGPU off. */
export async function launch({ webgpu = true } = {}) {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: process.env.GRADLAB_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: webgpu ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : BASE_FLAGS,
  });
}

/**
 * A browser with a real (non-incognito) profile in `userDataDir`, as a context: what
 * Chromium's installability check needs (it refuses incognito contexts).
 */
export async function launchPersistent(userDataDir, { webgpu = true } = {}) {
  const { chromium } = loadPlaywright();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.GRADLAB_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: webgpu ? [...BASE_FLAGS, ...WEBGPU_FLAGS] : BASE_FLAGS,
  });
}

/**
 * One browser for a test file: launched before its tests (`options` as for `launch`),
 * closed after them. Returns a function that gives the browser.
 */
export function browserForFile(options) {
  let browser;
  before(async () => {
    browser = await launch(options);
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * Opens the page at `viewport`, waits until the app has mounted and its first
 * evaluation is shown; `fragment` (`#v=1&...`) opens a link. Returns { page, errors } where `errors` collects console errors
 * and uncaught exceptions for the whole session.
 */
export async function openPage(browser, viewport = { width: 1440, height: 900 }, fragment = '') {
  return openPageAt(browser, URL_BASE + fragment, viewport);
}

/**
 * As `openPage`, at the full address `url` (a page served elsewhere, e.g. under a
 * subpath); `target` is a browser or a browser context (a context keeps its caches and
 * service workers from one page to the next).
 */
export async function openPageAt(target, url, viewport = { width: 1440, height: 900 }) {
  // A browser takes the viewport with its new page; a context's pages take it after.
  const isBrowser = typeof target.contexts === 'function';
  const page = isBrowser ? await target.newPage({ viewport }) : await target.newPage();
  if (!isBrowser) await page.setViewportSize(viewport);
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await waitReady(page);
  return { page, errors };
}

/** Waits until the page's app has mounted, shown its first evaluation and settled its backend. */
export async function waitReady(page) {
  await page.getByTestId('step-count').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => document.querySelector('[data-testid=train-loss]')?.textContent?.trim() !== '–',
    null,
    { timeout: 30_000 },
  );
  // The page starts on the CPU; once WebGPU is found and self-tested it times the
  // experiment on both backends and moves to the faster. Tests start after that, so
  // the move never lands in the middle of one.
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready',
    null,
    { timeout: 90_000 },
  );
}

/** Waits for a new run (after a reset), its first evaluation and, while the page picks
 * the backend by timing, the end of the timing (the run may move once it ends). */
async function waitForNewRun(page, oldRun) {
  await page.waitForFunction(
    (old) => {
      const step = document.querySelector('[data-testid=step-count]');
      const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
      return step?.dataset.run !== old && step?.textContent === '0' && loss !== '–';
    },
    oldRun,
    { timeout: 30_000 },
  );
  await backendSettled(page);
}

/** Waits while the auto backend times an experiment. */
export async function backendSettled(page) {
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state !== 'timing',
    null,
    { timeout: 90_000 },
  );
}

/** The run counter of the page (it changes on every reset). */
async function runId(page) {
  return page.getByTestId('step-count').getAttribute('data-run');
}

/** Clicks reset and waits for the fresh run's first evaluation. */
export async function reset(page) {
  const old = await runId(page);
  await page.getByTestId('reset-button').click();
  await waitForNewRun(page, old);
}

/** The number shown by a data-testid hook (NaN when it shows none). */
export async function readNumber(page, id) {
  return parseFloat((await page.getByTestId(id).textContent()).trim());
}

/** Picks a preset and waits for its first evaluation. */
export async function choosePreset(page, name) {
  const old = await runId(page);
  await page.getByTestId('preset-select').selectOption(name);
  await waitForNewRun(page, old);
}

/** Runs `change` (which edits a setting) and waits for the new run it starts. */
export async function editSetting(page, change) {
  const old = await runId(page);
  await change();
  await waitForNewRun(page, old);
}

/** Chooses a backend in the select (`auto`, `webgpu`, `cpu`) and waits until the badge
 * shows it (for `auto`, until its timing has ended). */
export async function chooseBackend(page, value) {
  await page.getByTestId('backend-select').selectOption(value);
  if (value === 'auto') {
    await page.waitForFunction(() => document.querySelector('.backend')?.dataset.state === 'timing', null, {
      timeout: 5_000,
    }).catch(() => {});
    await backendSettled(page);
    return;
  }
  const want = value === 'cpu' ? 'CPU' : 'WebGPU';
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid=backend-badge]')?.textContent?.startsWith(w),
    want,
    { timeout: 30_000 },
  );
}

/** Presses play and waits until training stops by itself (the budget is spent) or
 * `timeoutMs` passes, then pauses if still running. */
export async function trainToEnd(page, timeoutMs) {
  const toggle = page.getByTestId('train-toggle');
  await toggle.click();
  try {
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') ===
        'false',
      null,
      { timeout: timeoutMs, polling: 200 },
    );
  } catch {
    await toggle.click();
  }
}

/**
 * Fraction of a canvas's pixels that differ from its top-left background colour;
 * a chart that draws data gives a clearly non-zero share.
 */
export async function inkShare(page, id) {
  return page.getByTestId(id).evaluate((c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const distinct = new Set();
    let differ = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) differ++;
      if (i % 64 === 0) distinct.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { share: differ / (data.length / 4), colours: distinct.size };
  });
}

/** Saves a screenshot under artifacts/. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The native CLI: GRADLAB_BIN when set (scripts/e2e.sh sets it to target/debug/gradlab,
 * building it when missing), else target/debug/gradlab, built here by `cargo build`.
 */
export function gradlabBin() {
  if (process.env.GRADLAB_BIN) return process.env.GRADLAB_BIN;
  const bin = path.join(ROOT, 'target/debug/gradlab');
  if (!existsSync(bin)) {
    execFileSync('cargo', ['build', '--bin', 'gradlab'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 1_200_000,
    });
  }
  if (!existsSync(bin)) throw new Error(`${bin} was not built`);
  return bin;
}

/** `gradlab ARGS...`, its standard output. */
export function gradlab(...args) {
  return execFileSync(gradlabBin(), args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Link `link` with key `k` set to `v` (appended when missing); other keys as written. */
export function withKey(link, k, v) {
  const re = new RegExp(`([#&])${k}=[^&]*`);
  return re.test(link) ? link.replace(re, `$1${k}=${v}`) : `${link}&${k}=${v}`;
}

/** Clicks the button `id` and saves its download under artifacts/; returns the path. */
export async function download(page, id) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
  const file = path.join(ARTIFACTS, dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

/** Waits until training has stopped at `steps` steps. */
export async function waitStoppedAt(page, steps, timeout = 120_000) {
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=step-count]')?.textContent === String(n) &&
      document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') ===
        'false',
    steps,
    { timeout, polling: 100 },
  );
}

/** True when `text` is a SHA-256 in hex. */
const isSha = (text) => /^[0-9a-f]{64}$/.test(text ?? '');

/**
 * The weights hash the page shows, once asked for: the page computes it only on
 * request (the `weights-hash-request` button), and clears it when a readback brings
 * other weights, so the request is repeated until a hash stays shown.
 */
export async function requestWeightsHash(page, timeout = 30_000) {
  const until = Date.now() + timeout;
  for (;;) {
    // A DOM click: the button is hidden while a hash is shown.
    await page.evaluate(() => document.querySelector('[data-testid=weights-hash-request]')?.click());
    try {
      await page.waitForFunction(
        () =>
          /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid=weights-hash]')?.textContent),
        null,
        { timeout: 2_000, polling: 50 },
      );
      const shown = (await page.getByTestId('weights-hash').textContent()).trim();
      if (isSha(shown)) return shown;
    } catch (e) {
      if (Date.now() > until) throw e;
    }
  }
}

/**
 * Waits until the async `fn(arg)`, evaluated in the page, resolves truthy; returns that
 * value. (page.waitForFunction takes the promise an async function returns as truthy.)
 */
export async function waitForAsync(page, fn, arg, { timeout = 60_000, polling = 200 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > until) throw new Error(`waitForAsync: still false after ${timeout} ms`);
    await page.waitForTimeout(polling);
  }
}

/**
 * For `addInitScript`: runs in the page before its own scripts and resolves
 * `window.__gradlabReady` with the time (ms since navigation start) of the first frame in
 * which the lab is usable (its step button is there and the first evaluation's loss is
 * shown): the page-ready time of `site_ready.test.mjs`, `page_load.measure.mjs` and the
 * benchmark driver's lab visits.
 */
export function readyProbe() {
  window.__gradlabReady = new Promise((resolve) => {
    const usable = () => {
      const loss = document.querySelector('[data-testid=train-loss]')?.textContent?.trim();
      return document.querySelector('[data-testid=step-button]') !== null && !!loss && loss !== '–';
    };
    const watch = new MutationObserver(() => {
      if (!usable()) return;
      watch.disconnect();
      requestAnimationFrame(() => resolve(performance.now()));
    });
    watch.observe(document, { childList: true, subtree: true, characterData: true });
  });
}
