/** What one server process says about itself at GET /metrics. */
export interface ProcessMetrics {
  /** The worker's pid, or "main" for a server without workers. */
  process: string;
  liveTensors: number;
  /** Answers to every route, by the process's own count. */
  requests: number;
  /** V8's heap in use and reserved, and memory outside it (wasm's memory among it), in MB. */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/** Scrapes before giving up on seeing every process: the pool hands them out in turn. */
const SCRAPES_PER_PROCESS = 10;
const MB = 1024 * 1024;

/**
 * Reads GET /metrics from every process of our server. Each scrape opens a new connection
 * (`Connection: close`), so the pool's primary hands it to the next worker; it stops once
 * `processes` different ones have answered.
 */
export async function readProcessMetrics(
  origin: string,
  processes: number,
): Promise<ProcessMetrics[]> {
  const seen = new Map<string, ProcessMetrics>();
  for (let i = 0; i < processes * SCRAPES_PER_PROCESS && seen.size < processes; i++) {
    const response = await fetch(`${origin}/metrics`, {
      headers: { connection: 'close' },
      signal: AbortSignal.timeout(10_000),
    });
    const metrics = parseMetrics(await response.text());
    if (metrics) seen.set(metrics.process, metrics);
  }
  return [...seen.values()].sort((a, b) => a.process.localeCompare(b.process));
}

function parseMetrics(text: string): ProcessMetrics | null {
  const tensors = /^mnist_gan_live_tensors(?:\{pid="(\d+)"\})? (\d+)$/m.exec(text);
  if (!tensors) return null;
  let requests = 0;
  for (const match of text.matchAll(/^mnist_gan_http_requests_total\{[^}]*\} (\d+)$/gm)) {
    requests += Number(match[1]);
  }
  // Unlabelled, or labelled with the worker's pid only.
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{pid="\\d+"\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    process: tensors[1] ?? 'main',
    liveTensors: Number(tensors[2]),
    requests,
    heapUsedMb: value('nodejs_heap_size_used_bytes') / MB,
    heapTotalMb: value('nodejs_heap_size_total_bytes') / MB,
    externalMb: value('nodejs_external_memory_bytes') / MB,
  };
}
