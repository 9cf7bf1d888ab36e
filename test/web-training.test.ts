import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openPage, screenshot, useServerAndBrowser } from './support/web-harness.js';
import { addressQuery } from './support/web-page.js';
import { FIRST_RUN } from './support/web-runs.js';

// The training view in a real browser, over a runs folder of two epochs: the loss chart and
// table, the sample grids scrubbed with the slider, downloads, and a run that grows while the
// page is open.

const web = useServerAndBrowser();

/** The sample grid on show once loaded: its epoch (from its address) and alt text. */
async function shownSample(page: Page, epoch: number) {
  await page.waitForFunction((wanted) => {
    const image = document.querySelector<HTMLImageElement>('#sample-image');
    return image?.src.endsWith(`/samples/${wanted}.png`) && image.complete && image.naturalWidth;
  }, epoch);
  return page.$eval('#sample-image', (image) => ({
    alt: (image as HTMLImageElement).alt,
    width: (image as HTMLImageElement).naturalWidth,
  }));
}

function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('#loss-table tbody tr', (rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '')),
  );
}

test('shows the run: summary, loss chart and table, the newest sample grid', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=training`,
  );

  const sample = await shownSample(page, 2);
  assert.equal(sample.alt, 'Digits drawn after epoch 2 of run first-run');
  assert.equal(sample.width, 122);
  assert.deepEqual(
    await page.$$eval('#run option', (options) =>
      options.map((o) => (o as HTMLOptionElement).value),
    ),
    [FIRST_RUN],
  );
  assert.equal(addressQuery(page).get('run'), FIRST_RUN);
  assert.match((await page.textContent('#run-summary')) ?? '', /^2 epochs, the last one written/);
  await page.waitForSelector('#run-live:has-text("Connected")');
  assert.equal(await page.isHidden('#settings'), true);

  assert.equal(await page.locator('#loss-chart canvas').count(), 1);
  assert.equal(
    await page.getAttribute('#loss-chart', 'aria-label'),
    'Line chart of the discriminator and generator losses over 2 epochs',
  );
  await page.click('#panel-training summary');
  assert.deepEqual(await tableRows(page), [
    ['1', '1.5', '1.8', '12.5'],
    ['2', '1.25', '1.3', '12.5'],
  ]);
  assert.equal(await page.textContent('#sample-epoch-value'), 'epoch 2 of 2');
  await screenshot(page, 'web-training-desktop.png');

  assert.deepEqual(problems, []);
  await close();
});

test('the slider and the thumbnails scrub through the epochs; a grid downloads', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=training`,
  );
  await shownSample(page, 2);

  await page.fill('#sample-epoch', '0');
  assert.equal((await shownSample(page, 1)).alt, 'Digits drawn after epoch 1 of run first-run');
  assert.equal(await page.getAttribute('#sample-epoch', 'aria-valuetext'), 'epoch 1 of 2');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#download-sample'),
  ]);
  assert.equal(download.suggestedFilename(), 'mnist-gan-first-run-epoch-1.png');
  assert.deepEqual(readFileSync((await download.path())!), web.server.runs.sampleOf(1));

  await page.click('#sample-strip img[data-epoch="2"]');
  await shownSample(page, 2);
  assert.equal(await page.inputValue('#sample-epoch'), '1');

  assert.deepEqual(problems, []);
  await close();
});

test('a new epoch appears while the page is open; a grid picked by hand stays', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?view=training`,
  );
  await shownSample(page, 2);
  await page.waitForSelector('#run-live:has-text("Connected")');

  // Training finishes epoch 3: the page, showing the newest grid, follows to it.
  web.server.runs.addEpoch(FIRST_RUN, 3);
  await shownSample(page, 3);
  assert.match((await page.textContent('#run-summary')) ?? '', /^3 epochs/);
  assert.equal(await page.getAttribute('#sample-epoch', 'max'), '2');
  assert.equal((await tableRows(page)).length, 3);
  await page.waitForSelector('#training-status:has-text("Epoch 3 finished")');

  // Someone looking at epoch 1 keeps looking at it when epoch 4 arrives.
  await page.fill('#sample-epoch', '0');
  await shownSample(page, 1);
  web.server.runs.addEpoch(FIRST_RUN, 4);
  await page.waitForSelector('#run-summary:has-text("4 epochs")');
  await shownSample(page, 1);
  assert.equal(await page.textContent('#sample-epoch-value'), 'epoch 1 of 4');

  // Leaving the view hangs up the event stream.
  const hungUp = page.waitForEvent('requestfailed', (request) =>
    request.url().endsWith(`/runs/${FIRST_RUN}/events`),
  );
  await page.click('#tab-gallery');
  await hungUp;

  assert.deepEqual(problems, []);
  await close();
});

test('without runs on the server the view says how to get one', async () => {
  const { page, problems, close } = await openPage(web.browser, `${web.server.baseUrl}/?seed=1`);
  await page.route('**/runs', (route) => route.fulfill({ json: { runs: [] } }));

  await page.click('#tab-training');
  await page.waitForSelector('#no-runs:visible');
  assert.match((await page.textContent('#no-runs')) ?? '', /No training runs here/);
  assert.equal(await page.isHidden('#run-view'), true);

  assert.deepEqual(problems, []);
  await close();
});
