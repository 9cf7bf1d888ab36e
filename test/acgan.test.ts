import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import { oneHot } from '../src/models/one-hot.js';
import { acganLoss } from '../src/train/acgan-step.js';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`on the ${backend} backend`, () => {
    test('oneHot puts exactly 1.0 at each label', async () => {
      await useBackend(backend);
      // tfjs's own wasm OneHot kernel, asked for float32, writes 1.4e-45 here instead of 1.
      assert.deepEqual(Array.from(oneHot([2, 0], 3).dataSync()), [0, 0, 1, 1, 0, 0]);
    });

    test('acganLoss on zero logits is 2 ln 2 + 2 ln 10 per image pair', async () => {
      await useBackend(backend);
      const logits = tf.zeros([4, 11]) as tf.Tensor2D;
      const realness = tf.tensor2d([[1], [1], [0], [0]]);
      const { loss, dLogits } = acganLoss(logits, realness, Int32Array.from([1, 2, 3, 4]), 10, 2);
      // Each of 4 rows: BCE ln 2 + cross-entropy ln 10; summed and divided by n = 2.
      assert.ok(Math.abs(loss.dataSync()[0] - 2 * (Math.LN2 + Math.LN10)) < 1e-5);
      const firstRow = Array.from(dLogits.dataSync().slice(0, 11));
      // d/d(real logit) = (sigmoid(0) - 1) / 2; d/d(class logit) = (0.1 - onehot) / 2.
      const expected = [-0.25, 0.05, -0.45, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05];
      firstRow.forEach((value, i) =>
        assert.ok(Math.abs(value - expected[i]) < 1e-6, `${i}: ${value}`),
      );
    });
  });
}
