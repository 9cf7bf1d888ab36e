import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadGenerator, saveGenerator, type Manifest } from '../src/models/model-file.js';
import { Random, uniformArray } from '../src/models/random.js';
import { temporaryDir } from './fixtures/temp-dir.js';

const MANIFEST: Omit<Manifest, 'files'> = {
  name: 'seed-mlp',
  architecture: 'seed-mlp',
  latentSize: 100,
  latentDistribution: 'uniform(-1,1)',
  classes: 0,
  imageSize: 28,
  parameters: 114800,
  dataset: { name: 'MNIST', source: 'test', split: 'train', count: 60000 },
  training: null,
  created: '2026-01-01T00:00:00.000Z',
};

// A generator of the right size for seed-mlp: 114800 parameters.
const PARAMETERS = uniformArray(new Random(1), 114800, -0.1, 0.1);

describe('model folders', () => {
  const root = temporaryDir('model');

  test('load back the manifest and the generator parameters that were saved', () => {
    const dir = join(root, 'round-trip');
    saveGenerator(dir, MANIFEST, PARAMETERS);

    const loaded = loadGenerator(dir);

    assert.deepEqual(loaded.parameters, PARAMETERS);
    assert.equal(loaded.architecture.name, 'seed-mlp');
    assert.equal(loaded.architecture.parameterCount, 114800);
    assert.equal(loaded.manifest.architecture, 'seed-mlp');
  });

  test('record the size and sha256 of the weights file in the manifest', () => {
    const dir = join(root, 'hash');
    const manifest = saveGenerator(dir, MANIFEST, PARAMETERS);

    const weights = readFileSync(join(dir, 'generator.safetensors'));
    const onDisk = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const expected = {
      sha256: createHash('sha256').update(weights).digest('hex'),
      bytes: weights.length,
    };
    assert.deepEqual(onDisk.files, { 'generator.safetensors': expected });
    assert.deepEqual(manifest.files, onDisk.files);
  });

  test('refuse a generator with the wrong number of parameters', () => {
    const dir = join(root, 'short');
    saveGenerator(dir, MANIFEST, new Float32Array(10));

    const expected = /expected a "generator" tensor of 114800 values for seed-mlp$/;
    assert.throws(() => loadGenerator(dir), expected);
  });

  test('name the missing manifest', () => {
    const dir = join(root, 'empty');

    assert.throws(() => loadGenerator(dir), {
      message: `${join(dir, 'manifest.json')}: model manifest not found`,
    });
  });
});
