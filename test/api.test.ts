import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { decodePng } from '../src/image/png.js';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { buildApp } from '../src/serve/app.js';
import { ModelRegistry } from '../src/serve/model-registry.js';
import { writeUntrainedModel, type TestModel } from './support/server-model.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PROJECT_ROOT = join(import.meta.dirname, '..');

let model: TestModel;
let generator: Generator;
let app: FastifyInstance;

before(async () => {
  await useBackend('wasm');
  model = writeUntrainedModel();
  generator = Generator.load(model.dir);
  app = await buildApp({ registry: new ModelRegistry([generator]), corsOrigins: [] });
});

after(async () => {
  await app.close();
  generator.dispose();
  model.remove();
});

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

async function png(url: string): Promise<Buffer> {
  const response = await get(url);
  assert.equal(response.statusCode, 200, `${url} answered: ${response.body}`);
  return response.rawPayload;
}

interface Parameter {
  in: string;
  name: string;
}

/** What a user must never see in an error body: stack frames or server file paths. */
function assertNoInternals(body: string) {
  assert.doesNotMatch(body, /"stack"/);
  assert.doesNotMatch(body, /\n\s+at /);
  assert.doesNotMatch(body, /node_modules|\/src\/|\.ts:\d+/);
}

describe('GET /generate', () => {
  test('answers with a 28x28 PNG image and the seed it drew in x-seed', async () => {
    const response = await get('/generate');

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/png');
    assert.deepEqual([...response.rawPayload.subarray(0, 8)], PNG_SIGNATURE);
    const image = decodePng(response.rawPayload);
    assert.equal(image.width, 28);
    assert.equal(image.height, 28);
    const seed = String(response.headers['x-seed']);
    assert.match(seed, /^\d+$/);
    assert.ok(Number(seed) <= 4294967295, `x-seed ${seed} is not an unsigned 32-bit integer`);
  });

  test('draws a new seed for every request that gives none', async () => {
    const first = await get('/generate');
    const second = await get('/generate');

    assert.notEqual(first.headers['x-seed'], second.headers['x-seed']);
  });

  test('gives byte-identical images for one seed, and that seed in x-seed', async () => {
    const first = await get('/generate?seed=42');
    const second = await get('/generate?seed=42');

    assert.equal(first.headers['x-seed'], '42');
    assert.deepEqual(first.rawPayload, second.rawPayload);
  });

  test('gives different images for different seeds', async () => {
    assert.notDeepEqual(await png('/generate?seed=42'), await png('/generate?seed=43'));
  });

  test('redraws a random image exactly when asked with the seed from its x-seed', async () => {
    const random = await get('/generate');
    const again = await png(`/generate?seed=${random.headers['x-seed']}`);

    assert.deepEqual(again, random.rawPayload);
  });

  test('accepts the largest 32-bit seed, 4294967295, and the smallest, 0', async () => {
    assert.equal((await get('/generate?seed=4294967295')).headers['x-seed'], '4294967295');
    assert.equal((await get('/generate?seed=0')).headers['x-seed'], '0');
  });

  test('lets a seeded image be cached for an hour and forbids caching a random one', async () => {
    assert.equal((await get('/generate?seed=42')).headers['cache-control'], 'public, max-age=3600');
    assert.equal((await get('/generate')).headers['cache-control'], 'no-store');
  });
});

describe('GET /generate?scale', () => {
  test('scale=4 turns each pixel of the 28x28 digit into a 4x4 block: 112x112', async () => {
    const digit = decodePng(await png('/generate?seed=7'));
    const large = decodePng(await png('/generate?seed=7&scale=4'));

    assert.equal(large.width, 112);
    assert.equal(large.height, 112);
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const expected = digit.pixels[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
        if (large.pixels[y * 112 + x] !== expected) {
          const actual = large.pixels[y * 112 + x];
          assert.fail(`pixel (${x}, ${y}) is ${actual}, its digit pixel is ${expected}`);
        }
      }
    }
  });

  test('scale=16, the largest, gives 448x448', async () => {
    const image = decodePng(await png('/generate?seed=7&scale=16'));

    assert.equal(image.width, 448);
    assert.equal(image.height, 448);
  });
});

describe('GET /generate?format=json', () => {
  test('answers {image, seed, digit, model}; the data URL holds the PNG of the seed', async () => {
    const response = await get('/generate?seed=42&format=json');

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['digit', 'image', 'model', 'seed']);
    assert.equal(body.seed, 42);
    assert.equal(body.model, 'seed-mlp');
    assert.ok(body.image.startsWith('data:image/png;base64,'), `image: ${body.image.slice(0, 40)}`);
    const bytes = Buffer.from(body.image.slice('data:image/png;base64,'.length), 'base64');
    assert.deepEqual(bytes, await png('/generate?seed=42'));
  });

  test('reports a randomly drawn seed both in the body and in x-seed', async () => {
    const response = await get('/generate?format=json');

    assert.equal(String(response.json().seed), response.headers['x-seed']);
  });
});

describe('GET /generate with a bad query', () => {
  const cases: { query: string; parameter: string; message: string }[] = [
    {
      query: 'scale=0',
      parameter: 'scale',
      message: 'query parameter "scale" must be >= 1; allowed: an integer from 1 to 16',
    },
    {
      query: 'scale=17',
      parameter: 'scale',
      message: 'query parameter "scale" must be <= 16; allowed: an integer from 1 to 16',
    },
    {
      query: 'scale=2.5',
      parameter: 'scale',
      message: 'query parameter "scale" must be integer; allowed: an integer from 1 to 16',
    },
    {
      query: 'scale=abc',
      parameter: 'scale',
      message: 'query parameter "scale" must be integer; allowed: an integer from 1 to 16',
    },
    {
      query: 'seed=-1',
      parameter: 'seed',
      message: 'query parameter "seed" must be >= 0; allowed: an integer from 0 to 4294967295',
    },
    {
      query: 'seed=4294967296',
      parameter: 'seed',
      message:
        'query parameter "seed" must be <= 4294967295; allowed: an integer from 0 to 4294967295',
    },
    {
      query: 'seed=abc',
      parameter: 'seed',
      message: 'query parameter "seed" must be integer; allowed: an integer from 0 to 4294967295',
    },
    {
      query: 'seed=',
      parameter: 'seed',
      message:
        'query parameter "seed" must be a finite integer; allowed: an integer from 0 to 4294967295',
    },
    {
      query: 'seed=1&seed=2',
      parameter: 'seed',
      message:
        'query parameter "seed" is given 2 times; give it once; ' +
        'allowed: an integer from 0 to 4294967295',
    },
    {
      query: 'format=gif',
      parameter: 'format',
      message:
        'query parameter "format" must be equal to one of the allowed values; allowed: png, json',
    },
    {
      query: 'foo=1',
      parameter: 'foo',
      message: 'unknown query parameter "foo"; known: seed, scale, format, model, digit',
    },
  ];

  for (const { query, parameter, message } of cases) {
    test(`?${query} is refused with 400 naming "${parameter}"`, async () => {
      const response = await get(`/generate?${query}`);

      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json();
      assert.equal(body.statusCode, 400);
      assert.equal(body.parameter, parameter);
      assert.equal(body.message, message);
      assertNoInternals(response.body);
    });
  }

  test('an unknown path is a JSON 404 without server internals', async () => {
    const response = await get('/no-such-page');

    assert.equal(response.statusCode, 404);
    assert.equal(response.json().statusCode, 404);
    assertNoInternals(response.body);
  });
});

describe('the other routes', () => {
  test('GET /health answers status ok and the model name', async () => {
    const response = await get('/health');

    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', model: 'seed-mlp' });
  });

  test('GET /openapi.json is an OpenAPI 3 document of /generate and its parameters', async () => {
    const response = await get('/openapi.json');

    assert.equal(response.statusCode, 200);
    const spec = response.json();
    assert.match(spec.openapi, /^3\./);
    const generate = spec.paths['/generate'].get;
    const parameters = generate.parameters.map((p: Parameter) => `${p.in}:${p.name}`);
    const expected = ['query:digit', 'query:format', 'query:model', 'query:scale', 'query:seed'];
    assert.deepEqual(parameters.sort(), expected);
    assert.deepEqual(Object.keys(generate.responses).sort(), ['200', '400']);
    assert.ok(spec.paths['/health'], 'the document also describes /health');
  });

  for (const path of ['/docs', '/docs/']) {
    test(`GET ${path} is the Swagger UI page`, async () => {
      const response = await get(path);

      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /swagger-ui/i);
    });
  }

  test('GET / serves the built web page, web/dist/index.html', async () => {
    const response = await get('/');

    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    const page = readFileSync(join(PROJECT_ROOT, 'web', 'dist', 'index.html'), 'utf8');
    assert.equal(response.body, page);
  });
});

describe('CORS', () => {
  test('by default any origin may call the API and read x-seed and x-digit', async () => {
    const response = await get('/generate?seed=1', { origin: 'https://example.org' });

    assert.equal(response.headers['access-control-allow-origin'], '*');
    assert.equal(response.headers['access-control-expose-headers'], 'x-seed, x-digit');
  });

  test('with corsOrigins set, only those origins are allowed', async () => {
    const restricted = await buildApp({
      registry: new ModelRegistry([generator]),
      corsOrigins: ['https://a.example'],
    });
    try {
      const allowed = await restricted.inject({
        url: '/generate?seed=1',
        headers: { origin: 'https://a.example' },
      });
      const refused = await restricted.inject({
        url: '/generate?seed=1',
        headers: { origin: 'https://b.example' },
      });

      assert.equal(allowed.headers['access-control-allow-origin'], 'https://a.example');
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
    } finally {
      await restricted.close();
    }
  });
});

describe('mnist-gan serve start-up failures', () => {
  const run = promisify(execFile);

  /** Runs `mnist-gan serve --model <dir>`, which must fail at once; returns how it ended. */
  async function serveMustFail(modelDir: string) {
    const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--model', modelDir, '--port', '0'];
    let outcome: { code?: number | null; stdout: string; stderr: string };
    try {
      // A server that does start is stopped by the timeout's SIGTERM and exits with 0.
      const output = await run(process.execPath, args, { cwd: PROJECT_ROOT, timeout: 10_000 });
      outcome = { code: 0, ...output };
    } catch (error) {
      outcome = error as typeof outcome;
    }
    assert.notEqual(outcome.code, 0, `serve should have failed, but started: ${outcome.stdout}`);
    return outcome;
  }

  function damagedModel(damage: (dir: string) => void) {
    const broken = writeUntrainedModel();
    damage(broken.dir);
    return broken;
  }

  test('a missing model folder: exit 1, one stderr line naming the missing manifest', async () => {
    const missing = join(model.root, 'no-such-model');

    const { code, stdout, stderr } = await serveMustFail(missing);

    assert.equal(code, 1);
    assert.equal(stdout, '');
    const manifest = join(missing, 'manifest.json');
    assert.equal(stderr, `mnist-gan: ${manifest}: model manifest not found\n`);
  });

  test('garbage weights: exit 1 and one stderr line naming generator.safetensors', async () => {
    const broken = damagedModel((dir) => writeFileSync(join(dir, 'generator.safetensors'), 'junk'));
    try {
      const { code, stderr } = await serveMustFail(broken.dir);

      assert.equal(code, 1);
      assert.equal(
        stderr,
        `mnist-gan: ${join(broken.dir, 'generator.safetensors')}: ` +
          'sha256 does not match the manifest (file damaged or replaced)\n',
      );
    } finally {
      broken.remove();
    }
  });

  test('a manifest whose sha256 does not match: exit 1, one line naming the weights', async () => {
    const broken = damagedModel((dir) => {
      const path = join(dir, 'manifest.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8'));
      manifest.files['generator.safetensors'].sha256 = '0'.repeat(64);
      writeFileSync(path, JSON.stringify(manifest));
    });
    try {
      const { code, stderr } = await serveMustFail(broken.dir);

      assert.equal(code, 1);
      assert.equal(
        stderr,
        `mnist-gan: ${join(broken.dir, 'generator.safetensors')}: ` +
          'sha256 does not match the manifest (file damaged or replaced)\n',
      );
    } finally {
      broken.remove();
    }
  });

  test('a manifest that is not JSON: exit 1 and one stderr line naming manifest.json', async () => {
    const broken = damagedModel((dir) => writeFileSync(join(dir, 'manifest.json'), '{ not json'));
    try {
      const { code, stderr } = await serveMustFail(broken.dir);

      assert.equal(code, 1);
      const prefix = `mnist-gan: ${join(broken.dir, 'manifest.json')}: not valid JSON (`;
      assert.ok(stderr.startsWith(prefix), `stderr was: ${stderr}`);
      assert.equal(stderr.split('\n').length, 2, `stderr is not one line: ${stderr}`);
    } finally {
      broken.remove();
    }
  });
});
