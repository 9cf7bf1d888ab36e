import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { tf } from '../src/models/backend.js';
import { startTestApp, type TestApp } from './support/server-models.js';

/**
 * A shorter version of the 100,000-request soak that `npm run bench:serve` reports: every
 * route, both models, and the number of live tensors must come back to where it was.
 */
let server: TestApp;
let app: FastifyInstance;

const REQUESTS: { method: 'GET' | 'POST'; url: string; payload?: object }[] = [
  { method: 'GET', url: '/generate' },
  { method: 'GET', url: '/generate?model=cdcgan&digit=4&format=json&scale=3' },
  { method: 'GET', url: '/generate/grid?n=9&model=seed-mlp' },
  { method: 'GET', url: '/interpolate?from=1&to=9&steps=4&model=cdcgan' },
  { method: 'POST', url: '/generate', payload: { count: 5, model: 'cdcgan', digit: 2 } },
  { method: 'GET', url: '/generate?scale=99' },
  { method: 'GET', url: '/generate?digit=3&model=seed-mlp' },
];

before(async () => {
  server = await startTestApp();
  app = server.app;
});

after(() => server.close());

async function round(times: number) {
  for (let i = 0; i < times; i++) {
    await Promise.all(REQUESTS.map((request) => app.inject(request)));
  }
}

describe('after thousands of requests', () => {
  test('the number of live tensors is back to its value after start-up', async () => {
    await round(20);
    const settled = tf.memory().numTensors;

    await round(300);

    assert.equal(tf.memory().numTensors, settled);
  });

  test('resident memory has stopped growing', async () => {
    await round(100);
    const start = process.memoryUsage().rss;
    await round(300);
    const growth = (process.memoryUsage().rss - start) / 2 ** 20;
    // 2,100 requests: a leak of 25 KB a request, one small PNG's worth, would show as 50 MiB.
    assert.ok(growth < 50, `resident memory grew by ${growth.toFixed(1)} MiB`);
  });
});
