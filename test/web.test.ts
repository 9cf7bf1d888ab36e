import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { buildApp } from '../src/serve/app.js';
import { ModelRegistry } from '../src/serve/model-registry.js';
import { writeUntrainedModel, type TestModel } from './support/server-model.js';

/** Debian's Chromium; playwright-core ships no browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(import.meta.dirname, '..', 'test-results', 'web-home.png');

let model: TestModel;
let generator: Generator;
let app: FastifyInstance;
let baseUrl: string;
let browser: Browser | undefined;

before(async () => {
  await useBackend('wasm');
  model = writeUntrainedModel();
  generator = Generator.load(model.dir);
  app = await buildApp({ registry: new ModelRegistry([generator]), corsOrigins: [] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await browser?.close();
  await app.close();
  generator.dispose();
  model.remove();
});

/** Everything that went wrong in the page: console errors, uncaught exceptions, failed requests. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** The digit on show once its image has loaded and its seed is a number. */
async function shownDigit(page: Page, notSeed = '') {
  await page.waitForFunction((previous) => {
    const image = document.querySelector<HTMLImageElement>('#digit');
    const seed = document.querySelector('#seed')?.textContent ?? '';
    const loaded = image !== null && image.complete && image.naturalWidth > 0;
    return loaded && /^\d+$/.test(seed) && seed !== previous;
  }, notSeed);
  return page.evaluate(() => {
    const image = document.querySelector<HTMLImageElement>('#digit')!;
    return {
      src: image.src,
      naturalWidth: image.naturalWidth,
      seed: document.querySelector('#seed')!.textContent ?? '',
    };
  });
}

test('the page shows a digit and seed, Generate draws another, /?seed=42 redraws 42', async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `the browser test needs Chromium at ${CHROMIUM}: install it with "apt-get install chromium"`,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const problems = watchForProblems(page);

  // The home page draws a random digit at scale 10 as soon as it opens.
  await page.goto(`${baseUrl}/`);
  const first = await shownDigit(page);
  assert.equal(first.naturalWidth, 280);

  // Generate shows a new digit and keeps its seed in the address bar.
  await page.click('#generate');
  const second = await shownDigit(page, first.seed);
  assert.notEqual(second.seed, first.seed);
  assert.ok(second.src !== first.src, 'Generate left the same image on show');
  assert.equal(new URL(page.url()).search, `?seed=${second.seed}`);
  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // A shared address with a seed redraws exactly that digit, through GET /generate.
  const imageResponse = page.waitForResponse((response) => {
    const url = new URL(response.url());
    return url.pathname === '/generate' && url.searchParams.get('seed') === '42';
  });
  await page.goto(`${baseUrl}/?seed=42`);
  const shared = await shownDigit(page);
  assert.equal(shared.seed, '42');
  const src = new URL(shared.src);
  assert.equal(src.pathname, '/generate');
  assert.equal(src.searchParams.get('seed'), '42');
  const api = await fetch(`${baseUrl}/generate?seed=42&scale=10`);
  assert.deepEqual(await (await imageResponse).body(), Buffer.from(await api.arrayBuffer()));

  assert.deepEqual(problems, []);
});
