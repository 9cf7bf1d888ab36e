import { tf } from './backend.js';
import { forward, type MlpSpec } from './mlp.js';
import { Random, uniformArray } from './random.js';

/** The latent vector z ~ U(-1, 1) that a seed stands for: the same seed, the same digit. */
export function latentForSeed(seed: number, latentSize: number): Float32Array {
  return uniformArray(new Random(seed), latentSize, -1, 1);
}

/**
 * Runs a generator with dropout off on `count` latents laid end to end, and returns the
 * images as count x 784 values in [-1, 1].
 */
export function generateImages(
  spec: MlpSpec,
  parameters: tf.Tensor1D,
  latents: Float32Array,
  count: number,
): Float32Array {
  const latentSize = spec.sizes[0];
  const output = tf.tidy(() => {
    const z = tf.tensor2d(latents, [count, latentSize]);
    return forward(spec, parameters, z, null).output;
  });
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return values;
}
