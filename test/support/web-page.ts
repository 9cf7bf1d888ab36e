import type { Page } from 'playwright-core';

/**
 * Reading the page as a person sees it: the digits on show with their captions, what has the
 * keyboard focus, and the address bar.
 */
export interface ShownDigit {
  alt: string;
  /** The image's data URL. */
  src: string;
  /** The caption's seed, as written: "seed 42". */
  seed: string;
  /** The caption's digit badge; null for an unconditional model. */
  digit: string | null;
  download: string;
  downloadName: string;
}

/**
 * The gallery's digits once they have loaded: `count` of them, the first with `firstSeed`,
 * when given (the previous gallery stays on show until the new one has arrived).
 */
export async function shownDigits(
  page: Page,
  expected: { count?: number; firstSeed?: number } = {},
): Promise<ShownDigit[]> {
  await page.waitForFunction(({ count, firstSeed }) => {
    const list = document.querySelector('#gallery');
    const images = [...document.querySelectorAll<HTMLImageElement>('#gallery li img')];
    const seed = document.querySelector('#gallery li .seed')?.textContent ?? '';
    return (
      list?.getAttribute('aria-busy') === 'false' &&
      images.length > 0 &&
      (count === undefined || images.length === count) &&
      (firstSeed === undefined || seed.endsWith(` ${firstSeed}`)) &&
      images.every((image) => image.complete && image.naturalWidth > 0)
    );
  }, expected);
  return page.$$eval('#gallery li', (items) =>
    items.map((item) => {
      const image = item.querySelector('img')!;
      const link = item.querySelector<HTMLAnchorElement>('a.download')!;
      return {
        alt: image.alt,
        src: image.src,
        seed: item.querySelector('.seed')!.textContent ?? '',
        digit: item.querySelector('.badge')?.textContent ?? null,
        download: link.href,
        downloadName: link.download,
      };
    }),
  );
}

/** The query string in the address bar. */
export function addressQuery(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** The accessible name of the focused element, as a screen reader would announce it. */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return '';
    const label =
      element.getAttribute('aria-label') ??
      (element as HTMLInputElement).labels?.[0]?.textContent ??
      element.textContent ??
      '';
    return label.trim();
  });
}

/** Presses Tab until the focused element's name is `name`; fails after `limit` presses. */
export async function tabTo(page: Page, name: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`"${name}" never got the focus in ${limit} presses of Tab`);
}
