// Where a first visit's page-ready time goes on the main thread: a Chromium trace from
// navigation to the first frame in which the lab is usable (its step button is there and
// the first evaluation's loss is shown, as `site_ready.test.mjs` times it), summed by trace
// event over the page's main thread. Events nest (a `FunctionCall` holds the lazy wasm
// compiles it triggers; `Layout` is inside `UpdateLifecycle`), so the rows overlap; read
// them as where the time sits, not as a partition. A measurement, not part of the test
// suite (its name does not end in .test.mjs). Run it on a built page with
//   GRADLAB_E2E_PORT=8096 bash scripts/e2e.sh tests/e2e/page_load.measure.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserForFile, readyProbe, URL_BASE } from './helpers.mjs';

const browser = browserForFile();

/** First visits traced, each in a fresh context (nothing cached). */
const VISITS = 3;
/** Trace events listed per visit. */
const ROWS = 14;
const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink', 'loading'];

/** Milliseconds by event name on the renderer's main thread between `t0` and `t1` (us). */
function mainThreadTime(events, t0, t1) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
    && events.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'FunctionCall'));
  const by = new Map();
  for (const e of events) {
    if (e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || e.ts < t0 || e.ts > t1) continue;
    by.set(e.name, (by.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
  }
  return by;
}

test('a first visit traced from navigation to page ready', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlab-trace-'));
  for (let i = 0; i < VISITS; i++) {
    const context = await browser().newContext();
    await context.addInitScript(readyProbe);
    const page = await context.newPage();
    const file = path.join(dir, `visit${i}.json`);
    await browser().startTracing(page, { path: file, categories: CATEGORIES });
    await page.goto(URL_BASE);
    const ready = await page.evaluate(() => window.__gradlabReady);
    await browser().stopTracing();
    await context.close();
    const events = JSON.parse(readFileSync(file, 'utf8')).traceEvents;
    const requests = events.filter((e) => e.name === 'ResourceSendRequest').sort((a, b) => a.ts - b.ts);
    assert.ok(requests.length > 0, 'the trace saw the page requested');
    const t0 = requests[0].ts;
    const by = mainThreadTime(events, t0, t0 + ready * 1000);
    // Top-level tasks appear under two nested names; either one counts them once.
    const busy = Math.max(by.get('RunTask') ?? 0, by.get('ThreadControllerImpl::RunTask') ?? 0);
    t.diagnostic(`visit ${i + 1}: ready at ${ready.toFixed(0)} ms, main-thread tasks ${busy.toFixed(0)} ms`);
    const rows = [...by].filter(([n]) => !/RunTask/.test(n)).sort((a, b) => b[1] - a[1]).slice(0, ROWS);
    for (const [name, ms] of rows) t.diagnostic(`  ${ms.toFixed(1).padStart(7)} ms  ${name}`);
    const wasm = requests.find((e) => /\.wasm/.test(e.args?.data?.url ?? ''));
    const done = wasm && events.find((e) => e.name === 'ResourceFinish' && e.args?.data?.requestId === wasm.args.data.requestId);
    if (done) t.diagnostic(`  wasm requested at ${((wasm.ts - t0) / 1000).toFixed(0)} ms, received by ${((done.ts - t0) / 1000).toFixed(0)} ms`);
    assert.ok(ready > 0 && busy > 0, 'a ready time and main-thread work were measured');
  }
});
