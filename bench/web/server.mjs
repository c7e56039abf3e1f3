// The benchmark's static server: the bench page (target/bench-web/) under /bench/ and
// the lab (dist/) under /lab/, gzip-encoded when the browser accepts it (as a static
// host would: what the lab's first load transfers is then measured as it ships).
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.json', '.webmanifest', '.svg', '.txt', '.tsv', '.csv']);

/** Serves `mounts` ({ '/bench/': folder, ... }) on 127.0.0.1:`port` (0: any free one). */
export async function serve(mounts, port = 0) {
  const gz = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const prefix = Object.keys(mounts).find((p) => url.pathname.startsWith(p));
    if (!prefix) return void res.writeHead(404).end();
    let file = path.join(mounts[prefix], decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(mounts[prefix])) return void res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const ext = path.extname(file);
      let body = readFileSync(file);
      const headers = { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
      if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        if (!gz.has(file)) gz.set(file, gzipSync(body, { level: 9 }));
        body = gz.get(file);
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}
