import { tf } from './backend.js';
import type { Network } from './net/network.js';
import { Random, uniformArray } from './random.js';

/** The latent vector z ~ U(-1, 1) that a seed stands for: the same seed, the same digit. */
export function latentForSeed(seed: number, latentSize: number): Float32Array {
  return uniformArray(new Random(seed), latentSize, -1, 1);
}

/**
 * Runs an unconditional generator with dropout off on `count` latents laid end to end, and
 * returns the images as count x 784 values in [-1, 1].
 */
export function generateImages(
  network: Network,
  parameters: tf.Tensor[],
  latents: Float32Array,
  count: number,
): Float32Array {
  const output = tf.tidy(() => {
    const z = tf.tensor2d(latents, [count, latents.length / count]);
    return network.forward(parameters, z, null).output;
  });
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return values;
}
