import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Matrix } from 'ml-matrix';
import {
  classAccuracy,
  classSpread,
  frechetDistance,
  inceptionScore,
  moments,
} from '../src/eval/metrics.js';
import { Random } from '../src/models/random.js';

/** n rows of `dimension` standard normal values (Box-Muller over the seeded generator). */
function gaussianRows(seed: number, n: number, dimension: number): Float32Array {
  const random = new Random(seed);
  const out = new Float32Array(n * dimension);
  for (let i = 0; i < out.length; i++) {
    const u = 1 - random.next();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  }
  return out;
}

describe('Frechet distance', () => {
  test('is 0 between a set and itself', () => {
    const rows = gaussianRows(1, 500, 8);
    const m = moments(rows, 8);
    assert.ok(Math.abs(frechetDistance(m, m)) < 1e-9);
  });

  test('between a set and the same set shifted by c is |c|^2 (covariances are equal)', () => {
    const rows = gaussianRows(2, 400, 3);
    const shifted = rows.map((v, i) => v + [1, -2, 0.5][i % 3]);
    const distance = frechetDistance(moments(rows, 3), moments(shifted, 3));
    // |(1, -2, 0.5)|^2 = 1 + 4 + 0.25
    assert.ok(Math.abs(distance - 5.25) < 1e-4, `got ${distance}`);
  });

  test('between diagonal Gaussians is |m1 - m2|^2 + sum (sqrt(a) - sqrt(b))^2', () => {
    const a = { mean: Float64Array.from([0, 0]), covariance: Matrix.diag([4, 1]) };
    const b = { mean: Float64Array.from([3, 4]), covariance: Matrix.diag([1, 9]) };
    // 25 + (2 - 1)^2 + (1 - 3)^2 = 30
    assert.ok(Math.abs(frechetDistance(a, b) - 30) < 1e-9);
  });

  test('handles covariances that do not commute', () => {
    // C1 = I, C2 = [[2, 1], [1, 2]] (eigenvalues 1 and 3): Tr(I + C2 - 2 sqrt(C2)) = 6 - 2(1 + sqrt 3)
    const a = { mean: new Float64Array(2), covariance: Matrix.eye(2) };
    const b = {
      mean: new Float64Array(2),
      covariance: new Matrix([
        [2, 1],
        [1, 2],
      ]),
    };
    assert.ok(Math.abs(frechetDistance(a, b) - (6 - 2 * (1 + Math.sqrt(3)))) < 1e-9);
  });

  test('moments use the unbiased covariance, as numpy.cov does', () => {
    const { mean, covariance } = moments(Float32Array.from([1, 2, 3, 4]), 1);
    assert.deepEqual(Array.from(mean), [2.5]);
    // sum of squared deviations 5, over n - 1 = 3
    assert.ok(Math.abs(covariance.get(0, 0) - 5 / 3) < 1e-12);
  });
});

describe('inception score', () => {
  test('is 1 when every image gets the same confident verdict', () => {
    const probabilities = new Float32Array(40);
    for (let r = 0; r < 4; r++) probabilities[r * 10 + 3] = 1;
    assert.ok(Math.abs(inceptionScore(probabilities, 10) - 1) < 1e-9);
  });

  test('is the number of classes for confident verdicts spread evenly over the classes', () => {
    const probabilities = new Float32Array(100);
    for (let r = 0; r < 10; r++) probabilities[r * 10 + r] = 1;
    assert.ok(Math.abs(inceptionScore(probabilities, 10) - 10) < 1e-6);
  });

  test('is 1 for uniform verdicts however varied the images', () => {
    const probabilities = new Float32Array(50).fill(0.1);
    assert.ok(Math.abs(inceptionScore(probabilities, 10) - 1) < 1e-6);
  });
});

describe('class spread and accuracy', () => {
  test('spread is log2(10) = 3.3219 bits when all ten digits are equally present', () => {
    const predicted = Int32Array.from({ length: 100 }, (_, i) => i % 10);
    assert.ok(Math.abs(classSpread(predicted, 10) - 3.321928) < 1e-6);
  });

  test('spread is 0 bits when every digit is the same, 1 bit for two equal halves', () => {
    assert.equal(classSpread(new Int32Array(10).fill(4), 10), 0);
    assert.equal(classSpread(Int32Array.from([1, 1, 7, 7]), 10), 1);
  });

  test('accuracy counts, per class asked for, the verdicts that match', () => {
    const wanted = Int32Array.from([0, 0, 1, 1, 1, 1]);
    const predicted = Int32Array.from([0, 1, 1, 1, 1, 0]);
    const { overall, perClass } = classAccuracy(predicted, wanted, 2);
    assert.equal(overall, 4 / 6);
    assert.deepEqual(perClass, [0.5, 0.75]);
  });
});
