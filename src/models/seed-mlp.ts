import type { Layer } from './net/layer.js';
import { dense, dropout, leakyRelu, tanh } from './net/layers.js';
import { Network } from './net/network.js';

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

/** A fully connected network as the tutorial describes one. */
export interface MlpSpec {
  /** Widths from input to output, e.g. [100, 32, 64, 128, 784]. */
  sizes: number[];
  /** LeakyReLU slope for negative inputs, after every hidden layer. */
  negativeSlope: number;
  /** Probability of dropping a hidden unit while training. */
  dropout: number;
  /** What follows the last layer: tanh (images in [-1, 1]) or nothing (logits). */
  output: 'tanh' | 'logit';
}

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

/**
 * The network a spec describes: per hidden layer dense, LeakyReLU and dropout (as
 * torch.nn.Dropout: survivors scaled by 1/(1-p)), then a last dense and tanh for 'tanh'.
 * Its parameters lie [W0 (in x out), b0, W1, b1, ...], the layout of seed-mlp's model and
 * checkpoint files, and start as PyTorch's nn.Linear defaults, so a run starts where the
 * tutorial's does.
 */
export function mlpNetwork(spec: MlpSpec): Network {
  const { sizes } = spec;
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(dense(sizes[i], sizes[i + 1]));
    const hidden = i + 2 < sizes.length;
    if (hidden) layers.push(leakyRelu(spec.negativeSlope), dropout(spec.dropout));
  }
  if (spec.output === 'tanh') layers.push(tanh());
  return new Network(layers);
}

export function parameterCount(spec: MlpSpec): number {
  return mlpNetwork(spec).size;
}
