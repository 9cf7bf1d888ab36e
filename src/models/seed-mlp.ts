import type { MlpSpec } from './mlp.js';

/**
 * The tutorial's fully connected GAN, kept exactly: a generator 100-32-64-128-784 and a
 * discriminator 784-128-64-32-1, LeakyReLU(0.2) and dropout 0.3 after every hidden layer,
 * tanh on the generator's output and a bare logit on the discriminator's.
 */
export const SEED_MLP_NAME = 'seed-mlp';

/** Size of the latent vector z, drawn from U(-1, 1). */
export const LATENT_SIZE = 100;

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

export const SEED_MLP_GENERATOR: MlpSpec = {
  sizes: [LATENT_SIZE, 32, 64, 128, PIXELS],
  negativeSlope: 0.2,
  dropout: 0.3,
  output: 'tanh',
};

export const SEED_MLP_DISCRIMINATOR: MlpSpec = {
  sizes: [PIXELS, 128, 64, 32, 1],
  negativeSlope: 0.2,
  dropout: 0.3,
  output: 'logit',
};
