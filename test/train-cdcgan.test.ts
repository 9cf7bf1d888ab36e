import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { defaultDataDir } from '../src/data/mnist.js';
import { decodePng } from '../src/image/png.js';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import type { SettingsFrom } from '../src/models/model-file.js';
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

/** The checkpoint of the two-epoch run every resumed run here is compared with. */
function straightCheckpoint() {
  return loadCheckpoint(join(root, 'straight', 'checkpoint.safetensors'), 'cdcgan', SIZES);
}

/**
 * Trains one epoch in a new run folder `name`, then resumes it to epoch 2 with `changes`:
 * what the resumed run logged, its checkpoint and its model's manifest.
 */
async function resumedWith(name: string, changes: Partial<TrainOptions>) {
  const out = join(root, name);
  await train(options(out, { epochs: 1 }), () => false);
  const log: string[] = [];
  await train(options(out, { resume: true, ...changes, log: (l) => log.push(l) }), () => false);
  return {
    log,
    checkpoint: loadCheckpoint(join(out, 'checkpoint.safetensors'), 'cdcgan', SIZES),
    manifest: JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8')),
  };
}

/** A part of a resumed run's schedule: the settings of `options` with `changes`. */
function part(fromEpoch: number, changes: Partial<SettingsFrom> = {}): SettingsFrom {
  return {
    fromEpoch,
    learningRate: 2e-4,
    fakeClassWeight: 1,
    generatorClassWeight: 1,
    diversityWeight: 0,
    averageDecay: 0.999,
    spreadGroup: 0,
    ...changes,
  };
}

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
    const checkpoint = straightCheckpoint();
    assert.equal(checkpoint.generatorAverage?.length, 367777);
    assert.notDeepEqual(checkpoint.generatorAverage, checkpoint.generator);
  });

  test('resumed after epoch 1 ends bit-identical to the straight run, average included', async () => {
    const { checkpoint: resumed } = await resumedWith('resumed', {});
    const straight = straightCheckpoint();
    assert.deepEqual(resumed.generator, straight.generator);
    assert.deepEqual(resumed.discriminator, straight.discriminator);
    assert.deepEqual(resumed.generatorAverage, straight.generatorAverage);
    assert.deepEqual(resumed.generatorAdam, straight.generatorAdam);
  });

  test('--fake-class-weight 0 on resume: logged, kept, and the discriminator steps differ', async () => {
    const changed = await resumedWith('real-digits-only', { fakeClassWeight: 0 });
    assert.ok(
      changed.log.includes('fake-class weight 1 -> 0 from epoch 2 on'),
      changed.log.join('\n'),
    );
    assert.deepEqual(changed.checkpoint.settings.schedule, [
      part(1),
      part(2, { fakeClassWeight: 0 }),
    ]);
    assert.notDeepEqual(changed.checkpoint.discriminator, straightCheckpoint().discriminator);
    assert.equal(changed.manifest.training.fakeClassWeight, 0);
  });

  test('--generator-class-weight 1 on resume changes nothing: no log line, same weights', async () => {
    const resumed = await resumedWith('generator-default', { generatorClassWeight: 1 });
    assert.deepEqual(
      resumed.log.filter((line) => line.includes('weight')),
      [],
    );
    assert.equal(resumed.checkpoint.settings.schedule, undefined);
    assert.deepEqual(resumed.checkpoint.generator, straightCheckpoint().generator);
  });

  test('--generator-class-weight 0.25 on resume: logged, scheduled, manifest, steps differ', async () => {
    const changed = await resumedWith('generator-weight', { generatorClassWeight: 0.25 });
    assert.ok(
      changed.log.includes('generator class weight 1 -> 0.25 from epoch 2 on'),
      changed.log.join('\n'),
    );
    assert.equal(changed.checkpoint.settings.generatorClassWeight, 0.25);
    assert.deepEqual(changed.checkpoint.settings.schedule, [
      part(1),
      part(2, { generatorClassWeight: 0.25 }),
    ]);
    assert.notDeepEqual(changed.checkpoint.generator, straightCheckpoint().generator);
    assert.equal(changed.manifest.training.generatorClassWeight, 0.25);
    assert.equal(changed.manifest.training.fakeClassWeight, 1);
  });

  test('--diversity-weight 1 on resume: logged, scheduled, manifest, generator steps differ', async () => {
    const changed = await resumedWith('diversity', { diversityWeight: 1 });
    assert.ok(
      changed.log.includes('diversity weight 0 -> 1 from epoch 2 on'),
      changed.log.join('\n'),
    );
    assert.equal(changed.checkpoint.settings.diversityWeight, 1);
    assert.equal(changed.checkpoint.settings.schedule?.at(-1)?.diversityWeight, 1);
    assert.equal(changed.manifest.training.diversityWeight, 1);
    const straight = straightCheckpoint();
    assert.notDeepEqual(changed.checkpoint.generator, straight.generator);
    // The pairs reuse the run's draws, so the random stream goes on as in the straight run.
    assert.equal(changed.checkpoint.randomState, straight.randomState);
  });

  test('--average-decay 0 on resume: the generator trains as before, the average is its last weights', async () => {
    const changed = await resumedWith('no-average', { averageDecay: 0 });
    assert.ok(
      changed.log.includes('average decay 0.999 -> 0 from epoch 2 on'),
      changed.log.join('\n'),
    );
    const straight = straightCheckpoint();
    // The decay only changes what is served, never the training steps.
    assert.deepEqual(changed.checkpoint.generator, straight.generator);
    assert.deepEqual(changed.checkpoint.discriminator, straight.discriminator);
    // Keeping none of the old average at each step leaves exactly the newest weights.
    assert.deepEqual(changed.checkpoint.generatorAverage, straight.generator);
    assert.notDeepEqual(straight.generatorAverage, straight.generator);
    assert.equal(changed.manifest.training.averageDecay, 0);
    assert.deepEqual(changed.checkpoint.settings.schedule?.at(-1), part(2, { averageDecay: 0 }));
  });

  test('--spread-group 4 on resume: logged, scheduled, same parameters, steps differ', async () => {
    const changed = await resumedWith('spread', { spreadGroup: 4 });
    assert.ok(changed.log.includes('spread group 0 -> 4 from epoch 2 on'), changed.log.join('\n'));
    assert.deepEqual(changed.checkpoint.settings.schedule?.at(-1), part(2, { spreadGroup: 4 }));
    assert.equal(changed.manifest.training.spreadGroup, 4);
    // The spread takes over a channel rather than adding one: the same 52,171 parameters.
    assert.equal(changed.checkpoint.discriminator.length, SIZES.discriminator);
    assert.notDeepEqual(changed.checkpoint.discriminator, straightCheckpoint().discriminator);
  });

  const refusedForSeedMlp: [Partial<TrainOptions>, string][] = [
    [{ averageDecay: 0.9 }, '--average-decay applies to architectures that serve a weight average'],
    [{ generatorClassWeight: 0 }, '--generator-class-weight applies to conditional architectures'],
    [{ fakeClassWeight: 0 }, '--fake-class-weight applies to conditional architectures'],
    [{ diversityWeight: 1 }, '--diversity-weight applies to conditional architectures'],
    [{ spreadGroup: 4 }, '--spread-group applies to conditional architectures'],
  ];
  for (const [setting, refusal] of refusedForSeedMlp) {
    test(`${refusal.split(' ')[0]} is refused for seed-mlp, which has no such setting`, async () => {
      const out = join(root, `mlp-${Object.keys(setting)[0]}`);
      await assert.rejects(
        train(options(out, { architecture: 'seed-mlp', ...setting }), () => false),
        { message: `${refusal} (cdcgan), not seed-mlp` },
      );
    });
  }
});
