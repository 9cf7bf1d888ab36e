import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openPage, screenshot, useServerAndBrowser } from './support/web-harness.js';
import { addressQuery, shownDigits } from './support/web-page.js';

// The gallery in a real browser: drawing digits, choosing model, digit, count and seed,
// sharing the address, copying it and downloading PNGs, as a person does with the mouse.
// (Keyboard use, accessibility and languages: web-access.test.ts.)

const web = useServerAndBrowser();

test('the front end imports no server code: web/src reaches only itself and npm packages', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : [path];
    });
  const webSources = join(import.meta.dirname, '..', 'web', 'src');
  for (const file of sources(webSources).filter((path) => path.endsWith('.ts'))) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const specifier of imports) {
      const inside = specifier.startsWith('./') || /^\.\.\/[a-z-]+$/.test(specifier);
      const isPackage = !specifier.startsWith('.');
      assert.ok(inside || isPackage, `${file} imports ${specifier}, outside web/src`);
    }
  }
});

describe('the gallery', () => {
  test('opens with 16 digits of the default model from the seed in the address', async () => {
    const { page, problems, close } = await openPage(
      web.browser,
      `${web.server.baseUrl}/?seed=500`,
    );

    const digits = await shownDigits(page, { count: 16, firstSeed: 500 });
    assert.equal(digits[0].seed, 'seed 500');
    assert.equal(digits[15].seed, 'seed 515');
    assert.match(digits[0].digit ?? '', /^\d$/);
    assert.equal(digits[0].alt, `Generated digit ${digits[0].digit}, seed 500`);
    assert.equal(await page.inputValue('#model'), 'cdcgan');
    const query = addressQuery(page);
    assert.equal(query.get('model'), 'cdcgan');
    assert.equal(query.get('seed'), '500');
    assert.equal(query.get('n'), '16');
    // Each digit is drawn at 112 pixels and shown with its pixels kept square.
    const rendering = await page.$eval('#gallery img', (image) => ({
      width: (image as HTMLImageElement).naturalWidth,
      css: getComputedStyle(image).imageRendering,
    }));
    assert.deepEqual(rendering, { width: 112, css: 'pixelated' });
    await screenshot(page, 'web-gallery-desktop.png');

    assert.deepEqual(problems, []);
    await close();
  });

  test('shows the model figures from its manifest: epochs, FD and accuracy', async () => {
    const { page, problems, close } = await openPage(web.browser, `${web.server.baseUrl}/?seed=1`);
    await shownDigits(page);

    const figures = await page.$$eval('#figures div', (rows) =>
      rows.map((row) => [
        row.querySelector('dt')!.textContent,
        row.querySelector('dd')!.textContent,
      ]),
    );
    assert.deepEqual(figures, [
      ['Epochs', 'untrained'],
      ['Parameters', figures[1][1]],
      ['FD', '12.35'],
      ['Accuracy', '97.3%'],
    ]);
    assert.match(figures[1][1]!, /^\d{1,3}(,\d{3})+$/);

    // seed-mlp has no evaluation, and no accuracy: it draws no digit on request.
    await page.selectOption('#model', 'seed-mlp');
    await shownDigits(page, { firstSeed: 1 });
    const mlp = await page.$$eval('#figures dd', (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(mlp, ['untrained', '114,800', 'not measured']);

    assert.deepEqual(problems, []);
    await close();
  });

  test('a typed seed and Enter draw from it; New digits, ‹ and › move on', async () => {
    const { page, problems, close } = await openPage(
      web.browser,
      `${web.server.baseUrl}/?seed=1&n=4`,
    );
    await shownDigits(page, { count: 4, firstSeed: 1 });

    await page.fill('#seed', '4294967294');
    await page.press('#seed', 'Enter');
    const wrapped = await shownDigits(page, { count: 4, firstSeed: 4294967294 });
    // Seeds wrap after 4294967295, as the API does.
    assert.deepEqual(
      wrapped.map((digit) => digit.seed),
      ['seed 4294967294', 'seed 4294967295', 'seed 0', 'seed 1'],
    );
    assert.equal(addressQuery(page).get('seed'), '4294967294');

    await page.click('#next-seeds');
    await shownDigits(page, { firstSeed: 2 });
    assert.equal(await page.inputValue('#seed'), '2');
    await page.click('#previous-seeds');
    await shownDigits(page, { firstSeed: 4294967294 });

    await page.click('#new-digits');
    await page.waitForFunction(() => !location.search.includes('seed=4294967294'));
    const seed = Number(addressQuery(page).get('seed'));
    await shownDigits(page, { firstSeed: seed });
    assert.equal(await page.inputValue('#seed'), String(seed));

    assert.deepEqual(problems, []);
    await close();
  });

  test('the count slider sets how many; a digit chip makes every one that digit', async () => {
    const { page, problems, close } = await openPage(
      web.browser,
      `${web.server.baseUrl}/?seed=9&n=4`,
    );
    await shownDigits(page, { count: 4 });

    await page.fill('#count', '64');
    assert.equal(await page.textContent('#count-value'), '64');
    assert.equal((await shownDigits(page, { count: 64 })).length, 64);
    assert.equal(addressQuery(page).get('n'), '64');
    await page.fill('#count', '1');
    await shownDigits(page, { count: 1 });

    await page.click('.chip:has-text("7")');
    await page.waitForFunction(() => location.search.includes('digit=7'));
    const sevens = await shownDigits(page, { count: 1 });
    assert.equal(sevens[0].alt, 'Generated digit 7, seed 9');
    assert.equal(sevens[0].digit, '7');
    assert.match(sevens[0].download, /[?&]digit=7/);

    // An unconditional model takes no digit: the chips are disabled and the digit dropped.
    await page.selectOption('#model', 'seed-mlp');
    await page.waitForFunction(() => !location.search.includes('digit='));
    const plain = await shownDigits(page, { count: 1 });
    assert.equal(plain[0].alt, 'Generated digit, seed 9');
    assert.equal(plain[0].digit, null);
    assert.equal(await page.isDisabled('.chip input[value="3"]'), true);
    assert.equal(await page.isVisible('#digit-disabled'), true);

    assert.deepEqual(problems, []);
    await close();
  });

  test('a shared address restores model, digit, count, seed and view: same images', async () => {
    const shared = `${web.server.baseUrl}/?view=gallery&model=cdcgan&digit=3&n=5&seed=1000`;
    const { page, problems, close } = await openPage(web.browser, shared);

    const digits = await shownDigits(page, { count: 5, firstSeed: 1000 });
    assert.equal(await page.inputValue('#model'), 'cdcgan');
    assert.equal(await page.isChecked('.chip input[value="3"]'), true);
    assert.equal(await page.inputValue('#count'), '5');
    assert.equal(await page.inputValue('#seed'), '1000');
    assert.equal(await page.getAttribute('#tab-gallery', 'aria-selected'), 'true');

    const api = await fetch(`${web.server.baseUrl}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 5, seed: 1000, model: 'cdcgan', digit: 3, scale: 4 }),
    });
    const { images } = (await api.json()) as { images: { image: string }[] };
    assert.deepEqual(
      digits.map((digit) => digit.src),
      images.map((image) => image.image),
    );

    // Copy link puts this very address on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#copy-link');
    await page.waitForSelector('#copy-note:has-text("Link copied")');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());

    assert.deepEqual(problems, []);
    await close();
  });

  test('an address with an unknown model or a wrong count falls back to defaults', async () => {
    const url = `${web.server.baseUrl}/?model=nonsense&n=1000&seed=abc&digit=12&view=elsewhere`;
    const { page, problems, close } = await openPage(web.browser, url);

    await shownDigits(page, { count: 16 });
    const query = addressQuery(page);
    assert.equal(query.get('model'), 'cdcgan');
    assert.equal(query.get('n'), '16');
    assert.equal(query.get('view'), 'gallery');
    assert.equal(query.get('digit'), null);
    assert.match(query.get('seed') ?? '', /^\d+$/);

    assert.deepEqual(problems, []);
    await close();
  });

  test('downloads one digit and the whole grid as the PNGs the API draws', async () => {
    const { page, problems, close } = await openPage(
      web.browser,
      `${web.server.baseUrl}/?seed=42&n=4`,
    );
    await shownDigits(page, { count: 4, firstSeed: 42 });

    const [one] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#gallery li:nth-child(2) a.download'),
    ]);
    assert.equal(one.suggestedFilename(), 'mnist-gan-cdcgan-seed-43.png');
    const expected = await fetch(`${web.server.baseUrl}/generate?seed=43&scale=8&model=cdcgan`);
    assert.deepEqual(readFileSync((await one.path())!), Buffer.from(await expected.arrayBuffer()));

    const [grid] = await Promise.all([page.waitForEvent('download'), page.click('#download-grid')]);
    assert.equal(grid.suggestedFilename(), 'mnist-gan-cdcgan-seeds-42-45.png');
    const gridUrl = `${web.server.baseUrl}/generate/grid?n=4&columns=2&seed=42&scale=4&model=cdcgan`;
    const expectedGrid = Buffer.from(await (await fetch(gridUrl)).arrayBuffer());
    assert.deepEqual(readFileSync((await grid.path())!), expectedGrid);

    assert.deepEqual(problems, []);
    await close();
  });
});
