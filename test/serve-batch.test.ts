import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { decodePng } from '../src/image/png.js';
import { startTestApp, type TestApp } from './support/server-models.js';

/** POST /generate: many digits in one request, the same digits GET /generate draws. */
let server: TestApp;
let app: FastifyInstance;

before(async () => {
  server = await startTestApp();
  app = server.app;
});

after(() => server.close());

function post(body: unknown) {
  return app.inject({ method: 'POST', url: '/generate', payload: body as object });
}

function pixelsOfDataUrl(url: string): Uint8Array {
  return decodePng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64')).pixels;
}

describe('POST /generate', () => {
  test('answers count digits from consecutive seeds, each as GET /generate draws it', async () => {
    const response = await post({ count: 3, seed: 40, model: 'cdcgan', digits: [7, 1, 7] });

    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.model, 'cdcgan');
    assert.deepEqual(
      body.images.map((item: { seed: number; digit: number }) => [item.seed, item.digit]),
      [
        [40, 7],
        [41, 1],
        [42, 7],
      ],
    );
    const single = await app.inject(`/generate?seed=41&digit=1&model=cdcgan`);
    assert.deepEqual(pixelsOfDataUrl(body.images[1].image), decodePng(single.rawPayload).pixels);
  });

  test('with format png answers one grid of the digits', async () => {
    const response = await post({
      count: 6,
      seed: 1,
      model: 'seed-mlp',
      format: 'png',
      columns: 3,
    });

    assert.equal(response.headers['content-type'], 'image/png');
    const grid = decodePng(response.rawPayload);
    // 3 columns and 2 rows of 28-pixel digits with 2-pixel gaps: 3*28 + 4*2 = 92, 2*28 + 3*2 = 62.
    assert.deepEqual([grid.width, grid.height], [92, 62]);
  });

  test('one digit for all items, and each seed its own digit when none is given', async () => {
    const all = (await post({ count: 2, seed: 5, model: 'cdcgan', digit: 3 })).json();
    assert.deepEqual(
      all.images.map((item: { digit: number }) => item.digit),
      [3, 3],
    );
    const own = (await post({ count: 2, seed: 0, model: 'cdcgan' })).json();
    // The untrained cdcgan's own digits for seeds 0 and 1 (see serve-models.test.ts).
    assert.deepEqual(
      own.images.map((item: { digit: number }) => item.digit),
      [5, 8],
    );
  });

  const refusals: [string, unknown, string][] = [
    ['count over the limit', { count: 257 }, 'count'],
    ['count of zero', { count: 0 }, 'count'],
    ['a count that is not a number', { count: 'many' }, 'count'],
    ['an unknown field', { count: 1, colour: 'red' }, 'colour'],
    ['a digit for an unconditional model', { model: 'seed-mlp', digit: 3 }, 'digit'],
    ['digits of the wrong length', { count: 3, model: 'cdcgan', digits: [1, 2] }, 'digits'],
    ['digit and digits together', { count: 1, model: 'cdcgan', digit: 1, digits: [1] }, 'digits'],
    ['a digit out of range in digits', { count: 1, model: 'cdcgan', digits: [10] }, 'digits'],
    ['an unknown model', { model: 'nope' }, 'model'],
    ['a seed past 2^32 - 1', { seed: 4294967296 }, 'seed'],
  ];
  for (const [name, body, parameter] of refusals) {
    test(`refuses ${name} with a 400 naming ${parameter}`, async () => {
      const response = await post(body);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().parameter, parameter);
    });
  }

  test('refuses a body over 16 KiB with a 413', async () => {
    const response = await post({ count: 1, padding: 'x'.repeat(17 * 1024) });
    assert.equal(response.statusCode, 413);
  });
});

describe('POST /generate with a body that is not a JSON object', () => {
  const bodies: [string, string | undefined, string][] = [
    ['no body at all', undefined, 'body'],
    ['a JSON array', '[1]', 'body'],
    ['broken JSON', '{', 'body'],
  ];
  for (const [name, payload, parameter] of bodies) {
    test(`refuses ${name} with a 400 naming the ${parameter}`, async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/generate',
        ...(payload === undefined
          ? {}
          : { payload, headers: { 'content-type': 'application/json' } }),
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().parameter, parameter);
    });
  }
});
