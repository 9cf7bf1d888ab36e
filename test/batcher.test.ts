import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { useBackend } from '../src/models/backend.js';
import { Generator } from '../src/models/generator.js';
import { GenerationBatcher } from '../src/serve/batcher.js';
import { writeModelsFolder, type TestModelsFolder } from './support/server-models.js';

/** Dynamic batching must change how many passes run, never what any image looks like. */
let folder: TestModelsFolder;
let seedMlp: Generator;
let cdcgan: Generator;
const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + 7 * i);

before(async () => {
  await useBackend('wasm');
  folder = writeModelsFolder();
  seedMlp = Generator.load(join(folder.root, 'seed-mlp'));
  cdcgan = Generator.load(join(folder.root, 'cdcgan'));
});

after(() => {
  seedMlp.dispose();
  cdcgan.dispose();
  folder.remove();
});

describe('dynamic batching', () => {
  for (const name of ['seed-mlp', 'cdcgan']) {
    test(`${name}: requests arriving together are drawn in one pass, each as if alone`, async () => {
      const generator = name === 'cdcgan' ? cdcgan : seedMlp;
      const digits = SEEDS.map((_, i) => (generator.conditional ? i % 10 : null));
      const batcher = new GenerationBatcher({ maxBatch: 64, maxWaitMs: 0 });

      const batched = await Promise.all(
        SEEDS.map((seed, i) => batcher.generate(generator, [seed], [digits[i]])),
      );

      assert.deepEqual(batcher.stats, { batches: 1, images: 20, largestBatch: 20 });
      SEEDS.forEach((seed, i) => {
        const [alone] = generator.generate([seed], [digits[i]]);
        assert.deepEqual(batched[i][0], alone, `seed ${seed} differs when batched`);
      });
    });
  }

  test('splits a crowd into batches of at most maxBatch, oldest first', async () => {
    const batcher = new GenerationBatcher({ maxBatch: 8, maxWaitMs: 0 });
    await Promise.all(SEEDS.map((seed) => batcher.generate(seedMlp, [seed], [null])));
    assert.deepEqual(batcher.stats, { batches: 3, images: 20, largestBatch: 8 });
  });

  test('with maxWaitMs, a request joins a batch opened a little earlier', async () => {
    const batcher = new GenerationBatcher({ maxBatch: 64, maxWaitMs: 50 });
    const first = batcher.generate(seedMlp, [1], [null]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = batcher.generate(seedMlp, [2], [null]);
    await Promise.all([first, second]);
    assert.deepEqual(batcher.stats, { batches: 1, images: 2, largestBatch: 2 });
  });

  test('keeps each model in its own batches', async () => {
    const batcher = new GenerationBatcher({ maxBatch: 64, maxWaitMs: 0 });
    await Promise.all([
      batcher.generate(seedMlp, [1, 2], [null, null]),
      batcher.generate(cdcgan, [1, 2, 3], [4, 5, 6]),
    ]);
    assert.deepEqual(batcher.stats, { batches: 2, images: 5, largestBatch: 3 });
  });

  test('a failed pass rejects every request in it', async () => {
    const batcher = new GenerationBatcher({ maxBatch: 64, maxWaitMs: 0 });
    // Digit 12 does not exist: the pass throws, and both requests sharing it hear of it.
    const results = await Promise.allSettled([
      batcher.generate(cdcgan, [1], [3]),
      batcher.generate(cdcgan, [2], [12]),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
    );
  });

  test('refuses a largest batch below 1 and a negative wait, naming the setting', () => {
    assert.throws(() => new GenerationBatcher({ maxBatch: 0, maxWaitMs: 0 }), /largest batch/);
    assert.throws(
      () => new GenerationBatcher({ maxBatch: 8, maxWaitMs: -1 }),
      /longest batch wait/,
    );
  });
});
