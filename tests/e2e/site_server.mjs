// A static file server for the site tests: serves a folder under a path prefix (the
// page hosted at a subpath, nothing at "/"), records every request, can be stopped (the
// network gone) and started again on the same port with another folder (a new build
// deployed). Like a plain static host: correct MIME types, no cache headers.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';

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
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * A server for `root` under `prefix` ("/some/sub/path/"). `start()` listens on `port`
 * (0 picks a free one, kept for later starts); `url` is the page's address; `requests`
 * lists every path asked for, in order; `root` may be changed between stops and starts.
 */
export class SiteServer {
  constructor(root, prefix, port = 0) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`prefix ${prefix}`);
    this.root = root;
    this.prefix = prefix;
    this.port = port;
    this.requests = [];
    this.server = null;
  }

  /** The page's address. */
  get url() {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  /** Starts listening (on the same port as before, after a stop). */
  async start() {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
  }

  /** Stops listening and drops open connections: to the browser, the network is gone. */
  async stop() {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  handle(req, res) {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    this.requests.push(pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(res, 405);
    if (!pathname.startsWith(this.prefix)) return this.send(res, 404);
    let rel = pathname.slice(this.prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(this.root, rel);
    if (!file.startsWith(path.resolve(this.root) + path.sep)) return this.send(res, 404);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return this.send(res, 404);
    }
    if (!stat.isFile()) return this.send(res, 404);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  }

  send(res, status) {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`${status}\n`);
  }
}
