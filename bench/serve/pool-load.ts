import { Pool } from 'undici';
import { percentile, type LoadLevel, type LoadRequest } from './load.js';

/** No answer within this long counts as a failure, as in the autocannon load. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The same measure as `driveLoad`, from a client that keeps HTTP/1.1's connection rules
 * (undici's Pool): after an answer marked `Connection: close` it opens a new connection
 * instead of writing the next request into the closing one. autocannon writes into it
 * regardless, so a server that drains by the rules looks as if it failed requests; a
 * browser, nginx or any HTTP library behaves like this load instead.
 */
export async function drivePoolLoad(
  origin: string,
  request: LoadRequest,
  connections: number,
  seconds: number,
): Promise<LoadLevel> {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const latencies: number[] = [];
  let succeeded = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const answer = await pool.request({
          method: request.method,
          path: request.path,
          body: request.body,
          headers: request.body ? { 'content-type': 'application/json' } : undefined,
        });
        await answer.body.arrayBuffer();
        latencies.push(performance.now() - started);
        if (answer.statusCode >= 200 && answer.statusCode < 300) succeeded++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, client));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    connections,
    requestsPerSecond: succeeded / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
  };
}
