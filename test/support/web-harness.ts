import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { useBackend } from '../../src/models/backend.js';
import { MANIFEST_FILE } from '../../src/models/model-file.js';
import { buildApp, WEB_DIR } from '../../src/serve/app.js';
import { loadModelFolders, ModelRegistry } from '../../src/serve/model-registry.js';
import { writeModelsFolder, type TestModelsFolder } from './server-models.js';
import { writeRunsFolder, type TestRunsFolder } from './web-runs.js';

/**
 * What the browser tests share: the real server in this process (buildApp, listening on a
 * free port) with the untrained test models and a runs folder, Debian's Chromium driven by
 * playwright-core, a record of everything that goes wrong in a page, and axe-core.
 */

/** Debian's Chromium; playwright-core ships no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots go (gitignored): people look at them, the tests do not compare them. */
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-results');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The figures written into the test cdcgan's manifest, as `mnist-gan evaluate` records them. */
export const CDCGAN_EVALUATION = { frechetDistance: 12.3456, accuracy: { overall: 0.9731 } };

export interface WebServer {
  baseUrl: string;
  runs: TestRunsFolder;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The server with two models (cdcgan, the default, and seed-mlp) and a run folder. */
export async function startWebServer(): Promise<WebServer> {
  assert.ok(
    existsSync(join(WEB_DIR, 'index.html')),
    `the browser tests need the built page in ${WEB_DIR}: run "npm run build"`,
  );
  await useBackend('wasm');
  const models: TestModelsFolder = writeModelsFolder();
  const manifestPath = join(models.root, 'cdcgan', MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, evaluation: CDCGAN_EVALUATION }));
  const loaded = loadModelFolders(models.root, () => {});
  const registry = new ModelRegistry(loaded.map((model) => model.generator));
  const runs = writeRunsFolder();

  const app = await buildApp({ registry, corsOrigins: [], runs: runs.dir });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl,
    runs,
    app,
    async close() {
      await app.close();
      registry.dispose();
      models.remove();
      runs.remove();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `the browser tests need Chromium at ${CHROMIUM}: install it with "apt-get install chromium"`,
  );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface OpenPage {
  page: Page;
  /** Everything that went wrong so far: console errors, uncaught exceptions, failed requests. */
  problems: string[];
  close(): Promise<void>;
}

/** A page in a fresh context (its own language and size), watched for problems. */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = watchForProblems(page);
  await page.goto(url);
  return { page, problems, close: () => context.close() };
}

function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // The training view closes its event stream when it is hidden or the page is left, which
    // the browser reports as an aborted request: that is the page hanging up, not a failure.
    if (error === 'net::ERR_ABORTED' && new URL(request.url()).pathname.endsWith('/events')) {
      return;
    }
    problems.push(`request failed: ${request.url()} (${error})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: the page's CSP refuses inline <script> tags.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target).join(' ')}`);
}

interface AxeResults {
  violations: {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: string[] }[];
  }[];
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

/**
 * A test file's web server and Chromium: started before its tests, stopped after them. The
 * fields are filled in once the `before` hook has run.
 */
export function useServerAndBrowser(): { server: WebServer; browser: Browser } {
  const web = {} as { server: WebServer; browser: Browser };
  before(async () => {
    web.server = await startWebServer();
    web.browser = await launchChromium();
  });
  after(async () => {
    await web.browser?.close();
    await web.server?.close();
  });
  return web;
}
