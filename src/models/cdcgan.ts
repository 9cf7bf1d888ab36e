import {
  batchSpread,
  conv3x3,
  dense,
  downsample2x,
  leakyRelu,
  pixelNorm,
  reshape,
  tanh,
  upsample2x,
} from './net/layers.js';
import { Network } from './net/network.js';

/**
 * cdcgan: a small class-conditional convolutional GAN, trained ACGAN-style.
 *
 * The generator takes z (100 values in U(-1, 1)) followed by the digit one-hot (10 values) and
 * draws 7x7 -> 14x14 -> 28x28; the 3x3 convolutions mix neighbouring pixels, the learned 2x2
 * upsamplings add detail. Pixel normalisation keeps it stable without batch statistics, so a
 * digit drawn alone equals the same digit drawn in a batch.
 *
 * The discriminator answers 11 logits per image: "real" first, then the ten digit classes.
 * Sizes are chosen for a 2-core machine: about 3 M multiply-adds per generated digit.
 */
export const CDCGAN_NAME = 'cdcgan';
export const CLASSES = 10;
export const CDCGAN_LATENT = 100;

export function cdcganGenerator(): Network {
  return new Network([
    dense(CDCGAN_LATENT + CLASSES, 7 * 7 * 64),
    leakyRelu(0.2),
    reshape([7, 7, 64]),
    pixelNorm(),
    upsample2x(64, 32),
    leakyRelu(0.2),
    pixelNorm(),
    conv3x3(32, 32),
    leakyRelu(0.2),
    pixelNorm(),
    upsample2x(32, 16),
    leakyRelu(0.2),
    pixelNorm(),
    conv3x3(16, 1),
    tanh(),
  ]);
}

/**
 * `spreadGroup` above 0 gives the last feature channel over to the spread of each group of that
 * many images (see batchSpread), so the discriminator can tell a batch drawn in too few ways;
 * the parameters are the same either way.
 */
export function cdcganDiscriminator(spreadGroup = 0): Network {
  return new Network([
    downsample2x(1, 32),
    leakyRelu(0.2),
    conv3x3(32, 32),
    leakyRelu(0.2),
    downsample2x(32, 64),
    leakyRelu(0.2),
    ...(spreadGroup > 0 ? [batchSpread(spreadGroup)] : []),
    reshape([7 * 7 * 64]),
    dense(7 * 7 * 64, 1 + CLASSES),
  ]);
}
