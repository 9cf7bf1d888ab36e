import { en, type Dictionary, type MessageKey } from './locales/en';
import { es } from './locales/es';

/**
 * The page's languages. Static text in index.html names its key in data-i18n (the text),
 * data-i18n-label (aria-label) or data-i18n-title (title); code asks t() for the rest and
 * re-renders what it wrote when onLanguageChange() calls it back.
 */
const DICTIONARIES = { en, es } satisfies Record<string, Dictionary>;

export type Language = keyof typeof DICTIONARIES;
export const LANGUAGES = Object.keys(DICTIONARIES) as Language[];
/** Each language named in itself, as the switch shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español' };

let current: Language = 'en';
const listeners = new Set<() => void>();

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && value in DICTIONARIES;
}

/** The first of the browser's languages that the page speaks (es-MX counts as es), else en. */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

export function language(): Language {
  return current;
}

export function setLanguage(next: Language): void {
  current = next;
  document.documentElement.lang = next;
  document.title = t('pageTitle');
  translate(document);
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): void {
  listeners.add(listener);
}

/** The string `key` in the current language, with each `{name}` replaced by values[name]. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return DICTIONARIES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? formatValue(values[name]) : whole,
  );
}

/** A number as the current language writes it (1,234.5 or 1234,5). */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(current, options).format(value);
}

/** Seeds are identifiers, not quantities: never grouped, so they can be copied as they are. */
function formatValue(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value, { useGrouping: false }) : value;
}

/** Fills every element under `root` that names a dictionary key. */
export function translate(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n as MessageKey);
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel as MessageKey));
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n-title]')) {
    element.title = t(element.dataset.i18nTitle as MessageKey);
  }
}
