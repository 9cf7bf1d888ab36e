import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  openPage,
  PHONE,
  screenshot,
  seriousAccessibilityProblems,
  useServerAndBrowser,
} from './support/web-harness.js';
import { addressQuery, focusedName, shownDigits, tabTo } from './support/web-page.js';

// The page for everyone: every feature reached with the keyboard alone, no serious or
// critical axe-core finding in any view, a phone-sized screen, English and Spanish.

const web = useServerAndBrowser();

/** Presses Shift+Tab until `name` has the focus. */
async function tabBackTo(page: Page, name: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Shift+Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`"${name}" never got the focus in ${limit} presses of Shift+Tab`);
}

test('the gallery works from the keyboard alone, in a sensible focus order', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?seed=100&n=4`,
  );
  await shownDigits(page, { count: 4, firstSeed: 100 });
  assert.equal(await page.textContent('#gallery-status'), '4 new digits, seeds 100 to 103');

  const order: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    order.push(await focusedName(page));
  }
  assert.deepEqual(order, ['English', 'Español', 'Gallery', 'Model', 'Any']);
  // The radio itself is invisible: its chip shows where the focus is.
  const chipOutline = await page.$eval(
    '.chip input:focus-visible + span',
    (chip) => getComputedStyle(chip).outlineStyle,
  );
  assert.equal(chipOutline, 'solid');

  // Arrow keys move through the digit chips, as in any radio group.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => location.search.includes('digit=1'));
  assert.equal((await shownDigits(page, { count: 4 }))[0].digit, '1');

  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'How many');
  await page.keyboard.press('ArrowRight');
  assert.equal((await shownDigits(page, { count: 5 })).length, 5);

  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'First seed');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2024');
  await page.keyboard.press('Enter');
  await shownDigits(page, { count: 5, firstSeed: 2024 });
  await page.waitForSelector('#gallery-status:has-text("5 new digits, seeds 2024 to 2028")');

  await tabTo(page, 'Next seeds');
  await page.keyboard.press('Enter');
  await shownDigits(page, { firstSeed: 2029 });
  await tabBackTo(page, 'New digits');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !location.search.includes('seed=2029'));

  await tabTo(page, 'Next seeds');
  await page.keyboard.press('Tab');
  const seed = addressQuery(page).get('seed');
  assert.equal(await focusedName(page), `Download seed ${seed}`);

  assert.deepEqual(problems, []);
  await close();
});

test('the walk and the training view work from the keyboard alone', async () => {
  const url = `${web.server.baseUrl}/?model=seed-mlp&from=1&to=2&steps=6&seed=1`;
  const { page, problems, close } = await openPage(web.browser, url);
  await shownDigits(page);

  await tabTo(page, 'Gallery');
  await page.keyboard.press('ArrowRight');
  assert.equal(await focusedName(page), 'Latent walk');
  assert.equal(addressQuery(page).get('view'), 'walk');
  await page.waitForSelector('#walk-image[alt^="Frame"]');

  await tabTo(page, 'Pause');
  await page.keyboard.press('Space');
  assert.equal(await page.textContent('#walk-play'), 'Play');
  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'Frame');
  await page.keyboard.press('End');
  await page.waitForSelector('#walk-image[alt^="Frame 6 of 6"]');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('#walk-image[alt^="Frame 5 of 6"]');

  await tabBackTo(page, 'Latent walk');
  await page.keyboard.press('End');
  assert.equal(await focusedName(page), 'Training');
  await page.waitForSelector('#sample-image[src$="/samples/2.png"]');
  await tabTo(page, 'Epoch');
  await page.keyboard.press('Home');
  await page.waitForSelector('#sample-image[src$="/samples/1.png"]');
  assert.equal(await page.textContent('#sample-epoch-value'), 'epoch 1 of 2');

  assert.deepEqual(problems, []);
  await close();
});

test('axe-core finds nothing serious or critical in any view, on desktop or phone', async () => {
  for (const size of ['desktop', 'phone'] as const) {
    const viewport = size === 'phone' ? PHONE : undefined;
    const url = `${web.server.baseUrl}/?seed=3&n=8&digit=5`;
    const { page, problems, close } = await openPage(web.browser, url, { viewport });
    await shownDigits(page, { count: 8 });
    assert.deepEqual(await seriousAccessibilityProblems(page), [], `${size} gallery`);

    await page.click('#tab-walk');
    await page.waitForSelector('#walk-image[alt^="Frame"]');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], `${size} walk`);

    await page.click('#tab-training');
    await page.waitForSelector('#sample-image[src$=".png"]');
    await page.waitForSelector('#loss-chart canvas');
    await page.click('#panel-training summary');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], `${size} training`);
    assert.deepEqual(problems, []);
    await close();
  }
});

test('on a phone-sized screen every view fits the width, settings above the digits', async () => {
  const { page, problems, close } = await openPage(
    web.browser,
    `${web.server.baseUrl}/?seed=5&n=9`,
    {
      viewport: PHONE,
    },
  );
  await shownDigits(page, { count: 9 });
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);

  assert.equal(await fits(), true, 'the gallery scrolls sideways');
  const settings = await page.locator('#settings').boundingBox();
  const gallery = await page.locator('#gallery').boundingBox();
  assert.ok(settings!.y + settings!.height <= gallery!.y, 'settings sit above the gallery');
  assert.ok(gallery!.width <= PHONE.width, 'the gallery is wider than the screen');
  await screenshot(page, 'web-gallery-phone.png');

  await page.click('#tab-walk');
  await page.waitForSelector('#walk-image[alt^="Frame"]');
  assert.equal(await fits(), true, 'the walk scrolls sideways');

  await page.click('#tab-training');
  await page.waitForSelector('#sample-image[src$=".png"]');
  await page.waitForSelector('#loss-chart canvas');
  assert.equal(await fits(), true, 'the training view scrolls sideways');
  await screenshot(page, 'web-training-phone.png');

  assert.deepEqual(problems, []);
  await close();
});

test('a Spanish browser gets Spanish; the switch changes it and the address keeps it', async () => {
  const url = `${web.server.baseUrl}/?seed=7&n=2&digit=3`;
  const { page, problems, close } = await openPage(web.browser, url, { locale: 'es-ES' });
  await shownDigits(page, { count: 2 });

  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal(await page.textContent('#tab-gallery'), 'Galería');
  assert.equal(await page.textContent('#new-digits'), 'Dígitos nuevos');
  assert.equal((await shownDigits(page))[0].alt, 'Dígito 3 generado, semilla 7');
  assert.equal(await page.getAttribute('#language button[aria-pressed="true"]', 'lang'), 'es');
  assert.deepEqual(await seriousAccessibilityProblems(page), []);

  await page.click('#language button:has-text("English")');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#tab-gallery'), 'Gallery');
  assert.equal((await shownDigits(page))[0].alt, 'Generated digit 3, seed 7');
  assert.equal(await page.textContent('#figures dt'), 'Epochs');
  assert.equal(addressQuery(page).get('lang'), 'en');

  // The address keeps the choice: opened again, the page stays English in a Spanish browser.
  await page.reload();
  await shownDigits(page, { count: 2 });
  assert.equal(await page.textContent('#tab-gallery'), 'Gallery');

  assert.deepEqual(problems, []);
  await close();
});
