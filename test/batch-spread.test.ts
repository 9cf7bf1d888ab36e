import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import { batchSpread } from '../src/models/net/layers.js';

test('batchSpread replaces the last channel by the spread of each group of two images', async () => {
  await useBackend('wasm');
  // Four 1x1 images of two channels; the second channel's values are dropped.
  const x = tf.tensor4d([0, 9, 2, 9, 5, 9, 5, 9], [4, 1, 1, 2]);
  const output = Array.from(batchSpread(2).forward([], x, { random: null }).output.dataSync());
  // Images 0 and 2 differ by 2 around their mean 1: standard deviation 1. Images 5 and 5 do
  // not differ: sqrt(1e-8) = 1e-4.
  const expected = [0, 1, 2, 1, 5, 1e-4, 5, 1e-4];
  output.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `${i}: ${value}`));
});
