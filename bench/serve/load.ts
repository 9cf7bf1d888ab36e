import autocannon from 'autocannon';

/** What one fixed-time load at one connection count gave. */
export interface LoadLevel {
  connections: number;
  /** Successful (2xx) answers per second: a server that fails fast must not look fast. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts (autocannon counts timeouts as errors). */
  errors: number;
}

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/** No answer within this long counts as a timeout, an error, and the connection is reopened. */
const REQUEST_TIMEOUT_SECONDS = 10;

/**
 * Keeps `connections` connections busy with `request` for `seconds` (autocannon stops at the
 * deadline whatever the server does, so this is bounded in time).
 *
 * The percentiles come from every response's own time: autocannon's histogram keeps whole
 * milliseconds, which reads 0 for the sub-millisecond answers on loopback.
 */
export async function driveLoad(
  origin: string,
  request: LoadRequest,
  connections: number,
  seconds: number,
): Promise<LoadLevel> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin + request.path,
        method: request.method,
        body: request.body,
        headers: request.body ? { 'content-type': 'application/json' } : undefined,
        connections,
        duration: seconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    connections,
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors: result.non2xx + result.errors,
  };
}

/** The value below which `share` of the sorted values lie (nearest rank); NaN for none. */
export function percentile(sorted: Float64Array, share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}
