import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openPage, screenshot, useServerAndBrowser } from './support/web-harness.js';
import { addressQuery, shownDigits } from './support/web-page.js';

// The latent walk in a real browser: it loads when its tab is opened, plays back and forth,
// pauses, scrubs, changes speed and ends, and downloads a frame or the whole strip.

const web = useServerAndBrowser();

/** The frame on show once the walk has loaded: its alt text and image. */
async function shownFrame(page: Page, altPattern = '') {
  await page.waitForFunction((pattern) => {
    const image = document.querySelector<HTMLImageElement>('#walk-image');
    return image?.src.startsWith('data:') && image.complete && image.alt.includes(pattern);
  }, altPattern);
  return page.$eval('#walk-image', (image) => ({
    alt: (image as HTMLImageElement).alt,
    src: (image as HTMLImageElement).src,
  }));
}

async function apiWalk(query: string): Promise<string[]> {
  const answer = await fetch(`${web.server.baseUrl}/interpolate?${query}&format=json`);
  return ((await answer.json()) as { frames: string[] }).frames;
}

test('the walk loads only when its tab is opened, and shows the frames the API draws', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?model=cdcgan&digit=4&from=10&to=20&steps=6&fps=30&seed=1`,
  );
  const walkRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/interpolate')) walkRequests.push(request.url());
  });
  await shownDigits(page);
  assert.deepEqual(walkRequests, []);

  await page.click('#tab-walk');
  assert.equal(addressQuery(page).get('view'), 'walk');
  assert.equal(await page.isVisible('#panel-walk'), true);
  assert.equal(await page.isVisible('#panel-gallery'), false);
  const frame = await shownFrame(page, 'of 6 of the walk from seed 10 to seed 20');
  assert.equal(walkRequests.length, 1);

  const frames = await apiWalk('from=10&to=20&steps=6&scale=10&model=cdcgan&digit=4');
  assert.ok(frames.includes(frame.src), 'the frame on show is one of the API walk frames');
  assert.equal(await page.$$eval('#walk-strip img', (images) => images.length), 6);
  assert.equal(await page.getAttribute('#walk-frame', 'max'), '5');
  await screenshot(page, 'web-walk-desktop.png');

  assert.deepEqual(problems, []);
  await close();
});

test('the walk plays by itself, Pause holds a frame, the slider scrubs, speed is set', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=walk&model=seed-mlp&from=5&to=6&steps=8&fps=30`,
  );
  await shownFrame(page);
  assert.equal(await page.textContent('#walk-play'), 'Pause');

  // At 30 frames a second, half a second shows several different frames.
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    seen.add(await page.getAttribute('#walk-image', 'alt').then(String));
    await page.waitForTimeout(50);
  }
  assert.ok(seen.size >= 3, `only ${seen.size} frames in half a second: ${[...seen]}`);

  await page.click('#walk-play');
  assert.equal(await page.textContent('#walk-play'), 'Play');
  const held = await page.getAttribute('#walk-image', 'alt');
  await page.waitForTimeout(300);
  assert.equal(await page.getAttribute('#walk-image', 'alt'), held);

  await page.fill('#walk-frame', '7');
  const last = await shownFrame(page, 'Frame 8 of 8');
  const frames = await apiWalk('from=5&to=6&steps=8&scale=10&model=seed-mlp');
  assert.equal(last.src, frames[7]);
  assert.equal(await page.getAttribute('#walk-frame', 'aria-valuetext'), 'frame 8 of 8');

  await page.fill('#walk-speed', '5');
  assert.equal(await page.textContent('#walk-speed-value'), '5 fps');
  assert.equal(addressQuery(page).get('fps'), '5');

  assert.deepEqual(problems, []);
  await close();
});

test('typing new ends and Enter walks between them; Random seeds picks two', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=walk&model=seed-mlp&from=1&to=2&steps=4`,
  );
  await shownFrame(page, 'from seed 1 to seed 2');

  await page.fill('#walk-to', '99');
  await page.press('#walk-to', 'Enter');
  await shownFrame(page, 'from seed 1 to seed 99');
  assert.equal(addressQuery(page).get('to'), '99');

  await page.fill('#walk-steps', '12');
  await page.waitForFunction(() => document.querySelectorAll('#walk-strip img').length === 12);
  assert.equal(addressQuery(page).get('steps'), '12');

  await page.click('#walk-random');
  await page.waitForFunction(() => !location.search.includes('to=99'));
  const query = addressQuery(page);
  await shownFrame(page, `from seed ${query.get('from')} to seed ${query.get('to')}`);

  assert.deepEqual(problems, []);
  await close();
});

test('downloads the frame on show and the strip of all frames', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=walk&model=cdcgan&digit=2&from=3&to=4&steps=5`,
  );
  await shownFrame(page);
  await page.click('#walk-play');
  await page.fill('#walk-frame', '2');
  const frame = await shownFrame(page, 'Frame 3 of 5');

  const [one] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#walk-download-frame'),
  ]);
  assert.equal(one.suggestedFilename(), 'mnist-gan-walk-3-4-frame-3.png');
  const framePng = Buffer.from(frame.src.slice(frame.src.indexOf(',') + 1), 'base64');
  assert.deepEqual(readFileSync((await one.path())!), framePng);

  const [strip] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#walk-download-strip'),
  ]);
  assert.equal(strip.suggestedFilename(), 'mnist-gan-walk-3-4.png');
  const api = await fetch(
    `${web.server.baseUrl}/interpolate?from=3&to=4&steps=5&scale=4&model=cdcgan&digit=2`,
  );
  assert.deepEqual(readFileSync((await strip.path())!), Buffer.from(await api.arrayBuffer()));

  assert.deepEqual(problems, []);
  await close();
});
