import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Mean vector and covariance (unbiased, as numpy.cov) of rows of `dimension` values. */
export function moments(
  rows: Float32Array,
  dimension: number,
): { mean: Float64Array; covariance: Matrix } {
  const count = rows.length / dimension;
  if (count < 2) throw new Error(`moments need at least 2 rows, got ${count}`);
  const mean = new Float64Array(dimension);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < dimension; j++) mean[j] += rows[r * dimension + j];
  }
  for (let j = 0; j < dimension; j++) mean[j] /= count;
  const centred = new Matrix(count, dimension);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < dimension; j++) centred.set(r, j, rows[r * dimension + j] - mean[j]);
  }
  const covariance = centred
    .transpose()
    .mmul(centred)
    .div(count - 1);
  return { mean, covariance };
}

/**
 * The Frechet distance between two Gaussians, the quantity FID reports:
 * |m1 - m2|^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2)).
 *
 * Tr((C1 C2)^(1/2)) is computed as the sum of square roots of the eigenvalues of
 * C1^(1/2) C2 C1^(1/2), which is symmetric, so only symmetric eigendecompositions are needed;
 * tiny negative eigenvalues from rounding are treated as zero.
 */
export function frechetDistance(
  a: { mean: Float64Array; covariance: Matrix },
  b: { mean: Float64Array; covariance: Matrix },
): number {
  let meanTerm = 0;
  for (let j = 0; j < a.mean.length; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  const root = symmetricSquareRoot(a.covariance);
  const product = root.mmul(b.covariance).mmul(root);
  const symmetric = product.add(product.transpose()).div(2);
  const crossTrace = new EigenvalueDecomposition(symmetric, {
    assumeSymmetric: true,
  }).realEigenvalues.reduce((sum, value) => sum + Math.sqrt(Math.max(0, value)), 0);
  return meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * crossTrace;
}

function symmetricSquareRoot(m: Matrix): Matrix {
  const decomposition = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vectors = decomposition.eigenvectorMatrix;
  const roots = decomposition.realEigenvalues.map((value) => Math.sqrt(Math.max(0, value)));
  return vectors.mmul(Matrix.diag(roots)).mmul(vectors.transpose());
}

/**
 * The inception score exp(E_x[KL(p(y|x) || p(y))]) from rows of class probabilities: 1 when
 * every image gets the same verdict, the number of classes when each image is confidently one
 * class and all classes are equally common.
 */
export function inceptionScore(probabilities: Float32Array, classes: number): number {
  const count = probabilities.length / classes;
  const marginal = new Float64Array(classes);
  for (let i = 0; i < probabilities.length; i++) marginal[i % classes] += probabilities[i] / count;
  let divergence = 0;
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < classes; c++) {
      const p = probabilities[r * classes + c];
      if (p > 0) divergence += p * (Math.log(p) - Math.log(marginal[c]));
    }
  }
  return Math.exp(divergence / count);
}

/** Entropy in bits of the histogram of predicted classes: log2(classes) when all are equal. */
export function classSpread(predicted: Int32Array, classes: number): number {
  const counts = new Float64Array(classes);
  for (const c of predicted) counts[c] += 1;
  let entropy = 0;
  for (const n of counts) {
    if (n > 0) entropy -= (n / predicted.length) * Math.log2(n / predicted.length);
  }
  return entropy;
}

/** The share of images whose predicted class is the one asked for, overall and per class. */
export function classAccuracy(predicted: Int32Array, wanted: Int32Array, classes: number) {
  const right = new Float64Array(classes);
  const total = new Float64Array(classes);
  for (let i = 0; i < predicted.length; i++) {
    total[wanted[i]] += 1;
    if (predicted[i] === wanted[i]) right[wanted[i]] += 1;
  }
  const overall = right.reduce((a, b) => a + b, 0) / predicted.length;
  return { overall, perClass: Array.from(right, (r, c) => (total[c] ? r / total[c] : 0)) };
}
