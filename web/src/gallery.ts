import { digitPngUrl, fetchDigits, gridPngUrl, type Drawing, type DrawnDigit } from './api';
import { announce, byId } from './dom';
import { onLanguageChange, t } from './i18n';
import { clearError, showError } from './notice';
import { clamp, LIMITS, MAX_SEED, randomSeed, type PageState } from './page-state';
import type { Settings } from './settings';

/** Enlargement of the gallery's digits: 112 pixels, about the size they are shown at. */
const GALLERY_SCALE = 4;
/** Enlargement of a downloaded digit: 224 pixels, large enough to use elsewhere. */
const DOWNLOAD_SCALE = 8;

export interface Gallery {
  /** Draws the digits again for the current state (after the model or digit changed). */
  draw(): Promise<void>;
}

/**
 * The gallery: `count` digits from consecutive seeds, each with its seed, the digit drawn and
 * a download link; the seed field, new-seed and page buttons; the whole grid as one PNG.
 */
export function setUpGallery(state: PageState, settings: Settings, save: () => void): Gallery {
  const form = byId<HTMLFormElement>('gallery-form');
  const count = byId<HTMLInputElement>('count');
  const countValue = byId('count-value');
  const seed = byId<HTMLInputElement>('seed');
  const list = byId('gallery');
  const status = byId('gallery-status');
  let shown: { digits: DrawnDigit[]; drawing: Drawing } | null = null;
  // Answers can arrive out of order when someone clicks fast; only the latest request's shows.
  let latest = 0;

  count.value = String(state.count);
  countValue.textContent = count.value;
  seed.value = String(state.seed);

  const draw = async () => {
    const request = ++latest;
    const drawing = settings.drawing();
    list.setAttribute('aria-busy', 'true');
    seed.value = String(state.seed);
    save();
    try {
      const digits = await fetchDigits(drawing, state.seed, state.count, GALLERY_SCALE);
      if (request !== latest) return;
      clearError();
      shown = { digits, drawing };
      render();
      const last = digits[digits.length - 1].seed;
      const values = { count: digits.length, first: state.seed, last };
      announce(status, t(digits.length === 1 ? 'galleryAnnounceOne' : 'galleryAnnounce', values));
    } catch (error) {
      if (request === latest) showError(error);
    } finally {
      if (request === latest) list.setAttribute('aria-busy', 'false');
    }
  };

  const render = () => {
    if (!shown) return;
    const { digits, drawing } = shown;
    list.replaceChildren(...digits.map((digit) => digitCell(digit, drawing)));
    const columns = Math.ceil(Math.sqrt(digits.length));
    const grid = byId<HTMLAnchorElement>('download-grid');
    grid.href = gridPngUrl(drawing, state.seed, digits.length, columns, GALLERY_SCALE);
    grid.download = `mnist-gan-${drawing.model}-seeds-${state.seed}-${digits.at(-1)!.seed}.png`;
  };

  /** Moves the first seed by `step`, wrapping around the 32-bit range as the server does. */
  const moveSeed = (step: number) => {
    state.seed = (((state.seed + step) % (MAX_SEED + 1)) + MAX_SEED + 1) % (MAX_SEED + 1);
    void draw();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = Number(seed.value);
    if (seed.value.trim() !== '' && Number.isFinite(typed)) state.seed = clamp(typed, LIMITS.seed);
    void draw();
  });
  count.addEventListener('input', () => (countValue.textContent = count.value));
  count.addEventListener('change', () => {
    state.count = clamp(Number(count.value), LIMITS.count);
    void draw();
  });
  byId('new-digits').addEventListener('click', () => {
    state.seed = randomSeed();
    void draw();
  });
  byId('previous-seeds').addEventListener('click', () => moveSeed(-state.count));
  byId('next-seeds').addEventListener('click', () => moveSeed(state.count));
  byId('copy-link').addEventListener('click', () => copyLink());
  onLanguageChange(render);

  return { draw };
}

/** One digit: the image (pixel-sharp), its seed and digit, and a link to its PNG. */
function digitCell({ image, seed, digit }: DrawnDigit, drawing: Drawing): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'cell';
  const figure = document.createElement('figure');
  const picture = document.createElement('img');
  picture.src = image;
  picture.width = 28 * GALLERY_SCALE;
  picture.height = 28 * GALLERY_SCALE;
  picture.alt = digit === null ? t('digitAltAny', { seed }) : t('digitAlt', { seed, digit });
  const caption = document.createElement('figcaption');
  const seedText = document.createElement('span');
  seedText.className = 'seed';
  seedText.textContent = t('captionSeed', { seed });
  caption.append(seedText);
  if (digit !== null) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = String(digit);
    badge.setAttribute('aria-hidden', 'true');
    caption.append(badge);
  }
  figure.append(picture, caption);

  const download = document.createElement('a');
  download.className = 'download';
  download.href = digitPngUrl(drawing, seed, DOWNLOAD_SCALE);
  download.download = `mnist-gan-${drawing.model}-seed-${seed}.png`;
  download.setAttribute('aria-label', t('downloadDigit', { seed }));
  download.title = t('downloadDigit', { seed });
  download.innerHTML = DOWNLOAD_ICON;
  item.append(figure, download);
  return item;
}

const DOWNLOAD_ICON =
  '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
  '<path d="M12 4v11m0 0l-5-5m5 5l5-5M5 20h14" fill="none" stroke="currentColor" ' +
  'stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/></svg>';

async function copyLink(): Promise<void> {
  const note = byId('copy-note');
  try {
    await navigator.clipboard.writeText(location.href);
    note.textContent = t('linkCopied');
  } catch {
    note.textContent = t('linkNotCopied');
  }
}
