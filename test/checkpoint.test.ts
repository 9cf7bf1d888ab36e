import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { encodeSafetensors } from '../src/models/safetensors.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../src/train/checkpoint.js';
import { temporaryDir } from './fixtures/temp-dir.js';

const SIZES = { generator: 3, discriminator: 2 };

const CHECKPOINT: Checkpoint = {
  architecture: 'seed-mlp',
  epoch: 4,
  stepInEpoch: 17,
  randomState: 3735928559,
  settings: { seed: 7, batchSize: 64, learningRate: 0.002, digits: 1000 },
  epochSums: { discriminator: 20.5, generator: 31.25, steps: 17, seconds: 2.5 },
  seconds: 123.5,
  generator: Float32Array.from([0.5, -0.25, 1]),
  discriminator: Float32Array.from([2, -3]),
  generatorAdam: { step: 97, m: Float32Array.from([1, 2, 3]), v: Float32Array.from([4, 5, 6]) },
  discriminatorAdam: { step: 98, m: Float32Array.from([7, 8]), v: Float32Array.from([9, 10]) },
};

describe('checkpoints', () => {
  const dir = temporaryDir('checkpoint');

  test('load back everything that was saved: position, random state, networks, moments', () => {
    const path = join(dir, 'round-trip.safetensors');
    saveCheckpoint(path, CHECKPOINT);

    assert.deepEqual(loadCheckpoint(path, 'seed-mlp', SIZES), CHECKPOINT);
  });

  test('refuse a checkpoint of another architecture, naming both architectures', () => {
    const path = join(dir, 'other.safetensors');
    saveCheckpoint(path, CHECKPOINT);

    assert.throws(() => loadCheckpoint(path, 'dcgan', SIZES), {
      message: `${path}: checkpoint of architecture "seed-mlp", expected "dcgan"`,
    });
  });

  test('refuse networks of the wrong size, naming the tensor and the size expected', () => {
    const path = join(dir, 'sizes.safetensors');
    saveCheckpoint(path, CHECKPOINT);

    assert.throws(() => loadCheckpoint(path, 'seed-mlp', { generator: 4, discriminator: 2 }), {
      message: `${path}: tensor generator is missing or not of 4 values`,
    });
  });

  test('name the missing checkpoint when there is nothing to resume from', () => {
    const path = join(dir, 'absent.safetensors');

    assert.throws(() => loadCheckpoint(path, 'seed-mlp', SIZES), {
      message: `${path}: no checkpoint to resume from`,
    });
  });

  test('refuse a safetensors file that holds no training state', () => {
    const path = join(dir, 'weights-only.safetensors');
    const weights = { generator: { shape: [3], data: new Float32Array(3) } };
    writeFileSync(path, encodeSafetensors(weights));

    assert.throws(() => loadCheckpoint(path, 'seed-mlp', SIZES), {
      message: `${path}: not a checkpoint of this program (no training state in its metadata)`,
    });
  });

  test('refuse a truncated checkpoint with a message naming the file', () => {
    const path = join(dir, 'cut.safetensors');
    saveCheckpoint(path, CHECKPOINT);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));

    assert.throws(
      () => loadCheckpoint(path, 'seed-mlp', SIZES),
      (error: Error) => {
        assert.ok(error.message.startsWith(`${path}: `), error.message);
        assert.match(error.message, /truncated/);
        return true;
      },
    );
  });
});
