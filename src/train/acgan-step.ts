import { tf } from '../models/backend.js';
import { readLosses, type StepLosses } from './recipe.js';
import { oneHot } from '../models/one-hot.js';
import type { Trainable } from '../models/net/trainable.js';
import { uniformArray, type Random } from '../models/random.js';
import { modeSeekingLoss } from './mode-seeking.js';

/** The two networks of a conditional GAN with their optimizers. */
export interface ConditionalGan {
  generator: Trainable;
  discriminator: Trainable;
  latentSize: number;
  classes: number;
  /**
   * Weight of the class loss on fake images in the discriminator's step: 1 is ACGAN as
   * published; 0 trains the discriminator's classifier on real digits only.
   */
  fakeClassWeight: number;
  /**
   * Weight of the digit loss in the generator's step: 1 is ACGAN as published; lower lets it
   * draw each digit in more ways than the most recognisable one.
   */
  generatorClassWeight: number;
  /**
   * Weight of the mode-seeking loss in the generator's step (see modeSeekingLoss): 0 leaves it
   * out; above 0 the batch's second half repeats the first half's digits from new latents.
   */
  diversityWeight: number;
}

/** One-sided label smoothing: real images are labelled 0.9, a known stabiliser for GANs. */
const REAL_LABEL = 0.9;

/**
 * One ACGAN step. The discriminator learns "real or fake" (BCE on its first logit) and "which
 * digit" (softmax cross-entropy on the other ten) on a real batch and a fake batch of random
 * digits; then the generator learns to make the updated discriminator say "real" and the digit
 * it was asked for.
 */
export function acganStep(
  gan: ConditionalGan,
  images: tf.Tensor4D,
  labels: Int32Array,
  random: Random,
): StepLosses {
  const n = images.shape[0];
  const { classes } = gan;
  const fakeLabels = () => Int32Array.from({ length: n }, () => random.below(classes));
  const newLatents = () => uniformArray(random, n * gan.latentSize, -1, 1);
  const generatorInput = (digits: Int32Array, latents = newLatents()) =>
    tf.concat([tf.tensor2d(latents, [n, gan.latentSize]), oneHot(digits, classes)], 1);

  const { generator: g, discriminator: d } = gan;
  const discriminatorLoss = tf.tidy(() => {
    const digits = fakeLabels();
    const fake = g.network.forward(g.parameters, generatorInput(digits), random).output;
    const batch = tf.concat([images, fake]);
    const pass = d.network.forward(d.parameters, batch, random);
    const realness = tf.concat([tf.fill([n, 1], REAL_LABEL), tf.zeros([n, 1])]);
    const allLabels = Int32Array.from([...labels, ...digits]);
    const classWeights = new Float32Array(2 * n).fill(1);
    classWeights.fill(gan.fakeClassWeight, n);
    const { loss, dLogits } = acganLoss(
      pass.output as tf.Tensor2D,
      realness,
      allLabels,
      classes,
      n,
      classWeights,
    );
    d.apply(pass.backward(dLogits, { input: false, parameters: true }).parameters!);
    return loss;
  });

  const generatorLoss = tf.tidy(() => {
    const digits = fakeLabels();
    const pairs = gan.diversityWeight > 0 ? Math.floor(n / 2) : 0;
    // The same draws of digits and latents with and without pairs, so the random stream of a
    // run does not depend on the weight.
    digits.copyWithin(pairs, 0, pairs);
    const latents = newLatents();
    const generated = g.network.forward(g.parameters, generatorInput(digits, latents), random);
    const judged = d.network.forward(d.parameters, generated.output, random);
    const { loss, dLogits } = acganLoss(
      judged.output as tf.Tensor2D,
      tf.ones([n, 1]),
      digits,
      classes,
      n,
      new Float32Array(n).fill(gan.generatorClassWeight),
    );
    let dImages = judged.backward(dLogits, { input: true, parameters: false }).input!;
    let total: tf.Scalar = loss;
    if (pairs > 0) {
      const seeking = modeSeekingLoss(generated.output, latents, gan.latentSize, pairs);
      total = tf.add(loss, tf.mul(seeking.loss, gan.diversityWeight));
      dImages = tf.add(dImages, tf.mul(seeking.dImages, gan.diversityWeight));
    }
    g.apply(generated.backward(dImages, { input: false, parameters: true }).parameters!);
    return total;
  });

  return readLosses(discriminatorLoss as tf.Scalar, generatorLoss as tf.Scalar);
}

/**
 * Loss and its gradient for logits [rows, 1 + classes]: BCE with logits on the first column
 * against `realness`, plus softmax cross-entropy on the rest against `labels`, each summed and
 * divided by `n` (so a real and a fake batch add up as two batch means).
 */
export function acganLoss(
  logits: tf.Tensor2D,
  realness: tf.Tensor,
  labels: Int32Array,
  classes: number,
  n: number,
  classWeights: Float32Array | null = null,
): { loss: tf.Scalar; dLogits: tf.Tensor2D } {
  const rows = logits.shape[0];
  const weight = classWeights ? tf.tensor2d(classWeights, [rows, 1]) : tf.scalar(1);
  const real = tf.slice(logits, [0, 0], [rows, 1]);
  const classLogits = tf.slice(logits, [0, 1], [rows, classes]);
  const target = oneHot(labels, classes);
  const logProbabilities = tf.logSoftmax(classLogits);
  const bce = tf.sum(tf.sub(tf.softplus(real), tf.mul(real, realness)));
  const crossEntropy = tf.neg(tf.sum(tf.mul(weight, tf.mul(target, logProbabilities))));
  const loss = tf.div(tf.add(bce, crossEntropy), n) as tf.Scalar;
  const dReal = tf.div(tf.sub(tf.sigmoid(real), realness), n);
  const dClasses = tf.div(tf.mul(weight, tf.sub(tf.exp(logProbabilities), target)), n);
  return { loss, dLogits: tf.concat([dReal, dClasses], 1) as tf.Tensor2D };
}
