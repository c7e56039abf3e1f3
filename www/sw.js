// gradlab's service worker: keeps one build of the app (page, JS glue, wasm, styles,
// boot script, data files, icons, lessons: every file of dist/) for offline use.
//
// This is the template: scripts/site_build.mjs (trunk's post-build hook) writes dist/sw.js
// as `const BUILD = {...}` (the build's version and each file with its SRI hash) followed
// by this file. A new build gives a new sw.js, which the browser notices on the next visit.
//
// - install: every file of the build into the cache `gradlab:<scope>:<version>`, each
//   checked against its hash (a file from another build fails the install, and the
//   previous build stays in use), then take over at once (skipWaiting);
// - activate: delete this scope's caches of other builds; after an update, claim the
//   open pages so their later requests (data files) come from the new build;
// - navigations (the page itself): the network first (revalidated, so a new build is
//   seen at once), the cached page when the network fails or hangs;
// - everything else in scope: the cache, else the network. trunk's JS, wasm and CSS
//   carry a content hash in their names and the boot script a ?v=<hash>, so a page can
//   never pair its JS with another build's wasm: a name the cache lacks goes to the
//   network, never to a look-alike file.
/* global BUILD */

const SCOPE = self.registration.scope;
const CACHE_PREFIX = `gradlab:${SCOPE}:`;
const CACHE = `${CACHE_PREFIX}${BUILD.version}`;
const INDEX = new URL('index.html', SCOPE).href;
// A network that answers nothing for this long counts as offline for the page itself.
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/** Downloads every file of the build into this build's cache, verified; all or nothing. */
async function precache() {
  const cache = await caches.open(CACHE);
  try {
    await Promise.all(
      BUILD.files.map(async ({ url, integrity }) => {
        const href = new URL(url, SCOPE).href;
        // cache 'reload': past the HTTP cache, which may hold another build's copy.
        const response = await fetch(new Request(href, { cache: 'reload', integrity }));
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        await cache.put(href, response);
      }),
    );
  } catch (err) {
    // A partial cache would look like a complete one offline: drop it; the next visit
    // tries again (with the previous build, if any, still serving meanwhile).
    await caches.delete(CACHE);
    throw err;
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const old = names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE);
      await Promise.all(old.map((n) => caches.delete(n)));
      // On the first install the open page already has everything from the network; it
      // is left alone (controlled from its next load). After an update the open pages are
      // claimed, since the caches they used are gone.
      if (old.length > 0) await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  // Partial requests (media seeking) are not in the cache's shape; the network has them.
  if (request.headers.has('range')) return;
  event.respondWith(request.mode === 'navigate' ? navigate(request) : cachedFirst(request));
});

/** A file of the build from the cache, else from the network. */
async function cachedFirst(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request)) ?? fetch(request);
}

/** True for the app's own page: the scope itself or its index.html, any query. */
function isAppPage(url) {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href === SCOPE || u.href === INDEX;
}

/**
 * The page: from the network (revalidated: a new build is taken at once), or from the
 * cache when the network fails, hangs, or answers with a server error.
 */
async function navigate(request) {
  const offline = async () => {
    const cache = await caches.open(CACHE);
    return isAppPage(request.url) ? cache.match(INDEX) : cache.match(request, { ignoreSearch: true });
  };
  let timer;
  const hung = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the network did not answer')), NAVIGATION_TIMEOUT_MS);
  });
  try {
    // A new Request from the URL: Chrome refuses to copy a navigation request with
    // changed options. redirect 'manual', as for the navigation itself.
    const fresh = fetch(request.url, { cache: 'no-cache', redirect: 'manual' });
    fresh.catch(() => {}); // when the timeout wins, a later failure is no news
    const response = await Promise.race([fresh, hung]);
    if (response.status >= 500) return (await offline()) ?? response;
    return response;
  } catch (err) {
    const cached = await offline();
    if (cached) return cached;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
