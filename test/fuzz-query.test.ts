import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  answer,
  anyQueryValue,
  assertAnswered,
  assertNoInternals,
  assertRefused,
  checkProperty,
  useFuzzedApp,
} from './support/fuzz.js';

const test_ = useFuzzedApp('mnist-gan-fuzz-runs-');

/** What a query parameter accepts, as the README documents it. */
type Accepts = { integer: [number, number] } | { oneOf: string[] };

const SEED: Accepts = { integer: [0, 2 ** 32 - 1] };
const SHARED: Record<string, Accepts> = {
  seed: SEED,
  scale: { integer: [1, 16] },
  format: { oneOf: ['png', 'json'] },
  model: { oneOf: ['cdcgan', 'seed-mlp'] },
  digit: { integer: [0, 9] },
};

const ENDPOINTS: { path: string; parameters: Record<string, Accepts>; required: string }[] = [
  { path: '/generate', parameters: SHARED, required: '' },
  {
    path: '/generate/grid',
    parameters: { ...SHARED, n: { integer: [1, 100] }, columns: { integer: [1, 100] } },
    required: '',
  },
  {
    path: '/interpolate',
    parameters: { ...SHARED, from: SEED, to: SEED, steps: { integer: [2, 64] } },
    required: 'from=1&to=2',
  },
];

/**
 * Whether a raw query value is allowed: a listed word exactly, or any spelling JavaScript's
 * Number() reads as an integer in range ("1e3", "+5", " 42", "1.0", "0x10", "-0"), never blank.
 */
function accepts(rule: Accepts, raw: string): boolean {
  if ('oneOf' in rule) return rule.oneOf.includes(raw);
  const value = Number(raw);
  const [low, high] = rule.integer;
  return raw.trim() !== '' && Number.isInteger(value) && value >= low && value <= high;
}

function url(path: string, ...parts: string[]): string {
  const query = parts.filter((part) => part !== '').join('&');
  return query === '' ? path : `${path}?${query}`;
}

const pair = (name: string, value: string) =>
  `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

for (const { path, parameters, required } of ENDPOINTS) {
  const names = Object.keys(parameters);
  const withoutRequired = (name: string) =>
    required
      .split('&')
      .filter((part) => part !== '' && !part.startsWith(`${name}=`))
      .join('&');

  describe(`GET ${path} under fuzzing`, () => {
    test('refuses any value a parameter does not accept with a 4xx naming it', async () => {
      const bad = fc
        .record({ name: fc.constantFrom(...names), raw: anyQueryValue })
        .filter(({ name, raw }) => !accepts(parameters[name], raw));
      await checkProperty(
        fc.asyncProperty(bad, async ({ name, raw }) => {
          const response = await answer(test_.app, {
            method: 'GET',
            url: url(path, withoutRequired(name), pair(name, raw)),
          });
          assertRefused(response, name);
        }),
      );
    });

    test('refuses a parameter given twice, even with good values, naming it', async () => {
      await checkProperty(
        fc.asyncProperty(fc.constantFrom(...names), async (name) => {
          const value = name === 'model' ? 'cdcgan' : name === 'format' ? 'json' : '3';
          const response = await answer(test_.app, {
            method: 'GET',
            url: url(path, withoutRequired(name), pair(name, value), pair(name, value)),
          });
          assertRefused(response, name);
        }),
        30,
      );
    });

    test('refuses any parameter it does not know, naming it', async () => {
      const unknown = fc
        .record({ name: fc.string({ minLength: 1 }), raw: anyQueryValue })
        .filter(({ name }) => !names.includes(name));
      await checkProperty(
        fc.asyncProperty(unknown, async ({ name, raw }) => {
          const response = await answer(test_.app, {
            method: 'GET',
            url: url(path, required, pair(name, raw)),
          });
          assertRefused(response, name);
        }),
      );
    });

    test('never fails, hangs or shows internals on a raw query of URL garbage', async () => {
      const unit = fc.constantFrom(...'%0123456789abcdefzAZ&=+.-_~![]{}:;,/?@$\'"'.split(''));
      const garbage = fc.string({ unit, maxLength: 40 });
      await checkProperty(
        fc.asyncProperty(garbage, async (raw) => {
          const response = await answer(test_.app, { method: 'GET', url: `${path}?${raw}` });
          assert.ok(response.statusCode < 500, `${raw}: ${response.statusCode}`);
          assertNoInternals(response.body);
          if (response.statusCode !== 200) {
            assert.equal(typeof response.json().parameter, 'string', response.body);
          }
        }),
      );
    });
  });
}

/** A good value for each parameter; the size of a drawing is bounded to keep the run short. */
function goodQuery(extra: Record<string, fc.Arbitrary<number>>) {
  return fc
    .record(
      {
        seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        scale: fc.integer({ min: 1, max: 16 }),
        format: fc.constantFrom('png', 'json'),
        model: fc.constantFrom('cdcgan', 'seed-mlp'),
        digit: fc.integer({ min: 0, max: 9 }),
        ...extra,
      },
      { requiredKeys: [] },
    )
    .map((query) => {
      // Only a conditional model takes a digit (a 400 otherwise, tested in serve-models).
      if (query.model === 'seed-mlp') delete query.digit;
      return query;
    });
}

function pixelsOk(query: Record<string, unknown>, cells: number): boolean {
  const scale = Number(query.scale ?? 1);
  return cells * scale * scale <= 256;
}

const asQuery = (query: Record<string, unknown>) =>
  Object.entries(query).map(([name, value]) => pair(name, String(value)));

describe('good requests under fuzzing', () => {
  test('GET /generate answers 200 to any values within the documented ranges', async () => {
    await checkProperty(
      fc.asyncProperty(goodQuery({}), async (query) => {
        assertAnswered(
          await answer(test_.app, { method: 'GET', url: url('/generate', ...asQuery(query)) }),
        );
      }),
      100,
    );
  });

  test('GET /generate/grid answers 200 to any values within the documented ranges', async () => {
    const query = goodQuery({
      n: fc.integer({ min: 1, max: 100 }),
      columns: fc.integer({ min: 1, max: 100 }),
    }).filter((q) => pixelsOk(q, Number((q as Record<string, unknown>).n ?? 16)));
    await checkProperty(
      fc.asyncProperty(query, async (q) => {
        assertAnswered(
          await answer(test_.app, { method: 'GET', url: url('/generate/grid', ...asQuery(q)) }),
        );
      }),
      60,
    );
  });

  test('GET /interpolate answers 200 to any values within the documented ranges', async () => {
    const query = goodQuery({ steps: fc.integer({ min: 2, max: 64 }) })
      .map(({ seed, ...rest }) => ({ from: seed ?? 0, to: 7, ...rest }))
      .filter((q) => pixelsOk(q, Number((q as Record<string, unknown>).steps ?? 8)));
    await checkProperty(
      fc.asyncProperty(query, async (q) => {
        assertAnswered(
          await answer(test_.app, { method: 'GET', url: url('/interpolate', ...asQuery(q)) }),
        );
      }),
      60,
    );
  });

  test('an integer spelled as JavaScript reads it draws the same image as the plain form', async () => {
    const spellings = (n: number) => [`${n}.0`, `+${n}`, ` ${n} `, `0x${n.toString(16)}`, `${n}e0`];
    await checkProperty(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 32 - 1 }), async (seed) => {
        const plain = await answer(test_.app, { method: 'GET', url: `/generate?seed=${seed}` });
        for (const spelling of spellings(seed)) {
          const other = await answer(test_.app, {
            method: 'GET',
            url: url('/generate', pair('seed', spelling)),
          });
          assert.deepEqual(other.rawPayload, plain.rawPayload, spelling);
        }
      }),
      20,
    );
  });
});

describe('run names and epochs under fuzzing', () => {
  // "." and ".." are dot segments: the URL itself then names another path, as in a browser.
  const name = fc
    .string({ unit: 'grapheme', maxLength: 140 })
    .filter((s) => s !== '.' && s !== '..' && s !== '');

  test('any run name gets a 400 naming it or a 404, never a file', async () => {
    await checkProperty(
      fc.asyncProperty(
        name,
        fc.constantFrom('', '/events', '/samples/1.png'),
        async (run, rest) => {
          const response = await answer(test_.app, {
            method: 'GET',
            url: `/runs/${encodeURIComponent(run)}${rest}`,
          });
          assert.ok(
            [400, 404].includes(response.statusCode),
            `${response.statusCode} ${response.body}`,
          );
          if (response.statusCode === 400) assertRefused(response, 'name');
          assertNoInternals(response.body);
        },
      ),
    );
  });

  // An epoch longer than the router's 100-character parameter limit matches no API route and
  // falls through to the static files, which answer 403: still no file outside web/dist.
  test('any epoch gets a 400 naming it, or a 403 or 404', async () => {
    await checkProperty(
      fc.asyncProperty(
        anyQueryValue.filter((s) => s !== ''),
        async (epoch) => {
          const response = await answer(test_.app, {
            method: 'GET',
            url: `/runs/some-run/samples/${encodeURIComponent(epoch)}.png`,
          });
          assert.ok(
            [400, 403, 404].includes(response.statusCode),
            `${epoch}: ${response.statusCode} ${response.body}`,
          );
          if (response.statusCode === 400) assertRefused(response, 'epoch');
          assertNoInternals(response.body);
        },
      ),
    );
  });
});

describe('counterexamples and limits, as plain examples', () => {
  const refusals: [string, string][] = [
    ['/generate?seed=1e400', 'seed'],
    ['/generate?seed=Infinity', 'seed'],
    ['/generate?seed=-Infinity', 'seed'],
    ['/generate?seed=%20', 'seed'],
    ['/generate?scale=Infinity', 'scale'],
    ['/generate/grid?n=1e400', 'n'],
    ['/interpolate?from=1&to=2&steps=Infinity', 'steps'],
    ['/runs/some-run/samples/1e400.png', 'epoch'],
    ['/generate?model=../../etc/passwd', 'model'],
    ['/generate?model=%2e%2e%2f', 'model'],
    ['/generate?seed=1&seed=2', 'seed'],
    ['/generate?seed=9007199254740993', 'seed'],
    ['/generate?scale=17', 'scale'],
    ['/generate/grid?n=101', 'n'],
    ['/interpolate?from=1&to=2&steps=65', 'steps'],
    ['/models?x=1', 'x'],
    ['/runs?x=1', 'x'],
  ];
  for (const [path, parameter] of refusals) {
    test(`${path} is refused naming ${parameter}`, async () => {
      assertRefused(await answer(test_.app, { method: 'GET', url: path }), parameter);
    });
  }

  test('"-0" is seed 0 and "1e3" is seed 1000', async () => {
    const get = async (seed: string) =>
      (await answer(test_.app, { method: 'GET', url: `/generate?seed=${seed}` })).rawPayload;
    assert.deepEqual(await get('-0'), await get('0'));
    assert.deepEqual(await get('1e3'), await get('1000'));
  });

  test('the largest grid, walk and scale are answered', async () => {
    for (const path of [
      '/generate/grid?n=100',
      '/interpolate?from=1&to=2&steps=64',
      '/generate?scale=16',
    ]) {
      assertAnswered(await answer(test_.app, { method: 'GET', url: path }));
    }
  });
});
