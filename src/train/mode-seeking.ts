import { tf } from '../models/backend.js';

/**
 * Keeps a conditional generator from drawing each digit one way, after Mao et al.'s
 * mode-seeking GAN (2019): rows i and i + pairs of a batch are the same digit from two latents,
 * and the ratio R = mean |image_i - image_(i+pairs)| / mean |z_i - z_(i+pairs)| measures how
 * much the drawing moves with the latent. The loss 1 / (R + EPSILON) falls as R grows; with no
 * term against it a generator could raise R by scribbling, which the discriminator forbids.
 *
 * `images` [n, ...] are the generated images, `latents` the n x latentSize values they were
 * drawn from; rows past 2 * pairs take no part. Returns the loss and its gradient w.r.t. images.
 */
export function modeSeekingLoss(
  images: tf.Tensor,
  latents: Float32Array,
  latentSize: number,
  pairs: number,
): { loss: tf.Scalar; dImages: tf.Tensor } {
  const n = images.shape[0];
  if (pairs < 1 || 2 * pairs > n) {
    throw new Error(`mode-seeking pairs must be from 1 to ${Math.floor(n / 2)}, got ${pairs}`);
  }
  const latentDistance = meanAbsoluteDifference(latents, latentSize, pairs);
  if (latentDistance === 0) throw new Error('mode-seeking pairs need two different latents');
  const flat = tf.reshape(images, [n, -1]);
  const pixels = flat.shape[1]!;
  const first = tf.slice(flat, [0, 0], [pairs, pixels]);
  const second = tf.slice(flat, [pairs, 0], [pairs, pixels]);
  const difference = tf.sub(first, second);
  const ratio = tf.div(tf.mean(tf.abs(difference)), latentDistance);
  const denominator = tf.add(ratio, EPSILON);
  const loss = tf.div(1, denominator) as tf.Scalar;
  // d loss / d first = -1 / (R + eps)^2 * sign(difference) / (pairs * pixels * latentDistance)
  const scale = tf.div(-1 / (pairs * pixels * latentDistance), tf.square(denominator));
  const dFirst = tf.mul(scale, tf.sign(difference));
  const unpaired = tf.zeros([n - 2 * pairs, pixels]);
  const dImages = tf.reshape(tf.concat([dFirst, tf.neg(dFirst), unpaired]), images.shape);
  return { loss, dImages };
}

/** Keeps the loss finite when two drawings are identical. */
const EPSILON = 1e-5;

/** mean |z_i - z_(i+pairs)| over the first `pairs` rows and every latent value. */
function meanAbsoluteDifference(latents: Float32Array, size: number, pairs: number): number {
  let sum = 0;
  for (let i = 0; i < pairs * size; i++) sum += Math.abs(latents[i] - latents[i + pairs * size]);
  return sum / (pairs * size);
}
