import { tf } from '../models/backend.js';
import { readLosses, type StepLosses } from './recipe.js';
import type { Trainable } from '../models/net/trainable.js';
import { uniformArray, type Random } from '../models/random.js';

/** The two networks of a GAN with their optimizers: what one training step changes. */
export interface Gan {
  generator: Trainable;
  discriminator: Trainable;
  latentSize: number;
}

/**
 * One step of the tutorial's recipe on a batch of real images (n x 784, scaled to [-1, 1]):
 * the discriminator learns from a real and a fake batch (BCE with logits, real = 1, fake = 0,
 * the two batch means summed), then the generator from a fresh fake batch judged by the
 * updated discriminator against labels flipped to "real". Latents are z ~ U(-1, 1).
 *
 * The real and fake batches go through the discriminator as one batch of 2n rows: dropout
 * draws independent masks per row either way, so the loss and gradients are the recipe's.
 */
export function trainStep(gan: Gan, real: tf.Tensor2D, random: Random): StepLosses {
  const n = real.shape[0];
  const { generator: g, discriminator: d, latentSize } = gan;
  const latents = () => tf.tensor2d(uniformArray(random, n * latentSize, -1, 1), [n, latentSize]);

  const discriminatorLoss = tf.tidy(() => {
    const fake = g.network.forward(g.parameters, latents(), random).output;
    const batch = tf.concat([real, fake]);
    const pass = d.network.forward(d.parameters, batch, random);
    const labels = tf.concat([tf.ones([n, 1]), tf.zeros([n, 1])]);
    const loss = tf.div(tf.sum(bceWithLogits(pass.output, labels)), n);
    const dLogits = tf.div(tf.sub(tf.sigmoid(pass.output), labels), n);
    d.apply(pass.backward(dLogits, { input: false, parameters: true }).parameters!);
    return loss;
  });

  const generatorLoss = tf.tidy(() => {
    const generated = g.network.forward(g.parameters, latents(), random);
    const judged = d.network.forward(d.parameters, generated.output, random);
    const loss = tf.mean(tf.softplus(tf.neg(judged.output)));
    const dLogits = tf.div(tf.sub(tf.sigmoid(judged.output), 1), n);
    // Only the images' gradient: the discriminator does not learn from this step.
    const dImages = judged.backward(dLogits, { input: true, parameters: false }).input!;
    g.apply(generated.backward(dImages, { input: false, parameters: true }).parameters!);
    return loss;
  });

  return readLosses(discriminatorLoss as tf.Scalar, generatorLoss as tf.Scalar);
}

/** Binary cross-entropy on logits, element-wise: softplus(l) - l*y, stable for any l. */
export function bceWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(logits), tf.mul(logits, labels));
}
