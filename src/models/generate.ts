import { tf } from './backend.js';
import type { Network } from './net/network.js';
import { Random, uniformArray } from './random.js';

/** The latent vector z ~ U(-1, 1) that a seed stands for: the same seed, the same digit. */
export function latentForSeed(seed: number, latentSize: number): Float32Array {
  return uniformArray(new Random(seed), latentSize, -1, 1);
}

/**
 * Runs a generator network with dropout off on the input `makeInput` builds (inside the pass's
 * tidy scope), and returns the images as rows of 784 values in [-1, 1].
 */
export function runGenerator(
  network: Network,
  parameters: tf.Tensor[],
  makeInput: () => tf.Tensor2D,
): Float32Array {
  const output = tf.tidy(() => {
    const input = makeInput();
    return tf.reshape(network.forward(parameters, input, null).output, [input.shape[0], -1]);
  });
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return values;
}

/** An unconditional generator's images for `count` latents laid end to end. */
export function generateImages(
  network: Network,
  parameters: tf.Tensor[],
  latents: Float32Array,
  count: number,
): Float32Array {
  return runGenerator(network, parameters, () =>
    tf.tensor2d(latents, [count, latents.length / count]),
  );
}
