// scripts/site_build.mjs on small folders shaped like trunk's output (no browser): the
// worker lists every file with its real SRI hash, the version follows any file's bytes,
// finishing twice changes nothing, --check notices a folder changed after its build, and
// a URL that would break under a subpath is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finish, listFiles, nonRelativeUrls, readBuild } from '../../scripts/site_build.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SCRIPT = path.join(ROOT, 'scripts/site_build.mjs');

const INDEX = `<!doctype html>
<html><head>
<meta charset="utf-8" />
<link rel="manifest" href="www/manifest.webmanifest" />
<link rel="stylesheet" href="./style-0123456789abcdef.css" integrity="sha384-x"/>
<script type="module" id="gradlab-boot" src="./www/boot.js" data-js="./gradlab-0123456789abcdef.js" data-wasm="./gradlab-0123456789abcdef_bg.wasm"></script>
</head><body></body></html>
`;

/** A folder like trunk's staging folder before the hook. */
function site(index = INDEX) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gradlab-site-build-'));
  mkdirSync(path.join(dir, 'www/data'), { recursive: true });
  const files = {
    'index.html': index,
    'style-0123456789abcdef.css': 'body{}',
    'gradlab-0123456789abcdef.js': 'export default 1;',
    'gradlab-0123456789abcdef_bg.wasm': '\0asm\x01\0\0\0',
    'www/boot.js': 'import("x");',
    'www/manifest.webmanifest': '{}',
    'www/data/iris.csv': '1,2,3\n',
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

/** Finishes `dir` as the hook does (the script as a program). */
const run = (...args) => execFileSync('node', [SCRIPT, ...args], { encoding: 'utf8', stdio: 'pipe' });

/** The BUILD object written into `dir`/sw.js. */
const buildOf = readBuild;

const sri = (bytes) => `sha256-${createHash('sha256').update(bytes).digest('base64')}`;

test('sw.js lists every file with its hash; the page is stamped and the boot script pinned', () => {
  const dir = site();
  try {
    run(dir);
    const build = buildOf(dir);
    const index = readFileSync(path.join(dir, 'index.html'), 'utf8');
    assert.match(index, new RegExp(`<meta name="gradlab-build" content="${build.version}" />`));
    const boot = createHash('sha256').update(readFileSync(path.join(dir, 'www/boot.js'))).digest('hex');
    assert.ok(index.includes(`src="./www/boot.js?v=${boot.slice(0, 16)}"`), index);
    const files = listFiles(dir).filter((f) => f !== 'sw.js');
    assert.deepEqual(
      build.files.map((f) => f.url.replace(/\?v=.*/, '')),
      files,
      'every file but the worker',
    );
    for (const { url, integrity } of build.files) {
      assert.equal(integrity, sri(readFileSync(path.join(dir, url.replace(/\?v=.*/, '')))), url);
    }
    assert.ok(build.files.some((f) => f.url === `www/boot.js?v=${boot.slice(0, 16)}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('finishing twice changes nothing; any changed byte is a new version that --check notices', () => {
  const dir = site();
  try {
    run(dir);
    const index = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const sw = readFileSync(path.join(dir, 'sw.js'), 'utf8');
    run(dir);
    assert.equal(readFileSync(path.join(dir, 'index.html'), 'utf8'), index);
    assert.equal(readFileSync(path.join(dir, 'sw.js'), 'utf8'), sw);
    run('--check', dir);
    const before = buildOf(dir).version;
    writeFileSync(path.join(dir, 'www/data/iris.csv'), '1,2,4\n');
    assert.throws(() => run('--check', dir), /not up to date/);
    run(dir);
    assert.notEqual(buildOf(dir).version, before);
    // The boot script changed: a new pin, so no cache can pair it with the old page.
    writeFileSync(path.join(dir, 'www/boot.js'), 'import("y");');
    const pinned = readFileSync(path.join(dir, 'index.html'), 'utf8').match(/boot\.js\?v=(\w+)/)[1];
    run(dir);
    const repinned = readFileSync(path.join(dir, 'index.html'), 'utf8').match(/boot\.js\?v=(\w+)/)[1];
    assert.notEqual(repinned, pinned);
    assert.equal((readFileSync(path.join(dir, 'index.html'), 'utf8').match(/gradlab-build/g) ?? []).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a URL that breaks under a subpath is refused by name', () => {
  assert.deepEqual(nonRelativeUrls(INDEX), []);
  const bad = INDEX.replace('href="./style-', 'href="/style-').replace(
    'href="www/manifest',
    'href="https://cdn.example.org/manifest',
  );
  assert.deepEqual(nonRelativeUrls(bad), [
    'https://cdn.example.org/manifest.webmanifest',
    '/style-0123456789abcdef.css',
  ]);
  const dir = site(bad);
  try {
    assert.throws(() => finish(dir), /not relative: https:\/\/cdn\.example\.org\/manifest\.webmanifest, \/style-/);
    assert.throws(() => run(dir), /not relative/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
