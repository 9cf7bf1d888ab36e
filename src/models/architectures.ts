import { tf } from './backend.js';
import { oneHot } from './one-hot.js';
import { CDCGAN_LATENT, CDCGAN_NAME, CLASSES, cdcganGenerator } from './cdcgan.js';
import { generateImages, runGenerator } from './generate.js';
import type { Network } from './net/network.js';
import { LATENT_SIZE, SEED_MLP_GENERATOR, SEED_MLP_NAME, mlpNetwork } from './seed-mlp.js';

/** A generator's weights on the backend, ready to turn latents (and digits) into images. */
export interface GeneratorRunner {
  /** count x 784 values in [-1, 1]; `digits` (one per image) only for conditional models. */
  run(latents: Float32Array, digits: Int32Array | null, count: number): Float32Array;
  dispose(): void;
}

/** What a model folder's `architecture` field may name, and how to build its generator. */
export interface Architecture {
  name: string;
  latentSize: number;
  /** Number of digit classes it can be asked for; 0 for an unconditional model. */
  classes: number;
  parameterCount: number;
  load(parameters: Float32Array): GeneratorRunner;
}

const seedMlp: Architecture = {
  name: SEED_MLP_NAME,
  latentSize: LATENT_SIZE,
  classes: 0,
  parameterCount: mlpNetwork(SEED_MLP_GENERATOR).size,
  load(parameters) {
    const network = mlpNetwork(SEED_MLP_GENERATOR);
    const tensors = network.toTensors(parameters);
    return {
      run: (latents, _digits, count) => generateImages(network, tensors, latents, count),
      dispose: () => tf.dispose(tensors),
    };
  },
};

const cdcgan: Architecture = {
  name: CDCGAN_NAME,
  latentSize: CDCGAN_LATENT,
  classes: CLASSES,
  parameterCount: cdcganGenerator().size,
  load(parameters) {
    const network = cdcganGenerator();
    const tensors = network.toTensors(parameters);
    return {
      run(latents, digits, count) {
        if (!digits || digits.length !== count) throw new Error('cdcgan needs one digit per image');
        return runConditional(network, tensors, latents, digits);
      },
      dispose: () => tf.dispose(tensors),
    };
  },
};

/** Runs a conditional generator network (dropout off): count x 784 values in [-1, 1]. */
export function runConditional(
  network: Network,
  parameters: tf.Tensor[],
  latents: Float32Array,
  digits: Int32Array,
): Float32Array {
  return runGenerator(network, parameters, () =>
    conditionalInput(latents, digits, CDCGAN_LATENT, CLASSES),
  );
}

/** A conditional generator's input: each latent followed by its digit's one-hot. */
export function conditionalInput(
  latents: Float32Array,
  digits: Int32Array,
  latentSize: number,
  classes: number,
): tf.Tensor2D {
  const z = tf.tensor2d(latents, [digits.length, latentSize]);
  return tf.concat([z, oneHot(digits, classes)], 1) as tf.Tensor2D;
}

export const ARCHITECTURES: Record<string, Architecture> = {
  [seedMlp.name]: seedMlp,
  [cdcgan.name]: cdcgan,
};
