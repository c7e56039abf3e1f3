// The training worker (src/ui/worker.rs, worker_client.rs, driver/offload.rs,
// www/train_worker.js): a module worker that instantiates the page's own glue and wasm
// module (same URLs: the browser's cache serves them) without mounting the app. A CPU
// run with long steps (the shakespeare-char GPT) trains there with no address flag: the
// badge says so, no main-thread task passes 50 ms (Long Tasks API) while it trains, and
// the weights the page ends with are the CLI's, bit for bit. Such a run's first
// evaluation and the auto backend's CPU timing of it run in the worker too. With
// `?driver=worker` the
// page also offers the worker's link replays to the test (`window.__gradlabWorker`):
// their weights_sha256 equals the native CLI's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  URL_BASE,
  browserForFile,
  gradlab,
  gradlabBin,
  openPage,
  openPageAt,
  requestWeightsHash,
  waitReady,
  waitStoppedAt,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

/** `gradlab run LINK --backend cpu`'s weights_sha256. */
function cliHash(link) {
  const out = execFileSync(gradlabBin(), ['run', link, '--backend', 'cpu'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hash = out.match(/weights_sha256\s+([0-9a-f]{64})/)?.[1];
  assert.ok(hash, `the CLI printed no weights_sha256:\n${out}`);
  return hash;
}

/** Replays `link` in the page's worker; its answer. */
async function replayInWorker(page, link, timeout = 300_000) {
  const before = await page.evaluate(() => window.__gradlabWorker.replays.length);
  await page.evaluate((l) => window.__gradlabWorker.replay(l), link);
  await page.waitForFunction((n) => window.__gradlabWorker.replays.length > n, before, {
    timeout,
    polling: 100,
  });
  return page.evaluate((n) => window.__gradlabWorker.replays[n], before);
}

/** A link of `preset` replaying `steps` steps. */
function presetLink(preset, steps) {
  return `${execFileSync(gradlabBin(), ['link', preset], { encoding: 'utf8' }).trim()}&run=${steps}`;
}

test('the worker starts from the page’s own module and replays links as the CLI does', { timeout: 900_000 }, async () => {
  const { page, errors } = await openPageAt(browser(), `${URL_BASE}?driver=worker`);
  // Requests of the page and of its worker (a worker's requests reach the page's context).
  const wasmRequests = [];
  page.context().on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmRequests.push(r.url());
  });
  await page.waitForFunction(() => ['ready', 'failed'].includes(window.__gradlabWorker?.state), null, {
    timeout: 60_000,
  });
  const worker = await page.evaluate(() => ({ ...window.__gradlabWorker }));
  assert.equal(worker.state, 'ready', `the worker did not start: ${worker.error}`);
  assert.ok(worker.ready.clock_ms > 0, 'the worker has a clock (performance.now)');
  assert.equal(worker.ready.webgpu, true, 'the worker sees WebGPU (navigator.gpu)');
  // The worker's module is the page's (one build, one URL).
  const pageWasm = await page.evaluate(() => window.__gradlabGlue.wasm);
  assert.ok(wasmRequests.every((u) => u === pageWasm), `other wasm fetched: ${wasmRequests}`);
  // The app is mounted once (in the page): one step counter.
  assert.equal(await page.getByTestId('step-count').count(), 1);

  // A small replay: the same hash as the CLI (and as the page's own replay, links.test).
  const spiral = presetLink('spiral', 200);
  const small = await replayInWorker(page, spiral);
  assert.equal(small.kind, 'replayed', `the replay failed: ${small.message}`);
  assert.equal(small.steps, 200);
  assert.equal(small.hash, cliHash(spiral), 'the worker and the CLI trained bit-identical weights');

  // A hostile link (8 x 1024 units, 100,000 points in one batch) is refused at once with
  // the cost model's message, as the page's own driver refuses it: nothing is built.
  const hostile = `${spiral
    .replace(/hidden=[^&]*/, `hidden=${Array(8).fill(1024).join(',')}`)
    .replace(/act=[^&]*/, `act=${Array(8).fill('relu').join(',')}`)
    .replace(/samples=[^&]*/, 'samples=100000')
    .replace(/batch=[^&]*/, 'batch=100000')}`;
  const refused = await replayInWorker(page, hostile, 30_000);
  assert.equal(refused.kind, 'failed', `the hostile link was not refused: ${JSON.stringify(refused)}`);
  assert.match(refused.message, /this run asks for .* limit/, refused.message);

  // A heavy replay, the shakespeare-char GPT (its text downloaded by the worker): the
  // page's main thread stays free meanwhile.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries())).observe({
      type: 'longtask',
    });
  });
  const heavy = presetLink('shakespeare-char', 20);
  const t0 = await page.evaluate(() => performance.now());
  const big = await replayInWorker(page, heavy);
  const t1 = await page.evaluate(() => performance.now());
  await page.waitForTimeout(300);
  assert.equal(big.kind, 'replayed', `the replay failed: ${big.message}`);
  assert.equal(big.steps, 20);
  const tasks = await page.evaluate(
    ([from, to]) =>
      window.__longTasks.filter((e) => e.startTime >= from && e.startTime <= to).map((e) => Math.round(e.duration)),
    [t0, t1],
  );
  console.log(
    `worker replay of 20 shakespeare-char steps: ${Math.round(big.ms)} ms in the worker; ` +
      `main-thread long tasks meanwhile: ${tasks.length} [${tasks.join(', ')}] ms`,
  );
  // Over 50 ms of work a step on average (the in-page driver shows this preset's steps as
  // long tasks, long_tasks.test.mjs): on the main thread it could not go unseen.
  assert.ok(big.ms / 20 > 50, `the heavy replay took ${big.ms} ms: not heavy enough to tell`);
  assert.deepEqual(tasks.filter((d) => d > 50), [], 'main-thread tasks over 50 ms while the worker trained');
  assert.equal(big.hash, cliHash(heavy), 'the heavy replay matches the CLI too');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without ?driver=worker no worker starts (the in-page driver trains)', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPageAt(browser(), URL_BASE);
  assert.equal(await page.evaluate(() => window.__gradlabWorker), undefined);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page without Web Workers warns and trains in the page', { timeout: 120_000 }, async () => {
  const page = await browser().newPage();
  await page.addInitScript(() => {
    delete window.Worker;
  });
  const warnings = [];
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${URL_BASE}?driver=worker`);
  await waitReady(page);
  assert.equal(await page.evaluate(() => window.__gradlabWorker.state), 'failed');
  assert.ok(
    warnings.some((w) => w.includes('no training worker')),
    `no console warning: ${warnings.join(' | ')}`,
  );
  await page.getByTestId('step-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-count]')?.textContent === '1');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a CPU run with long steps trains in the worker: the page stays free, the weights are the CLI’s', { timeout: 600_000 }, async () => {
  // The shakespeare-char GPT on the CPU backend (225 MFLOP a step): no address flag, the
  // driver sends it to the worker by its cost.
  const STEPS = 12;
  const link = withKey(withKey(gradlab('link', 'shakespeare-char').trim(), 'backend', 'cpu'), 'run', String(STEPS));
  const { page, errors } = await openPage(browser(), { width: 1440, height: 900 }, link);
  // Where the badge says the run trains, frame by frame, and the main thread's long tasks.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries())).observe({
      type: 'longtask',
    });
    window.__inWorker = [];
    const tick = (now) => {
      const where = document.querySelector('[data-testid=backend-badge]')?.dataset.where;
      if (where === 'worker') window.__inWorker.push(now);
      if (!window.__stopWatch) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await waitStoppedAt(page, STEPS, 400_000);
  const seen = await page.evaluate(() => {
    window.__stopWatch = true;
    const frames = window.__inWorker;
    const [from, to] = [frames[0], frames[frames.length - 1]];
    return {
      frames: frames.length,
      tasks: window.__longTasks
        .filter((e) => e.startTime >= from && e.startTime <= to)
        .map((e) => Math.round(e.duration)),
      badge: document.querySelector('[data-testid=backend-badge]')?.dataset.where,
    };
  });
  console.log(
    `# ${seen.frames} frames drawn while the worker held the run; main-thread long tasks ` +
      `meanwhile: ${seen.tasks.length} [${seen.tasks.join(', ')}] ms`,
  );
  assert.ok(seen.frames > 0, 'the badge never said the run trains in the worker');
  assert.equal(seen.badge, 'page', 'at the end of its budget the run is back in the page');
  assert.deepEqual(seen.tasks.filter((d) => d > 50), [], 'main-thread tasks over 50 ms while the worker trained');
  // The run the page holds is the worker's, bit for bit the CLI's.
  assert.equal(await requestWeightsHash(page), cliHash(link), 'the page and the CLI trained the same weights');
  assert.deepEqual(errors, []);
  await page.close();
});

test('with ?driver=worker every CPU run trains in the worker; pausing calls it back and the bits stay the CLI’s', { timeout: 600_000 }, async () => {
  const STEPS = 20_000;
  const link = withKey(withKey(gradlab('link', 'spiral').trim(), 'backend', 'cpu'), 'run', String(STEPS));
  const { page, errors } = await openPageAt(browser(), `${URL_BASE}?driver=worker${link}`);
  const step = async () => Number(await page.getByTestId('step-count').textContent());
  // Paused mid-run: the worker's last state is the page's, and the badge is back.
  await page.waitForFunction(() => document.querySelector('[data-testid=backend-badge]')?.dataset.where === 'worker', null, {
    timeout: 60_000,
    polling: 50,
  });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]')?.textContent) > 1000, null, {
    timeout: 120_000,
    polling: 50,
  });
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') === 'false' &&
      document.querySelector('[data-testid=backend-badge]')?.dataset.where === 'page',
    null,
    { timeout: 30_000, polling: 50 },
  );
  const paused = await step();
  assert.ok(paused > 1000 && paused < STEPS, `paused at step ${paused}`);
  await page.waitForTimeout(500);
  assert.equal(await step(), paused, 'nothing trains while paused');
  // One step in the page, then on to the end in the worker.
  await page.getByTestId('step-button').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=step-count]')?.textContent === String(n), paused + 1);
  await page.getByTestId('train-toggle').click();
  await waitStoppedAt(page, STEPS, 300_000);
  assert.equal(await requestWeightsHash(page), cliHash(link), 'the page and the CLI trained the same weights');
  assert.deepEqual(errors, []);
  await page.close();
});

/** Records, from the page's start, its main-thread long tasks and the frames at which
 * the backend panel was in each state (`probing`, `ready`, `timing`). */
async function watchBackendStates(page) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries())).observe({
      type: 'longtask',
      buffered: true,
    });
    window.__states = [];
    const tick = (now) => {
      const state = document.querySelector('.backend')?.dataset.state;
      if (state) window.__states.push([now, state]);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

test('opening a CPU run with long steps: its first evaluation and its auto timing run in the worker, the page stays free', { timeout: 600_000 }, async () => {
  // The shakespeare-char GPT with the auto backend: the page evaluates its step 0 (about
  // a second of the page's CPU when done there) and times it on both backends.
  const page = await browser().newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await watchBackendStates(page);
  const link = withKey(gradlab('link', 'shakespeare-char').trim(), 'backend', 'auto');
  await page.goto(`${URL_BASE}?driver=worker${link}`);
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready' && window.__states.some(([, s]) => s === 'timing'),
    null,
    { timeout: 300_000, polling: 100 },
  );
  const seen = await page.evaluate(() => {
    const at = (state) => window.__states.filter(([, s]) => s === state).map(([t]) => t);
    const timing = at('timing');
    const tasks = window.__longTasks.map((e) => [Math.round(e.startTime), Math.round(e.duration)]);
    return {
      probed: at('ready')[0],
      timing: [timing[0], timing[timing.length - 1]],
      tasks,
      worker: { ...window.__gradlabWorker },
      step: document.querySelector('[data-testid=step-count]')?.textContent,
      loss: document.querySelector('[data-testid=train-loss]')?.textContent?.trim(),
      line: document.querySelector('[data-testid=backend-timing]')?.textContent,
    };
  });
  console.log(`# ${seen.line}; main-thread long tasks [start, ms]: ${JSON.stringify(seen.tasks)}; timing ${seen.timing.map(Math.round)} ms`);
  assert.match(seen.line ?? '', /^auto: /, 'the auto backend picked a backend');
  // The worker answered the CPU timing and posted the run with its step-0 point: nothing
  // was trained, and the page shows the loss of step 0.
  assert.ok(seen.worker.timed >= 1, `the worker timed nothing: ${JSON.stringify(seen.worker)}`);
  assert.ok(seen.worker.trained >= 1, 'the worker posted no state (the step-0 evaluation)');
  assert.equal(seen.step, '0');
  assert.ok(seen.loss && seen.loss !== '–', `no step-0 loss shown: ${seen.loss}`);
  // While the page timed the experiment, no main-thread task passed 50 ms (the CPU side
  // took its steps in the worker), and after WebGPU's probe none came near the second
  // the step-0 evaluation takes on this page's main thread.
  const [from, to] = seen.timing;
  const during = seen.tasks.filter(([t]) => t >= from && t <= to).map(([, d]) => d);
  assert.deepEqual(during.filter((d) => d > 50), [], 'main-thread tasks over 50 ms while the page timed the experiment');
  const after = seen.tasks.filter(([t]) => t >= seen.probed).map(([, d]) => d);
  assert.deepEqual(after.filter((d) => d >= 300), [], 'a main-thread task of 300 ms or more after the probe');
  assert.deepEqual(errors, []);
  await page.close();
});
