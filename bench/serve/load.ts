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
 */
export async function driveLoad(
  origin: string,
  request: LoadRequest,
  connections: number,
  seconds: number,
): Promise<LoadLevel> {
  const result = await autocannon({
    url: origin + request.path,
    method: request.method,
    body: request.body,
    headers: request.body ? { 'content-type': 'application/json' } : undefined,
    connections,
    duration: seconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
  });
  return {
    connections,
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}
