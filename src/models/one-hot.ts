import { tf } from './backend.js';

/**
 * Rows of `classes` values, 1 at each label and 0 elsewhere. Built in JavaScript because tfjs's
 * wasm OneHot kernel, asked for float32, writes the integer 1's bits (1.4e-45) instead of 1.0.
 */
export function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  const values = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) values[i * classes + labels[i]] = 1;
  return tf.tensor2d(values, [labels.length, classes]);
}
