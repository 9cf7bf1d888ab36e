import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classesInShares, labelShares } from '../src/eval/evaluate.js';
import { loadDigits, defaultDataDir } from '../src/data/mnist.js';

describe('digit mix of an evaluation', () => {
  test('labelShares counts each class, zero for a class never seen', () => {
    assert.deepEqual(
      labelShares(Uint8Array.from([0, 0, 1, 2, 2, 2, 2, 2]), 4),
      [0.25, 0.125, 0.625, 0],
    );
  });

  test('classesInShares gives each class its share, class by class', () => {
    assert.deepEqual([...classesInShares(10, [0.5, 0.3, 0.2])], [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
  });

  test('digits left over go to the largest remainders, ties to the lower class', () => {
    assert.deepEqual([...classesInShares(7, [1 / 3, 1 / 3, 1 / 3])], [0, 0, 0, 1, 1, 2, 2]);
    // 0.7, 2.3 and 2.0 digits: floors 0, 2, 2; the fifth goes to class 0's 0.7.
    assert.deepEqual([...classesInShares(5, [0.14, 0.46, 0.4])], [0, 1, 1, 2, 2]);
    // 0.5, 2.5 and 2.0: classes 0 and 1 tie for the fifth; class 0 takes it.
    assert.deepEqual([...classesInShares(5, [0.1, 0.5, 0.4])], [0, 1, 1, 2, 2]);
  });

  test("100 digits in MNIST's training mix", () => {
    const shares = labelShares(loadDigits(defaultDataDir(), 'train').labels, 10);
    const counts = new Array(10).fill(0);
    for (const k of classesInShares(100, shares)) counts[k]++;
    // 5,421 fives of 60,000 (9.0%) get 9; 6,742 ones (11.2%) get 11; the rest 10 each.
    assert.deepEqual(counts, [10, 11, 10, 10, 10, 9, 10, 10, 10, 10]);
  });
});
