import { isLanguage, type Language } from './i18n';

/**
 * Everything that decides what the page shows, kept in the query string so that a copied
 * address opens the same page: the same model, digit, seeds and view. The names are the API's
 * where they mean the same thing (model, digit, seed, n, from, to, steps).
 */
export const VIEWS = ['gallery', 'walk', 'training'] as const;
export type View = (typeof VIEWS)[number];

export interface PageState {
  view: View;
  /** A model name from GET /models; null until the models are known, then the default. */
  model: string | null;
  /** The digit asked of a conditional model; null: each seed's own. */
  digit: number | null;
  /** Digits in the gallery. */
  count: number;
  /** The gallery's first seed; digit i has seed + i. */
  seed: number;
  /** The latent walk's ends, its frames and its playing speed (frames a second). */
  from: number;
  to: number;
  steps: number;
  fps: number;
  /** The training run on show; null: the first one listed. */
  run: string | null;
  /** The language chosen with the switch; null: the browser's. */
  lang: Language | null;
}

export const MAX_SEED = 4294967295;
/** Bounds of the numbers a person can set, inclusive. */
export const LIMITS = {
  count: { min: 1, max: 64 },
  steps: { min: 2, max: 64 },
  fps: { min: 1, max: 30 },
  digit: { min: 0, max: 9 },
  seed: { min: 0, max: MAX_SEED },
};
const DEFAULTS = { view: 'gallery' as View, count: 16, steps: 24, fps: 12 };

/** A fresh seed, chosen here so that the address can name it before the server draws it. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** The state a query string describes; anything missing or out of range takes its default. */
export function readState(search: string): PageState {
  const query = new URLSearchParams(search);
  const integer = (name: string, limits: { min: number; max: number }) => {
    const text = query.get(name);
    if (text === null || !/^\d+$/.test(text)) return null;
    const value = Number(text);
    return value >= limits.min && value <= limits.max ? value : null;
  };
  const view = query.get('view');
  const lang = query.get('lang');
  return {
    view: VIEWS.includes(view as View) ? (view as View) : DEFAULTS.view,
    model: query.get('model') || null,
    digit: integer('digit', LIMITS.digit),
    count: integer('n', LIMITS.count) ?? DEFAULTS.count,
    seed: integer('seed', LIMITS.seed) ?? randomSeed(),
    from: integer('from', LIMITS.seed) ?? randomSeed(),
    to: integer('to', LIMITS.seed) ?? randomSeed(),
    steps: integer('steps', LIMITS.steps) ?? DEFAULTS.steps,
    fps: integer('fps', LIMITS.fps) ?? DEFAULTS.fps,
    run: query.get('run') || null,
    lang: isLanguage(lang) ? lang : null,
  };
}

/** The query string for `state`, leaving out what is at its default or unset. */
export function writeState(state: PageState): string {
  const query = new URLSearchParams();
  query.set('view', state.view);
  if (state.model !== null) query.set('model', state.model);
  if (state.digit !== null) query.set('digit', String(state.digit));
  query.set('n', String(state.count));
  query.set('seed', String(state.seed));
  query.set('from', String(state.from));
  query.set('to', String(state.to));
  if (state.steps !== DEFAULTS.steps) query.set('steps', String(state.steps));
  if (state.fps !== DEFAULTS.fps) query.set('fps', String(state.fps));
  if (state.run !== null) query.set('run', state.run);
  if (state.lang !== null) query.set('lang', state.lang);
  return query.toString();
}

/** Keeps `value` within `limits`, for numbers typed by hand. */
export function clamp(value: number, limits: { min: number; max: number }): number {
  return Math.min(limits.max, Math.max(limits.min, Math.round(value)));
}
