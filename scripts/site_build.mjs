// Finishes the static site trunk built: trunk runs this as its post-build hook
// (Trunk.toml) on the staging folder; `make dist` runs it again with --check on dist/.
//
//   node scripts/site_build.mjs [DIR]          finish DIR (default: $TRUNK_STAGING_DIR)
//   node scripts/site_build.mjs --check DIR    verify a finished DIR, change nothing
//
// Finishing a folder:
// 1. checks that every URL index.html loads is relative (no leading "/", no other
//    host), so the folder works at a domain's root and under any subpath;
// 2. pins the boot script by content (`www/boot.js?v=<hash>`): the only script with a
//    fixed name, it must never come from another build's cache;
// 3. stamps the build's version (a hash of every file) into index.html as
//    <meta name="gradlab-build">;
// 4. writes sw.js: `const BUILD = { version, files: [{ url, integrity }] }` followed by
//    the service worker's template www/sw.js. Every file of the folder is listed, so the
//    app, its data files, icons and any lesson files are cached on the first visit.
// Running it again on a finished folder (a rebuild, or a test making a new build)
// gives the same result for the same files.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const TEMPLATE = path.join(ROOT, 'www/sw.js');
const WORKER = 'sw.js';
const BOOT = 'www/boot.js';
const BUILD_META = /\s*<meta name="gradlab-build" content="[^"]*"\s*\/?>/g;

/** Every file under `dir` (no dot-files), as sorted paths relative to it with "/". */
export function listFiles(dir, sub = '') {
  const out = [];
  for (const name of readdirSync(path.join(dir, sub))) {
    if (name.startsWith('.')) continue;
    const rel = sub ? `${sub}/${name}` : name;
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

const sha256 = (bytes) => createHash('sha256').update(bytes);

/** Every URL an element of `html` loads (src, href, and the boot tag's data-js/data-wasm). */
export function loadedUrls(html) {
  return [...html.matchAll(/\s(?:src|href|data-js|data-wasm)="([^"]*)"/g)].map((m) => m[1]);
}

/** The URLs of `html` that would break under a subpath: absolute paths or other hosts. */
export function nonRelativeUrls(html) {
  const otherHost = (u) => /^[a-z][a-z0-9+.-]*:/i.test(u) && !u.startsWith('data:');
  return loadedUrls(html).filter((u) => u.startsWith('/') || otherHost(u));
}

/** index.html with the boot script pinned to `bootHash` and no build stamp. */
function pinBoot(html, bootHash) {
  const pinned = html.replace(
    /(src="(?:\.\/)?www\/boot\.js)(?:\?v=[0-9a-f]*)?"/,
    `$1?v=${bootHash}"`,
  );
  if (pinned === html && !html.includes(`boot.js?v=${bootHash}"`)) {
    throw new Error(`index.html does not load ${BOOT}: pattern_script in Trunk.toml changed?`);
  }
  return pinned.replace(BUILD_META, '');
}

/** The finished index.html, sw.js and version for the folder `dir`. */
export function finish(dir) {
  const indexPath = path.join(dir, 'index.html');
  const bad = nonRelativeUrls(readFileSync(indexPath, 'utf8'));
  if (bad.length > 0) {
    throw new Error(`index.html loads URLs that are not relative: ${bad.join(', ')}`);
  }
  const bootHash = sha256(readFileSync(path.join(dir, BOOT))).digest('hex').slice(0, 16);
  const unstamped = pinBoot(readFileSync(indexPath, 'utf8'), bootHash);
  const files = listFiles(dir).filter((f) => f !== WORKER);
  // The version covers every file, index.html as it is before the stamp, and the worker's
  // code: a changed worker is a new build too, with a cache of its own.
  const template = readFileSync(TEMPLATE, 'utf8');
  const whole = createHash('sha256');
  whole.update(`${WORKER}\0${sha256(template).digest('hex')}\n`);
  for (const f of files) {
    const bytes = f === 'index.html' ? Buffer.from(unstamped) : readFileSync(path.join(dir, f));
    whole.update(`${f}\0${sha256(bytes).digest('hex')}\n`);
  }
  const version = whole.digest('hex').slice(0, 20);
  const index = unstamped.replace(
    /(<meta charset="utf-8"\s*\/?>)/,
    `$1\n    <meta name="gradlab-build" content="${version}" />`,
  );
  if (!index.includes(version)) throw new Error('index.html has no <meta charset="utf-8" />');
  const entries = files.map((f) => {
    const bytes = f === 'index.html' ? Buffer.from(index) : readFileSync(path.join(dir, f));
    const url = f === BOOT ? `${f}?v=${bootHash}` : f;
    return { url, integrity: `sha256-${sha256(bytes).digest('base64')}`, bytes: bytes.length };
  });
  const build = { version, files: entries.map(({ url, integrity }) => ({ url, integrity })) };
  const worker =
    `// Written by scripts/site_build.mjs for build ${version}: ${entries.length} files, ` +
    `${entries.reduce((s, e) => s + e.bytes, 0)} bytes. The code below is www/sw.js.\n` +
    `const BUILD = {\n  version: ${JSON.stringify(version)},\n  files: [\n` +
    build.files.map((f) => `    ${JSON.stringify(f)},\n`).join('') +
    `  ],\n};\n\n` +
    template;
  return { index, worker, version, entries };
}

/** The BUILD object (version and files) that the finished folder `dir`'s sw.js holds. */
export function readBuild(dir) {
  const sw = readFileSync(path.join(dir, WORKER), 'utf8');
  const end = sw.indexOf('\n};\n');
  if (!sw.includes('const BUILD = {') || end < 0) throw new Error(`${dir}/${WORKER}: no BUILD`);
  return new Function(`${sw.slice(0, end + 3)}; return BUILD;`)();
}

function main(args) {
  const check = args[0] === '--check';
  const dir = (check ? args[1] : args[0]) ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) throw new Error('usage: node scripts/site_build.mjs [--check] DIR');
  const { index, worker, version, entries } = finish(dir);
  const bytes = entries.reduce((s, e) => s + e.bytes, 0);
  if (check) {
    const stale = [];
    if (readFileSync(path.join(dir, 'index.html'), 'utf8') !== index) stale.push('index.html');
    if (readFileSync(path.join(dir, WORKER), 'utf8') !== worker) stale.push(WORKER);
    if (stale.length > 0) throw new Error(`${dir}: ${stale.join(' and ')} not up to date with the files`);
    console.log(`site: ${dir} checked: build ${version}, ${entries.length} files (${bytes} bytes), every URL relative`);
    return;
  }
  writeFileSync(path.join(dir, 'index.html'), index);
  writeFileSync(path.join(dir, WORKER), worker);
  console.log(`site: build ${version}: sw.js caches ${entries.length} files (${bytes} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`site_build: ${err.message}`);
    process.exit(1);
  }
}
