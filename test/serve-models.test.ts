import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { decodePng, type GreyImage } from '../src/image/png.js';
import { useBackend } from '../src/models/backend.js';
import { buildApp } from '../src/serve/app.js';
import { chooseDefault, loadModelFolders, ModelRegistry } from '../src/serve/model-registry.js';
import { writeModelsFolder, type TestModelsFolder } from './support/server-models.js';

// The untrained cdcgan's own digit for some seeds (Generator.digitForSeed): what a conditional
// model draws when no digit is asked for.
const OWN_DIGIT = { 0: 5, 1: 8, 2: 2, 3: 1, 4: 7, 4294967295: 7 };

let folder: TestModelsFolder;
let skipped: string[];
let registry: ModelRegistry;
let app: FastifyInstance;

before(async () => {
  await useBackend('wasm');
  folder = writeModelsFolder();
  skipped = [];
  const loaded = loadModelFolders(folder.root, (problem) => skipped.push(problem));
  registry = new ModelRegistry(loaded.map((model) => model.generator));
  app = await buildApp({ registry, corsOrigins: [] });
});

after(async () => {
  await app.close();
  registry.dispose();
  folder.remove();
});

async function get(url: string) {
  return app.inject({ method: 'GET', url });
}

/** The decoded PNG of a request that must succeed. */
async function image(url: string): Promise<GreyImage> {
  const response = await get(url);
  assert.equal(response.statusCode, 200, `${url} answered: ${response.body}`);
  assert.equal(response.headers['content-type'], 'image/png');
  return decodePng(response.rawPayload);
}

/** The size x size square of `picture` whose top-left corner is (left, top). */
function crop(picture: GreyImage, left: number, top: number, size: number): Uint8Array {
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const start = (top + y) * picture.width + left;
    pixels.set(picture.pixels.subarray(start, start + size), y * size);
  }
  return pixels;
}

function fromDataUrl(url: string): GreyImage {
  assert.ok(url.startsWith('data:image/png;base64,'), `not a PNG data URL: ${url.slice(0, 40)}`);
  return decodePng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
}

/** Asserts a 400 whose JSON body names `parameter` with exactly `message`. */
async function assertRefused(url: string, parameter: string, message: string) {
  const response = await get(url);
  assert.equal(response.statusCode, 400, `${url} answered ${response.statusCode}`);
  const body = response.json();
  assert.equal(body.parameter, parameter);
  assert.equal(body.message, message);
}

describe('loading a folder of models', () => {
  test('loads seed-mlp and cdcgan, skips broken/ with one line naming its manifest', () => {
    assert.deepEqual(registry.names, ['cdcgan', 'seed-mlp']);
    assert.equal(skipped.length, 1);
    const prefix = `${join(folder.root, 'broken', 'manifest.json')}: not valid JSON (`;
    assert.ok(skipped[0].startsWith(prefix), `skip line was: ${skipped[0]}`);
    assert.doesNotMatch(skipped[0], /\n/);
  });

  test('a folder with no loadable model fails, naming the folder', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mnist-gan-no-models-'));
    try {
      assert.throws(() => loadModelFolders(empty, () => {}), {
        message:
          `${empty}: no model could be loaded; ` +
          'each model is a subfolder holding manifest.json and generator.safetensors',
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a folder that does not exist fails, naming it', () => {
    const missing = join(folder.root, 'no-such-folder');

    assert.throws(() => loadModelFolders(missing, () => {}), {
      message: `${missing}: models folder not found`,
    });
  });
});

describe('choosing the default model', () => {
  const model = (name: string, conditional: boolean) => ({ name, conditional });

  test('a conditional model wins, cdcgan before other conditional ones', () => {
    const models = [model('seed-mlp', false), model('acgan', true), model('cdcgan', true)];

    assert.equal(chooseDefault(models).name, 'cdcgan');
  });

  test('without cdcgan, the first conditional model by name', () => {
    const models = [model('seed-mlp', false), model('zeta', true), model('beta', true)];

    assert.equal(chooseDefault(models).name, 'beta');
  });

  test('with no conditional model, seed-mlp', () => {
    const models = [model('alpha', false), model('seed-mlp', false)];

    assert.equal(chooseDefault(models).name, 'seed-mlp');
  });

  test('otherwise the first by name', () => {
    assert.equal(chooseDefault([model('zeta', false), model('alpha', false)]).name, 'alpha');
  });

  test('a default asked for by name wins, and an unknown one is refused with the names', () => {
    const generators = registry.models;

    assert.equal(new ModelRegistry(generators, 'seed-mlp').default.name, 'seed-mlp');
    assert.throws(() => new ModelRegistry(generators, 'nope'), {
      message: 'default model "nope" is not loaded; loaded models: cdcgan, seed-mlp',
    });
  });
});

describe('GET /models and GET /health', () => {
  test('/models lists exactly the two loaded models, with cdcgan as default', async () => {
    const response = await get('/models');

    assert.equal(response.statusCode, 200);
    const manifest = (name: string) =>
      JSON.parse(readFileSync(join(folder.root, name, 'manifest.json'), 'utf8'));
    assert.deepEqual(response.json(), {
      default: 'cdcgan',
      models: [
        { name: 'cdcgan', conditional: true, classes: 10, manifest: manifest('cdcgan') },
        { name: 'seed-mlp', conditional: false, classes: 0, manifest: manifest('seed-mlp') },
      ],
    });
  });

  test('/health names the default model', async () => {
    assert.deepEqual((await get('/health')).json(), { status: 'ok', model: 'cdcgan' });
  });
});

describe('GET /generate?model', () => {
  test('without ?model the default, cdcgan, draws', async () => {
    const body = (await get('/generate?seed=1&format=json')).json();

    assert.equal(body.model, 'cdcgan');
  });

  test('?model=seed-mlp draws with seed-mlp: digit null, no x-digit', async () => {
    const response = await get('/generate?seed=1&model=seed-mlp&format=json');

    assert.equal(response.statusCode, 200);
    assert.equal(response.json().model, 'seed-mlp');
    assert.equal(response.json().digit, null);
    assert.equal(response.headers['x-seed'], '1');
    assert.equal(response.headers['x-digit'], undefined);
  });

  test('two models draw different images for one seed', async () => {
    const cdcgan = await image('/generate?seed=1&model=cdcgan');
    const seedMlp = await image('/generate?seed=1&model=seed-mlp');

    assert.notDeepEqual(cdcgan.pixels, seedMlp.pixels);
  });

  test('?model=nope is refused with 400 naming model and listing the loaded ones', async () => {
    const response = await get('/generate?model=nope');

    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      statusCode: 400,
      error: 'Bad Request',
      message:
        'query parameter "model" must be equal to one of the allowed values; ' +
        'allowed: cdcgan, seed-mlp',
      parameter: 'model',
      allowed: 'cdcgan, seed-mlp',
    });
  });

  for (const name of ['../etc', '..%2F..%2Fetc%2Fpasswd', '%2Fetc', 'broken', '__proto__']) {
    test(`?model=${name} is refused with 400 naming model`, async () => {
      const response = await get(`/generate?model=${name}`);

      assert.equal(response.statusCode, 400);
      assert.equal(response.json().parameter, 'model');
      assert.equal(response.json().allowed, 'cdcgan, seed-mlp');
    });
  }
});

describe('GET /generate?digit', () => {
  test('?digit=7 with the conditional model: 200 and x-digit 7', async () => {
    const response = await get('/generate?seed=1&digit=7');

    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-digit'], '7');
    assert.equal(response.headers['x-seed'], '1');
  });

  test('one seed and one digit give byte-identical images', async () => {
    const first = await get('/generate?seed=1&digit=7');
    const second = await get('/generate?seed=1&digit=7');

    assert.deepEqual(first.rawPayload, second.rawPayload);
  });

  test('one seed with different digits gives different images', async () => {
    const seven = await image('/generate?seed=1&digit=7');
    const three = await image('/generate?seed=1&digit=3');

    assert.notDeepEqual(seven.pixels, three.pixels);
  });

  test("without digit, the seed's own digit (seed 1: 8), the same as asking for it", async () => {
    const response = await get('/generate?seed=1');

    assert.equal(response.headers['x-digit'], String(OWN_DIGIT[1]));
    assert.deepEqual(response.rawPayload, (await get('/generate?seed=1&digit=8')).rawPayload);
  });

  test('a random image carries its seed and digit, and the seed alone redraws it', async () => {
    const random = await get('/generate');
    const again = await get(`/generate?seed=${random.headers['x-seed']}`);

    assert.match(String(random.headers['x-digit']), /^[0-9]$/);
    assert.equal(again.headers['x-digit'], random.headers['x-digit']);
    assert.deepEqual(again.rawPayload, random.rawPayload);
  });

  test('the JSON form carries the digit', async () => {
    const body = (await get('/generate?seed=2&format=json')).json();

    assert.deepEqual(Object.keys(body).sort(), ['digit', 'image', 'model', 'seed']);
    assert.equal(body.digit, OWN_DIGIT[2]);
    assert.equal(body.seed, 2);
    assert.equal(body.model, 'cdcgan');
  });

  test('x-digit can be read by a browser on another origin', async () => {
    const response = await app.inject({
      url: '/generate?seed=1',
      headers: { origin: 'https://example.org' },
    });

    assert.equal(response.headers['access-control-expose-headers'], 'x-seed, x-digit');
  });

  test('?digit=7&model=seed-mlp is refused: seed-mlp is not conditional', async () => {
    await assertRefused(
      '/generate?digit=7&model=seed-mlp',
      'digit',
      'query parameter "digit" does not apply: model seed-mlp is not conditional; ' +
        'leave digit out, or ask model=cdcgan',
    );
  });

  const allowed = 'allowed: an integer from 0 to 9';
  const cases = [
    { query: 'digit=10', message: `query parameter "digit" must be <= 9; ${allowed}` },
    { query: 'digit=-1', message: `query parameter "digit" must be >= 0; ${allowed}` },
    { query: 'digit=a', message: `query parameter "digit" must be integer; ${allowed}` },
    { query: 'digit=2.5', message: `query parameter "digit" must be integer; ${allowed}` },
  ];
  for (const { query, message } of cases) {
    test(`?${query} is refused with 400 naming digit`, async () => {
      await assertRefused(`/generate?${query}`, 'digit', message);
    });
  }
});

describe('GET /generate/grid', () => {
  test('n=16: one PNG of 4 x 4 digits with 2-pixel gaps, 122 x 122', async () => {
    const grid = await image('/generate/grid?n=16&seed=1');

    assert.equal(grid.width, 122);
    assert.equal(grid.height, 122);
  });

  test('by default 16 digits; the seed is random and comes back in x-seed', async () => {
    const response = await get('/generate/grid');

    assert.equal(response.statusCode, 200);
    assert.equal(decodePng(response.rawPayload).width, 122);
    assert.match(String(response.headers['x-seed']), /^\d+$/);
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('n=5 makes 3 columns and 2 rows: 92 x 62', async () => {
    const grid = await image('/generate/grid?n=5&seed=1');

    assert.equal(grid.width, 92);
    assert.equal(grid.height, 62);
  });

  test('columns=10 with n=4 is capped to 4 columns: 122 x 32', async () => {
    const grid = await image('/generate/grid?n=4&columns=10&seed=1');

    assert.equal(grid.width, 122);
    assert.equal(grid.height, 32);
  });

  test('scale=2 enlarges each digit to 56 pixels, gaps stay 2: n=4 is 118 x 118', async () => {
    const grid = await image('/generate/grid?n=4&seed=1&scale=2');

    assert.equal(grid.width, 118);
    assert.equal(grid.height, 118);
  });

  test('cell i is the digit of seed + i, exactly as /generate draws it', async () => {
    const grid = await image('/generate/grid?n=4&seed=1&digit=6');

    for (let i = 0; i < 4; i++) {
      const left = 2 + (i % 2) * 30;
      const top = 2 + Math.floor(i / 2) * 30;
      const single = await image(`/generate?seed=${1 + i}&digit=6`);
      assert.deepEqual(crop(grid, left, top, 28), single.pixels, `cell ${i} differs`);
    }
  });

  test('JSON: seeds in order, wrapping after 4294967295, each its own digit', async () => {
    const response = await get('/generate/grid?n=3&seed=4294967295&format=json');

    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['digits', 'image', 'model', 'seeds']);
    assert.deepEqual(body.seeds, [4294967295, 0, 1]);
    assert.deepEqual(body.digits, [OWN_DIGIT[4294967295], OWN_DIGIT[0], OWN_DIGIT[1]]);
    assert.equal(body.model, 'cdcgan');
    assert.equal(fromDataUrl(body.image).width, 62);
    assert.equal(response.headers['x-seed'], '4294967295');
    assert.equal(response.headers['x-digit'], undefined);
  });

  test('digit=3 makes every cell a 3, and says so in x-digit', async () => {
    const response = await get('/generate/grid?n=3&seed=1&digit=3&format=json');

    assert.deepEqual(response.json().digits, [3, 3, 3]);
    assert.equal(response.headers['x-digit'], '3');
  });

  test('with seed-mlp the digits are null', async () => {
    const body = (await get('/generate/grid?n=2&seed=1&model=seed-mlp&format=json')).json();

    assert.deepEqual(body.digits, [null, null]);
    assert.equal(body.model, 'seed-mlp');
  });

  test('n=101 and n=0 are refused with 400 naming n', async () => {
    const allowed = 'allowed: an integer from 1 to 100';
    await assertRefused(
      '/generate/grid?n=101',
      'n',
      `query parameter "n" must be <= 100; ${allowed}`,
    );
    await assertRefused('/generate/grid?n=0', 'n', `query parameter "n" must be >= 1; ${allowed}`);
  });

  test('digit with seed-mlp, and unknown parameters, are refused', async () => {
    await assertRefused(
      '/generate/grid?model=seed-mlp&digit=1',
      'digit',
      'query parameter "digit" does not apply: model seed-mlp is not conditional; ' +
        'leave digit out, or ask model=cdcgan',
    );
    await assertRefused(
      '/generate/grid?size=3',
      'size',
      'unknown query parameter "size"; known: n, columns, seed, digit, model, scale, format',
    );
  });
});

describe('GET /interpolate', () => {
  test('from=1&to=2&steps=5: a strip of 5 frames, 152 x 32', async () => {
    const strip = await image('/interpolate?from=1&to=2&steps=5');

    assert.equal(strip.width, 152);
    assert.equal(strip.height, 32);
  });

  test("its first and last frames are seed 1's and seed 2's images, digit fixed", async () => {
    const strip = await image('/interpolate?from=1&to=2&steps=5&digit=4&scale=2');

    const first = await image('/generate?seed=1&digit=4&scale=2');
    const last = await image('/generate?seed=2&digit=4&scale=2');
    assert.deepEqual(crop(strip, 2, 2, 56), first.pixels);
    assert.deepEqual(crop(strip, 2 + 4 * 58, 2, 56), last.pixels);
    assert.notDeepEqual(crop(strip, 2 + 2 * 58, 2, 56), first.pixels);
  });

  test("without digit the whole walk draws the from seed's digit (seed 1: 8)", async () => {
    const response = await get('/interpolate?from=1&to=2&steps=3');
    const strip = decodePng(response.rawPayload);

    assert.equal(response.headers['x-digit'], String(OWN_DIGIT[1]));
    assert.deepEqual(crop(strip, 2, 2, 28), (await image('/generate?seed=1')).pixels);
    assert.deepEqual(crop(strip, 62, 2, 28), (await image('/generate?seed=2&digit=8')).pixels);
  });

  test('with seed-mlp the ends are the images of seeds 1 and 2', async () => {
    const strip = await image('/interpolate?from=1&to=2&steps=4&model=seed-mlp');

    const first = await image('/generate?seed=1&model=seed-mlp');
    const last = await image('/generate?seed=2&model=seed-mlp');
    assert.deepEqual(crop(strip, 2, 2, 28), first.pixels);
    assert.deepEqual(crop(strip, 2 + 3 * 30, 2, 28), last.pixels);
  });

  test('by default 8 frames: 242 x 32', async () => {
    const strip = await image('/interpolate?from=1&to=2');

    assert.equal(strip.width, 242);
    assert.equal(strip.height, 32);
  });

  test('JSON: one data URL per frame, and the walk it drew', async () => {
    const response = await get('/interpolate?from=1&to=2&steps=5&digit=4&format=json');

    assert.equal(response.statusCode, 200);
    const body = response.json();
    const { frames, ...rest } = body;
    assert.deepEqual(rest, { from: 1, to: 2, steps: 5, digit: 4, model: 'cdcgan' });
    assert.equal(frames.length, 5);
    assert.deepEqual(
      fromDataUrl(frames[0]).pixels,
      (await image('/generate?seed=1&digit=4')).pixels,
    );
    assert.deepEqual(
      fromDataUrl(frames[4]).pixels,
      (await image('/generate?seed=2&digit=4')).pixels,
    );
  });

  test('JSON with seed-mlp: digit null', async () => {
    const body = (await get('/interpolate?from=1&to=2&steps=2&model=seed-mlp&format=json')).json();

    assert.equal(body.digit, null);
    assert.equal(body.model, 'seed-mlp');
  });

  test('steps=1 and steps=65 are refused with 400 naming steps', async () => {
    const allowed = 'allowed: an integer from 2 to 64';
    const url = '/interpolate?from=1&to=2';
    await assertRefused(
      `${url}&steps=1`,
      'steps',
      `query parameter "steps" must be >= 2; ${allowed}`,
    );
    await assertRefused(
      `${url}&steps=65`,
      'steps',
      `query parameter "steps" must be <= 64; ${allowed}`,
    );
  });

  test('from and to are required', async () => {
    const allowed = 'allowed: an integer from 0 to 4294967295';
    await assertRefused(
      '/interpolate?to=2',
      'from',
      `query parameter "from" is required; ${allowed}`,
    );
    await assertRefused(
      '/interpolate?from=1',
      'to',
      `query parameter "to" is required; ${allowed}`,
    );
  });

  test('digit with seed-mlp is refused', async () => {
    const response = await get('/interpolate?from=1&to=2&model=seed-mlp&digit=3');

    assert.equal(response.statusCode, 400);
    assert.equal(response.json().parameter, 'digit');
  });
});

describe('the OpenAPI document', () => {
  interface Parameter {
    in: string;
    name: string;
    description?: string;
  }

  const routes: Record<string, string[]> = {
    '/generate': ['digit', 'format', 'model', 'scale', 'seed'],
    '/generate/grid': ['columns', 'digit', 'format', 'model', 'n', 'scale', 'seed'],
    '/interpolate': ['digit', 'format', 'from', 'model', 'scale', 'steps', 'to'],
  };

  for (const [path, names] of Object.entries(routes)) {
    test(`documents ${path} with a description of every parameter`, async () => {
      const spec = (await get('/openapi.json')).json();
      const parameters: Parameter[] = spec.paths[path].get.parameters;

      assert.deepEqual(parameters.map((p) => p.name).sort(), names);
      for (const parameter of parameters) {
        assert.ok(parameter.description, `${path} ${parameter.name} has no description`);
      }
    });
  }

  test('lists the loaded model names as the values of model', async () => {
    const spec = (await get('/openapi.json')).json();
    const model = spec.paths['/generate'].get.parameters.find((p: Parameter) => p.name === 'model');

    assert.deepEqual(model.schema.enum, ['cdcgan', 'seed-mlp']);
  });

  test('documents /models', async () => {
    const spec = (await get('/openapi.json')).json();

    assert.ok(spec.paths['/models'].get);
  });
});
