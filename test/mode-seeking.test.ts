import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import { Random, uniformArray } from '../src/models/random.js';
import { modeSeekingLoss } from '../src/train/mode-seeking.js';
import { centralDifferences } from './fixtures/finite-differences.js';

describe('mode-seeking loss', () => {
  test('two drawings half a unit apart from latents one unit apart: 1 / 0.5, by hand', async () => {
    await useBackend('wasm');
    const images = tf.tensor2d([
      [0.5, 0.5, 0.5, 0.5],
      [0, 0, 0, 0],
    ]);
    const { loss, dImages } = modeSeekingLoss(images, Float32Array.from([1, 1, 0, 0]), 2, 1);
    // R = mean |0.5 - 0| / mean |1 - 0| = 0.5, loss = 1 / (0.5 + 1e-5).
    assert.ok(Math.abs(loss.dataSync()[0] - 1 / 0.50001) < 1e-6);
    // d loss / d first = -1 / R^2 * sign / (pairs * pixels * latent distance) = -1 / (0.25 * 4).
    const gradient = Array.from(dImages.dataSync());
    const first = -1 / (0.50001 ** 2 * 4);
    gradient.forEach((value, i) =>
      assert.ok(Math.abs(value - (i < 4 ? first : -first)) < 1e-5, `${i}: ${value}`),
    );
  });

  test('its gradient matches finite differences; an unpaired last row gets none', async () => {
    await useBackend('cpu');
    const random = new Random(7);
    const n = 5;
    const pixels = 6;
    const values = uniformArray(random, n * pixels, -1, 1);
    const latents = uniformArray(random, n * 3, -1, 1);
    const lossAt = (v: Float32Array) =>
      modeSeekingLoss(tf.tensor2d(v, [n, pixels]), latents, 3, 2).loss.dataSync()[0];
    const { dImages } = modeSeekingLoss(tf.tensor2d(values, [n, pixels]), latents, 3, 2);
    const analytic = dImages.dataSync();
    const numeric = centralDifferences(lossAt, values, 1e-3);
    numeric.forEach((value, i) =>
      assert.ok(Math.abs(value - analytic[i]) < 1e-3, `${i}: ${value} vs ${analytic[i]}`),
    );
    assert.deepEqual(Array.from(analytic.slice(4 * pixels)), new Array(pixels).fill(0));
  });

  test('refuses pairs the batch cannot hold, naming the range', async () => {
    await useBackend('cpu');
    assert.throws(() => modeSeekingLoss(tf.zeros([3, 4]), new Float32Array(6), 2, 2), {
      message: 'mode-seeking pairs must be from 1 to 1, got 2',
    });
  });
});
