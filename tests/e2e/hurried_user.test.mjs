// A hurried user: a reload in the middle of a run comes back to a working page (its
// saved run is offered; discarded, its link replays to the step it held, and play
// trains again), and play pressed twice quickly is a play and a pause, with nothing
// left running behind the button.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile,
  chooseBackend,
  choosePreset,
  gradlab,
  openPage,
  readNumber,
  withKey,
} from './helpers.mjs';

const browser = browserForFile();

/** The step counter, as a number. */
const steps = (page) => readNumber(page, 'step-count');

/** Waits until the step counter passes `n`. */
async function waitStepsPast(page, n, timeout = 60_000) {
  await page.waitForFunction(
    (m) => Number(document.querySelector('[data-testid=step-count]')?.textContent) > m,
    n,
    { timeout, polling: 50 },
  );
}

test('a reload mid-run comes back working, at the step its link held', { timeout: 240_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'xor');
  await page.getByTestId('train-toggle').click();
  // Mid-run: the address bar's link (published with each readback) has moved on.
  await page.waitForFunction(
    () => Number(new URLSearchParams(location.hash.slice(1)).get('run')) > 30,
    null,
    { timeout: 60_000, polling: 20 },
  );
  // Reload while training; the address bar's link at that moment is what comes back.
  // (Noted and reloaded in one task, so the page cannot move the link in between.)
  await page.evaluate(() =>
    setTimeout(() => {
      sessionStorage.setItem('held', new URLSearchParams(location.hash.slice(1)).get('run'));
      location.reload();
    }, 0),
  );
  await page.waitForEvent('load');
  await page.getByTestId('step-count').waitFor({ timeout: 30_000 });
  const held = Number(await page.evaluate(() => sessionStorage.getItem('held')));
  assert.ok(held > 0, `the link held run=${held}`);
  // The run was saved as the page was left: the page offers it first and holds the
  // link's replay back (resume.test.mjs takes the offer); discarding it starts the replay.
  const offer = page.getByTestId('resume-offer');
  await offer.waitFor({ timeout: 30_000 });
  assert.ok(Number(await offer.getAttribute('data-step')) > 0, 'the offer is of a run that had trained');
  await page.getByTestId('resume-discard').click();
  await page.waitForFunction(
    () => document.querySelector('.backend')?.dataset.state === 'ready',
    null,
    { timeout: 90_000 },
  );
  // The replay trains to the link's step and stops there.
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=step-count]')?.textContent === String(n) &&
      document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') === 'false' &&
      document.querySelector('[data-testid=train-loss]')?.textContent?.trim() !== '–',
    held,
    { timeout: 120_000, polling: 100 },
  );
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'xor');
  // And play trains again. (A link replays its run=N steps, as the CLI does: its budget
  // is N, so play after the replay starts that run over rather than going past N.)
  // (The run can be over before a poll sees a step: the run counter tells it ran.)
  const replayRun = await page.getByTestId('step-count').getAttribute('data-run');
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(
    (old) => document.querySelector('[data-testid=step-count]')?.dataset.run !== old,
    replayRun,
    { timeout: 30_000, polling: 50 },
  );
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid=step-count]')?.textContent === String(n) &&
      document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') === 'false',
    held,
    { timeout: 120_000, polling: 100 },
  );
  assert.deepEqual(
    errors.filter((e) => !/net::ERR_ABORTED/.test(e)),
    [],
  );
  await page.close();
});

test('play pressed twice quickly plays and pauses; nothing runs behind the button', { timeout: 180_000 }, async () => {
  // A long budget, so the run is still going at every press (a finished run restarts).
  const long = withKey(withKey(gradlab('link', 'circle').trim(), 'budget', 'epochs:4000'), 'backend', 'cpu');
  const { page, errors } = await openPage(browser(), undefined, long);
  const toggle = page.getByTestId('train-toggle');
  await toggle.dblclick();
  await page.waitForTimeout(300);
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false', 'two presses: paused');
  const paused = await steps(page);
  await page.waitForTimeout(700);
  assert.equal(await steps(page), paused, 'paused means no steps');
  // Three quick presses: playing.
  await toggle.click();
  await toggle.click();
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await waitStepsPast(page, paused);
  await toggle.click();
  await page.waitForTimeout(300);
  const stopped = await steps(page);
  await page.waitForTimeout(700);
  assert.equal(await steps(page), stopped, 'training stops at the pause');
  assert.deepEqual(errors, []);
  await page.close();
});

test('play pressed twice quickly on a finished run starts it over once', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage(browser());
  await chooseBackend(page, 'cpu');
  await choosePreset(page, 'xor');
  const toggle = page.getByTestId('train-toggle');
  await toggle.click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=train-toggle]')?.getAttribute('aria-pressed') === 'false',
    null,
    { timeout: 120_000, polling: 100 },
  );
  const total = await steps(page);
  assert.ok(total > 0);
  // Play on a finished run starts a fresh one; a second quick press pauses it.
  await toggle.dblclick();
  await page.waitForTimeout(500);
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.ok((await steps(page)) < total, 'a fresh run, not the finished one');
  // One press trains the fresh run.
  const from = await steps(page);
  await toggle.click();
  await waitStepsPast(page, from);
  await toggle.click();
  assert.deepEqual(errors, []);
  await page.close();
});
