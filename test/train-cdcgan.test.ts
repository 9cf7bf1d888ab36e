import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { defaultDataDir } from '../src/data/mnist.js';
import { decodePng } from '../src/image/png.js';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { train, type TrainOptions } from '../src/train/train.js';
import { temporaryDir } from './fixtures/temp-dir.js';

/**
 * The conditional cdcgan through the same training loop: the first 64 digits in batches of 32,
 * two steps an epoch, kept tiny because a cdcgan step costs about 20 seed-mlp steps.
 */
const root = temporaryDir('train-cdcgan');
const SIZES = { generator: 367777, discriminator: 52171 };

function options(out: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    architecture: 'cdcgan',
    epochs: 2,
    batchSize: 32,
    learningRate: 2e-4,
    seed: 0,
    data: defaultDataDir(),
    out,
    resume: false,
    limit: 64,
    backend: 'wasm',
    progress: false,
    log: () => {},
    ...overrides,
  };
}

before(async () => {
  await useBackend('wasm');
  await train(options(join(root, 'straight')), () => false);
});

describe('cdcgan training', () => {
  test('draws a sample grid of four rows of the digits 0 to 9', () => {
    const grid = decodePng(readFileSync(join(root, 'straight', 'samples', 'epoch-002.png')));
    // 10 columns of 112-pixel digits (28 x 4) with 4-pixel gaps: 10 * 112 + 11 * 4 = 1164.
    assert.equal(grid.width, 1164);
    // 4 rows: 4 * 112 + 5 * 4 = 468.
    assert.equal(grid.height, 468);
  });

  test('exports a conditional model of 367,777 parameters that serves digits on request', () => {
    const generator = Generator.load(join(root, 'straight', 'model'));
    assert.equal(generator.manifest.classes, 10);
    assert.equal(generator.manifest.parameters, 367777);
    const [seven, three] = generator.generate([5, 5], [7, 3]);
    assert.equal(seven.length, 784);
    assert.notDeepEqual(seven, three, 'the digit asked for changes the image');
    generator.dispose();
  });

  test('keeps the running average of the generator in its checkpoint and serves it', () => {
    const checkpoint = loadCheckpoint(
      join(root, 'straight', 'checkpoint.safetensors'),
      'cdcgan',
      SIZES,
    );
    assert.equal(checkpoint.generatorAverage?.length, 367777);
    assert.notDeepEqual(checkpoint.generatorAverage, checkpoint.generator);
  });

  test('resumed after epoch 1 ends bit-identical to the straight run, average included', async () => {
    const out = join(root, 'resumed');
    await train(options(out, { epochs: 1 }), () => false);
    await train(options(out, { resume: true }), () => false);

    const resumed = loadCheckpoint(join(out, 'checkpoint.safetensors'), 'cdcgan', SIZES);
    const straight = loadCheckpoint(
      join(root, 'straight', 'checkpoint.safetensors'),
      'cdcgan',
      SIZES,
    );
    assert.deepEqual(resumed.generator, straight.generator);
    assert.deepEqual(resumed.discriminator, straight.discriminator);
    assert.deepEqual(resumed.generatorAverage, straight.generatorAverage);
    assert.deepEqual(resumed.generatorAdam, straight.generatorAdam);
  });

  test('--fake-class-weight 0 on resume: logged, kept, and the discriminator steps differ', async () => {
    const out = join(root, 'real-digits-only');
    await train(options(out, { epochs: 1 }), () => false);
    const log: string[] = [];
    await train(
      options(out, { resume: true, fakeClassWeight: 0, log: (l) => log.push(l) }),
      () => false,
    );

    assert.ok(log.includes('fake-class weight 1 -> 0 from epoch 2 on'), log.join('\n'));
    const changed = loadCheckpoint(join(out, 'checkpoint.safetensors'), 'cdcgan', SIZES);
    assert.deepEqual(changed.settings.schedule, [
      { fromEpoch: 1, learningRate: 2e-4, fakeClassWeight: 1, generatorClassWeight: 1 },
      { fromEpoch: 2, learningRate: 2e-4, fakeClassWeight: 0, generatorClassWeight: 1 },
    ]);
    const straight = loadCheckpoint(
      join(root, 'straight', 'checkpoint.safetensors'),
      'cdcgan',
      SIZES,
    );
    assert.notDeepEqual(changed.discriminator, straight.discriminator);
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8'));
    assert.equal(manifest.training.fakeClassWeight, 0);
  });

  test('--generator-class-weight 1 on resume changes nothing: no log line, same weights', async () => {
    const out = join(root, 'generator-default');
    await train(options(out, { epochs: 1 }), () => false);
    const log: string[] = [];
    await train(
      options(out, { resume: true, generatorClassWeight: 1, log: (l) => log.push(l) }),
      () => false,
    );
    assert.deepEqual(
      log.filter((line) => line.includes('weight')),
      [],
    );
    const resumed = loadCheckpoint(join(out, 'checkpoint.safetensors'), 'cdcgan', SIZES);
    assert.equal(resumed.settings.schedule, undefined);
    const straight = loadCheckpoint(
      join(root, 'straight', 'checkpoint.safetensors'),
      'cdcgan',
      SIZES,
    );
    assert.deepEqual(resumed.generator, straight.generator);
  });

  test('--generator-class-weight 0.25 on resume: logged, scheduled, manifest, steps differ', async () => {
    const out = join(root, 'generator-weight');
    await train(options(out, { epochs: 1 }), () => false);
    const log: string[] = [];
    await train(
      options(out, { resume: true, generatorClassWeight: 0.25, log: (l) => log.push(l) }),
      () => false,
    );

    assert.ok(log.includes('generator class weight 1 -> 0.25 from epoch 2 on'), log.join('\n'));
    const changed = loadCheckpoint(join(out, 'checkpoint.safetensors'), 'cdcgan', SIZES);
    assert.equal(changed.settings.generatorClassWeight, 0.25);
    assert.deepEqual(changed.settings.schedule, [
      { fromEpoch: 1, learningRate: 2e-4, fakeClassWeight: 1, generatorClassWeight: 1 },
      { fromEpoch: 2, learningRate: 2e-4, fakeClassWeight: 1, generatorClassWeight: 0.25 },
    ]);
    const straight = loadCheckpoint(
      join(root, 'straight', 'checkpoint.safetensors'),
      'cdcgan',
      SIZES,
    );
    assert.notDeepEqual(changed.generator, straight.generator);
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8'));
    assert.equal(manifest.training.generatorClassWeight, 0.25);
    assert.equal(manifest.training.fakeClassWeight, 1);
  });

  test('--generator-class-weight is refused for seed-mlp, which has no digit loss', async () => {
    await assert.rejects(
      train(
        options(join(root, 'mlp-weight'), { architecture: 'seed-mlp', generatorClassWeight: 0 }),
        () => false,
      ),
      {
        message:
          '--generator-class-weight applies to conditional architectures (cdcgan), not seed-mlp',
      },
    );
  });

  test('--fake-class-weight is refused for seed-mlp, which has no digit loss', async () => {
    await assert.rejects(
      train(
        options(join(root, 'mlp'), { architecture: 'seed-mlp', fakeClassWeight: 0 }),
        () => false,
      ),
      {
        message: '--fake-class-weight applies to conditional architectures (cdcgan), not seed-mlp',
      },
    );
  });
});
