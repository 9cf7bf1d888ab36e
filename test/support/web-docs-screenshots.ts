import { join } from 'node:path';
import { useBackend } from '../../src/models/backend.js';
import { buildApp } from '../../src/serve/app.js';
import { loadModelFolders, ModelRegistry } from '../../src/serve/model-registry.js';
import { DESKTOP, launchChromium } from './web-harness.js';

/**
 * Takes the README's screenshots of the page with the shipped models and the training runs in
 * runs/ (read only), after `npm run build`:
 *
 *   npx tsx test/support/web-docs-screenshots.ts
 *
 * writes docs/web-gallery.png (the gallery) and docs/web-training.png (the training view of
 * runs/cdcgan). Seeds are fixed, so the same models give the same pictures.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = [
  { file: 'web-gallery.png', query: '?view=gallery&n=21&seed=7', ready: '#gallery li img' },
  { file: 'web-training.png', query: '?view=training&run=cdcgan', ready: '#loss-chart canvas' },
];

await useBackend('wasm');
const loaded = loadModelFolders(join(ROOT, 'models'), () => {});
const registry = new ModelRegistry(loaded.map((model) => model.generator));
const app = await buildApp({ registry, corsOrigins: [], runs: join(ROOT, 'runs') });
const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
const browser = await launchChromium();
try {
  for (const shot of SHOTS) {
    const page = await browser.newPage({ viewport: DESKTOP, locale: 'en-US' });
    await page.goto(`${baseUrl}/${shot.query}`);
    await page.waitForSelector(shot.ready);
    // Every image loaded, and a moment for the chart and the sample grid to settle.
    await page.waitForFunction(() =>
      [...document.images].every((image) => image.loading === 'lazy' || image.complete),
    );
    await page.waitForTimeout(500);
    const path = join(ROOT, 'docs', shot.file);
    await page.screenshot({ path, fullPage: true });
    console.log(`wrote ${path}`);
    await page.close();
  }
} finally {
  await browser.close();
  await app.close();
  registry.dispose();
}
