import { tf } from '../models/backend.js';
import { backward, forward, type MlpSpec } from '../models/mlp.js';
import type { Adam } from '../models/adam.js';
import { uniformArray, type Random } from '../models/random.js';

/** The two networks of a GAN with their optimizers: what one training step changes. */
export interface Gan {
  generatorSpec: MlpSpec;
  discriminatorSpec: MlpSpec;
  generator: tf.Tensor1D;
  discriminator: tf.Tensor1D;
  generatorOptimizer: Adam;
  discriminatorOptimizer: Adam;
}

export interface StepLosses {
  discriminator: number;
  generator: number;
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
  const latentSize = gan.generatorSpec.sizes[0];
  const latents = () => tf.tensor2d(uniformArray(random, n * latentSize, -1, 1), [n, latentSize]);

  const [discriminator, discriminatorLoss] = tf.tidy(() => {
    const fake = forward(gan.generatorSpec, gan.generator, latents(), random).output;
    const batch = tf.concat([real, fake]);
    const pass = forward(gan.discriminatorSpec, gan.discriminator, batch, random);
    const labels = tf.concat([tf.ones([n, 1]), tf.zeros([n, 1])]);
    const loss = tf.div(tf.sum(bceWithLogits(pass.output, labels)), n);
    const dLogits = tf.div(tf.sub(tf.sigmoid(pass.output), labels), n) as tf.Tensor2D;
    const { gradient } = backward(gan.discriminatorSpec, pass, dLogits, false);
    return [gan.discriminatorOptimizer.update(gan.discriminator, gradient), loss];
  });
  gan.discriminator.dispose();
  gan.discriminator = discriminator as tf.Tensor1D;

  const [generator, generatorLoss] = tf.tidy(() => {
    const generated = forward(gan.generatorSpec, gan.generator, latents(), random);
    const judged = forward(gan.discriminatorSpec, gan.discriminator, generated.output, random);
    const loss = tf.mean(tf.softplus(tf.neg(judged.output)));
    const dLogits = tf.div(tf.sub(tf.sigmoid(judged.output), 1), n) as tf.Tensor2D;
    const { inputGradient } = backward(gan.discriminatorSpec, judged, dLogits, true);
    const { gradient } = backward(gan.generatorSpec, generated, inputGradient!, false);
    return [gan.generatorOptimizer.update(gan.generator, gradient), loss];
  });
  gan.generator.dispose();
  gan.generator = generator as tf.Tensor1D;

  const losses = tf.stack([discriminatorLoss, generatorLoss]);
  const [d, g] = losses.dataSync();
  tf.dispose([losses, discriminatorLoss, generatorLoss]);
  return { discriminator: d, generator: g };
}

/** Binary cross-entropy on logits, element-wise: softplus(l) - l*y, stable for any l. */
export function bceWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(logits), tf.mul(logits, labels));
}
