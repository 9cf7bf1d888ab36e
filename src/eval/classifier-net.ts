import { conv3x3, dense, dropout, leakyRelu, maxPool2x, reshape } from '../models/net/layers.js';
import { Network } from '../models/net/network.js';

/**
 * The digit classifier that judges generated digits: two 3x3 convolutions with max pooling,
 * then a 128-unit layer whose activations are the features the Frechet distance compares
 * (the role Inception's pool features play in FID), then ten class logits.
 *
 * It is two networks so that the features can be read without a second pass.
 */
export const FEATURE_SIZE = 128;
export const CLASSES = 10;

export function classifierFeatures(): Network {
  return new Network([
    conv3x3(1, 32),
    leakyRelu(0),
    maxPool2x(),
    conv3x3(32, 64),
    leakyRelu(0),
    maxPool2x(),
    reshape([7 * 7 * 64]),
    dense(7 * 7 * 64, FEATURE_SIZE),
    leakyRelu(0),
  ]);
}

/** Dropout (while training only) and the class logits. */
export function classifierHead(): Network {
  return new Network([dropout(0.3), dense(FEATURE_SIZE, CLASSES)]);
}
