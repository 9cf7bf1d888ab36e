import type { AdamOptions } from '../models/adam.js';
import { tf } from '../models/backend.js';
import type { Random } from '../models/random.js';
import type { Checkpoint } from './checkpoint.js';

/**
 * What the training loop needs to know of one GAN architecture: how to start it, how to take
 * a step, and what to save and serve. The loop itself (epochs, checkpoints, grids, the loss
 * log, stopping) is the same for every recipe.
 */
export interface Recipe {
  architecture: string;
  /** Digit classes the generator is conditioned on (0: unconditional). */
  classes: number;
  latentSize: number;
  sizes: { generator: number; discriminator: number };
  /** Adam's settings but the learning rate, which is an option of the run. */
  adam: Omit<AdamOptions, 'learningRate'>;
  defaultLearningRate: number;
  /**
   * For conditional recipes: the weight of the discriminator's digit loss on generated images
   * when a run sets none (RunSettings.fakeClassWeight); absent where there is no digit loss.
   */
  defaultFakeClassWeight?: number;
  /** The same for the generator's digit loss (RunSettings.generatorClassWeight). */
  defaultGeneratorClassWeight?: number;
  /** And for the mode-seeking loss in the generator's step (RunSettings.diversityWeight). */
  defaultDiversityWeight?: number;
  /**
   * For recipes that serve a running average of the generator's weights: the share of it kept
   * at each step when a run sets none (RunSettings.averageDecay).
   */
  defaultAverageDecay?: number;
  /** For cdcgan's discriminator: images per group of its batch-spread input (0: none). */
  defaultSpreadGroup?: number;
  initialise(random: Random): { generator: Float32Array; discriminator: Float32Array };
  /**
   * Puts a checkpoint's networks and optimizer state on the backend, to train with the
   * checkpoint's settings (learning rate, and the recipe's own settings where it has some).
   */
  start(checkpoint: Checkpoint): LiveGan;
}

/** A GAN being trained. */
export interface LiveGan {
  /** One step on `rows` real images (rows x 784 values in [-1, 1]) and their labels. */
  step(images: Float32Array, labels: Uint8Array, rows: number, random: Random): StepLosses;
  /** Images (count x 784 in [-1, 1]) from the generator that will be served. */
  sample(latents: Float32Array, digits: Int32Array | null, count: number): Float32Array;
  /** The weights that will be served (an average of the generator's, where the recipe keeps one). */
  servingParameters(): Float32Array;
  snapshot(): Pick<
    Checkpoint,
    'generator' | 'discriminator' | 'generatorAdam' | 'discriminatorAdam' | 'generatorAverage'
  >;
  dispose(): void;
}

export interface StepLosses {
  discriminator: number;
  generator: number;
}

/** Reads a step's two loss scalars back to JavaScript in one transfer, and frees them. */
export function readLosses(discriminator: tf.Scalar, generator: tf.Scalar): StepLosses {
  const both = tf.stack([discriminator, generator]);
  const [d, g] = both.dataSync();
  tf.dispose([both, discriminator, generator]);
  return { discriminator: d, generator: g };
}
