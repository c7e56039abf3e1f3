// Renders gradlab's PNG icons from their SVG sources in assets/icons/ with the Debian
// Chromium (playwright-core from .tools/), so the PNGs are reproducible from the repo:
//   node scripts/site_icons.mjs
// The PNGs are committed (a build needs no browser); rerun this after editing an SVG.
// tests/site_manifest.rs checks that every icon the manifest names exists at its size.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ICONS = path.join(ROOT, 'assets/icons');
const require = createRequire(import.meta.url);
const { chromium } = require(path.join(ROOT, '.tools/node_modules/playwright-core'));

// [source SVG, output PNG, size in pixels]
const OUTPUTS = [
  ['gradlab.svg', 'favicon-32.png', 32],
  // iOS fills transparency with black: its icon is the full-bleed one.
  ['gradlab-maskable.svg', 'apple-touch-icon-180.png', 180],
  ['gradlab.svg', 'icon-192.png', 192],
  ['gradlab.svg', 'icon-512.png', 512],
  ['gradlab-maskable.svg', 'icon-maskable-192.png', 192],
  ['gradlab-maskable.svg', 'icon-maskable-512.png', 512],
];

const browser = await chromium.launch({
  executablePath: process.env.GRADLAB_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
});
try {
  for (const [svg, png, size] of OUTPUTS) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const source = readFileSync(path.join(ICONS, svg), 'utf8');
    const data = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`;
    // The SVG as an <img> scaled to the viewport, on a transparent page (the rounded
    // corners of gradlab.svg stay transparent in the PNG).
    await page.setContent(
      `<html><body style="margin:0;background:transparent">` +
        `<img src="${data}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    await page.screenshot({ path: path.join(ICONS, png), omitBackground: true });
    await page.close();
    console.log(`assets/icons/${png} (${size}x${size}) from ${svg}`);
  }
} finally {
  await browser.close();
}
