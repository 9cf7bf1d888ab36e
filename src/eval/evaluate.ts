import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDigits, toUnitRange, type DigitSet } from '../data/mnist.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Generator } from '../models/generator.js';
import { MANIFEST_FILE } from '../models/model-file.js';
import { argmaxRows, type Classifier } from './classifier.js';
import { CLASSES, FEATURE_SIZE } from './classifier-net.js';
import { classAccuracy, classSpread, frechetDistance, inceptionScore, moments } from './metrics.js';

/** The quality measures of one set of digits, as the evaluator reports them. */
export interface QualityRow {
  label: string;
  count: number;
  /** Frechet distance of classifier features to the MNIST test set's. */
  frechetDistance: number;
  inceptionScore: number;
  /** Entropy in bits of the predicted-class histogram (3.32 = all ten equally present). */
  spread: number;
  /** For conditional models: share of digits drawn for class k that the classifier calls k. */
  accuracy: { overall: number; perDigit: number[] } | null;
}

export type TestMoments = ReturnType<typeof moments>;

/** How many digits are generated and judged at a time (memory, not speed, sets it). */
const CHUNK = 500;

/** Feature moments of the MNIST test set: what every row is measured against. */
export function testSetMoments(classifier: Classifier, data: string): TestMoments {
  const test = loadDigits(data, 'test');
  return moments(classifier.judge(toUnitRange(test.images), test.count).features, FEATURE_SIZE);
}

/** Share of each class among `labels`: the digit mix of a data set. */
export function labelShares(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts.map((c) => c / labels.length);
}

/**
 * `count` class numbers in the given shares, class 0's first: each class gets its share rounded
 * down, and the digits left over go to the largest remainders (ties to the lower class).
 */
export function classesInShares(count: number, shares: number[]): Int32Array {
  const exact = shares.map((share) => share * count);
  const counts = exact.map(Math.floor);
  const leftOver = count - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((value, k) => ({ k, remainder: value - counts[k] }))
    .sort((a, b) => b.remainder - a.remainder || a.k - b.k);
  for (let i = 0; i < leftOver; i++) counts[byRemainder[i].k]++;
  const out = new Int32Array(count);
  let at = 0;
  counts.forEach((n, k) => out.fill(k, at, (at += n)));
  return out;
}

/**
 * Measures `count` digits of a generator, seeds `seed`, `seed + 1`, ... as served (the PNG's
 * grey levels). A conditional model is asked for digit k in `digitShares` (the training set's
 * own mix, so that its digits are compared with a test set of the same mix); an
 * unconditional one draws whatever it draws.
 */
export function evaluateGenerator(
  generator: Generator,
  classifier: Classifier,
  reference: TestMoments,
  count: number,
  seed: number,
  digitShares: number[],
): QualityRow {
  const probabilities = new Float32Array(count * CLASSES);
  const features = new Float32Array(count * FEATURE_SIZE);
  const wanted = classesInShares(count, digitShares);
  for (let start = 0; start < count; start += CHUNK) {
    const rows = Math.min(CHUNK, count - start);
    const seeds = Array.from({ length: rows }, (_, i) => (seed + start + i) >>> 0);
    const digits = seeds.map((_, i) => (generator.conditional ? wanted[start + i] : null));
    const grey = generator.generate(seeds, digits);
    const images = new Uint8Array(rows * 784);
    grey.forEach((pixels, i) => images.set(pixels, i * 784));
    const judged = classifier.judge(toUnitRange(images), rows);
    probabilities.set(judged.probabilities, start * CLASSES);
    features.set(judged.features, start * FEATURE_SIZE);
  }
  return summarise(
    generator.name,
    probabilities,
    features,
    generator.conditional ? wanted : null,
    reference,
  );
}

/** The same measures for `count` real training digits: the floor a generator can reach. */
export function evaluateRealDigits(
  classifier: Classifier,
  reference: TestMoments,
  train: DigitSet,
  count: number,
): QualityRow {
  const n = Math.min(count, train.count);
  const judged = classifier.judge(toUnitRange(train.images.subarray(0, n * 784)), n);
  return summarise('real training digits', judged.probabilities, judged.features, null, reference);
}

function summarise(
  label: string,
  probabilities: Float32Array,
  features: Float32Array,
  wanted: Int32Array | null,
  reference: TestMoments,
): QualityRow {
  const predicted = argmaxRows(probabilities, CLASSES);
  const accuracy = wanted ? classAccuracy(predicted, wanted, CLASSES) : null;
  return {
    label,
    count: predicted.length,
    frechetDistance: frechetDistance(moments(features, FEATURE_SIZE), reference),
    inceptionScore: inceptionScore(probabilities, CLASSES),
    spread: classSpread(predicted, CLASSES),
    accuracy: accuracy && { overall: accuracy.overall, perDigit: accuracy.perClass },
  };
}

/** Records a model's own row and the floor it was measured beside in its manifest. */
export function recordEvaluation(
  modelDir: string,
  row: QualityRow,
  floor: QualityRow,
  classifierAccuracy: number,
): void {
  const path = join(modelDir, MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  manifest.evaluation = {
    digits: row.count,
    frechetDistance: round(row.frechetDistance),
    realDigitFrechetDistance: round(floor.frechetDistance),
    inceptionScore: round(row.inceptionScore),
    spread: round(row.spread),
    accuracy: row.accuracy && {
      overall: round(row.accuracy.overall),
      perDigit: row.accuracy.perDigit.map(round),
    },
    classifierTestAccuracy: classifierAccuracy,
    date: new Date().toISOString(),
  };
  writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** The report as a table for people. */
export function formatTable(rows: QualityRow[]): string {
  const header =
    `${'digits from'.padEnd(24)} ${'n'.padStart(6)} ${'FD'.padStart(8)} ${'IS'.padStart(6)} ` +
    `${'spread'.padStart(7)} ${'accuracy'.padStart(9)}`;
  const lines = rows.map((row) => {
    const accuracy = row.accuracy ? `${(row.accuracy.overall * 100).toFixed(2)}%` : '-';
    return (
      `${row.label.padEnd(24)} ${String(row.count).padStart(6)} ${row.frechetDistance.toFixed(3).padStart(8)} ` +
      `${row.inceptionScore.toFixed(3).padStart(6)} ${row.spread.toFixed(3).padStart(7)} ${accuracy.padStart(9)}`
    );
  });
  const perDigit = rows
    .filter((row) => row.accuracy)
    .map(
      (row) =>
        `${row.label} accuracy per digit: ` +
        row.accuracy!.perDigit.map((a, d) => `${d}: ${(a * 100).toFixed(1)}%`).join('  '),
    );
  return [header, ...lines, ...perDigit].join('\n');
}
