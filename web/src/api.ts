/**
 * The server's HTTP API as the page uses it: every address the page asks for is built here.
 * The page is served by the same server, so paths are relative; under `npm run dev:web`
 * Vite's dev server forwards them to the API (web/vite.config.ts).
 */

/** What a model's manifest.json says about how it was made; every part may be missing. */
export interface Manifest {
  parameters?: number;
  training?: { epochs?: number } | null;
  imported?: unknown;
  evaluation?: {
    frechetDistance?: number;
    accuracy?: { overall?: number } | null;
  };
}

export interface ModelInfo {
  name: string;
  conditional: boolean;
  classes: number;
  manifest: Manifest;
}

export interface ModelList {
  default: string;
  models: ModelInfo[];
}

/** Which model draws, and the digit asked of it (null: each seed's own digit). */
export interface Drawing {
  model: string;
  digit: number | null;
}

export interface DrawnDigit {
  /** The PNG as a data URL. */
  image: string;
  seed: number;
  digit: number | null;
}

export interface Walk {
  frames: string[];
  from: number;
  to: number;
  steps: number;
  digit: number | null;
  model: string;
}

export interface EpochLosses {
  epoch: number;
  discriminator: number;
  generator: number;
  seconds: number;
}

export interface RunSummary {
  name: string;
  epochs: number;
  /** When the last epoch was written, ISO 8601. */
  updated: string;
}

export interface Run extends RunSummary {
  losses: EpochLosses[];
  /** Epochs that have a sample grid, ascending. */
  samples: number[];
}

/** An answer other than 2xx, with the message the server gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.message ?? `${response.status} ${path}`);
  }
  return response.json() as Promise<T>;
}

/** A query string from the values that are set. */
function query(values: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && value !== undefined) search.set(name, String(value));
  }
  return search.toString();
}

/** Query values for a drawing; a null digit is left out, since unconditional models refuse any. */
const drawingQuery = ({ model, digit }: Drawing) => ({ model, digit });

export function fetchModels(): Promise<ModelList> {
  return getJson('/models');
}

/** `count` digits from seeds seed, seed + 1, ... in one request (POST /generate). */
export async function fetchDigits(
  drawing: Drawing,
  seed: number,
  count: number,
  scale: number,
): Promise<DrawnDigit[]> {
  const digit = drawing.digit === null ? {} : { digit: drawing.digit };
  const body = { count, seed, scale, format: 'json', model: drawing.model, ...digit };
  const answer = await getJson<{ images: DrawnDigit[] }>('/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer.images;
}

export function fetchWalk(
  drawing: Drawing,
  from: number,
  to: number,
  steps: number,
  scale: number,
): Promise<Walk> {
  const search = query({ from, to, steps, scale, format: 'json', ...drawingQuery(drawing) });
  return getJson(`/interpolate?${search}`);
}

export async function fetchRuns(): Promise<RunSummary[]> {
  return (await getJson<{ runs: RunSummary[] }>('/runs')).runs;
}

/** One digit as a PNG (GET /generate): what a download link points at. */
export function digitPngUrl(drawing: Drawing, seed: number, scale: number): string {
  return `/generate?${query({ seed, scale, ...drawingQuery(drawing) })}`;
}

/** The gallery's digits as one PNG grid (GET /generate/grid). */
export function gridPngUrl(
  drawing: Drawing,
  seed: number,
  n: number,
  columns: number,
  scale: number,
): string {
  return `/generate/grid?${query({ n, columns, seed, scale, ...drawingQuery(drawing) })}`;
}

/** A walk's frames side by side in one PNG (GET /interpolate). */
export function walkPngUrl(
  drawing: Drawing,
  from: number,
  to: number,
  steps: number,
  scale: number,
): string {
  return `/interpolate?${query({ from, to, steps, scale, ...drawingQuery(drawing) })}`;
}

export function samplePngUrl(run: string, epoch: number): string {
  return `/runs/${encodeURIComponent(run)}/samples/${epoch}.png`;
}

/** Server-sent events: the run now, then again each time it gains an epoch. */
export function runEventsUrl(run: string): string {
  return `/runs/${encodeURIComponent(run)}/events`;
}
