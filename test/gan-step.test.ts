import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADAM_DEFAULTS } from '../src/models/adam.js';
import { tf, useBackend } from '../src/models/backend.js';
import { Trainable } from '../src/models/net/trainable.js';
import { Random, uniformArray } from '../src/models/random.js';
import { mlpNetwork, type MlpSpec } from '../src/models/seed-mlp.js';
import { bceWithLogits, trainStep, type Gan } from '../src/train/gan-step.js';
import { centralDifferences, relativeError } from './fixtures/finite-differences.js';

await useBackend('cpu');

describe('bceWithLogits', () => {
  function bce(logits: number[], labels: number[]): number[] {
    return [...tf.tidy(() => bceWithLogits(tf.tensor1d(logits), tf.tensor1d(labels))).dataSync()];
  }

  test('is ln 2 for logit 0, whatever the label', () => {
    const [real, fake] = bce([0, 0], [1, 0]);

    assert.ok(Math.abs(real - 0.6931472) < 1e-6, `${real}`);
    assert.ok(Math.abs(fake - 0.6931472) < 1e-6, `${fake}`);
  });

  test('is softplus(l) = ln(1 + e^l) for label 0 and softplus(-l) for label 1', () => {
    const [two, minusThree] = bce([2, -3], [0, 1]);

    // ln(1 + e^2) = 2.1269280..., ln(1 + e^3) = 3.0485874...
    assert.ok(Math.abs(two - 2.126928) < 1e-5, `${two}`);
    assert.ok(Math.abs(minusThree - 3.0485874) < 1e-5, `${minusThree}`);
  });

  test('stays finite for logits far beyond what exp() can hold in float32', () => {
    const values = bce([100, 100, -100, -100], [0, 1, 0, 1]);

    // e^100 overflows float32; the exact values are 100 + e^-100 and e^-100.
    const expected = [100, 0, 0, 100];
    values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${values}`));
  });
});

/**
 * One training step's gradients, read back from Adam: after a first step from zero moments
 * the first moment is exactly (1 - beta1) * gradient = 0.1 * gradient. They are compared
 * with finite differences of the recipe's losses written out here:
 *   discriminator: mean softplus(-D(real)) + mean softplus(D(G(z1)))   (labels 1 and 0)
 *   generator:     mean softplus(-D'(G(z2)))   with D' the discriminator after its update.
 * Dropout is off in these networks so that the step draws nothing but z1 and z2 (in that
 * order) from its generator and the test can draw the same latents; backward's handling of
 * dropout is checked in seed-mlp-gradient.test.ts.
 */
describe('trainStep', () => {
  const generatorSpec: MlpSpec = {
    sizes: [3, 6, 4],
    negativeSlope: 0.2,
    dropout: 0,
    output: 'tanh',
  };
  const discriminatorSpec: MlpSpec = { ...generatorSpec, sizes: [4, 6, 1], output: 'logit' };
  const n = 5;
  const stepSeed = 3;
  const learningRate = 1e-3;

  const generatorNetwork = mlpNetwork(generatorSpec);
  const discriminatorNetwork = mlpNetwork(discriminatorSpec);
  const init = new Random(1);
  const generator0 = generatorNetwork.initialParameters(init).map((p) => 2 * p);
  const discriminator0 = discriminatorNetwork.initialParameters(init).map((p) => 2 * p);
  const real = uniformArray(init, n * 4, -1, 1);
  const latents = new Random(stepSeed);
  const z1 = uniformArray(latents, n * 3, -1, 1);
  const z2 = uniformArray(latents, n * 3, -1, 1);

  const adam = { learningRate, ...ADAM_DEFAULTS };
  /** Both networks at their starting parameters, with fresh optimizers. */
  function freshGan(): Gan {
    return {
      generator: new Trainable(generatorNetwork, generator0, adam, null),
      discriminator: new Trainable(discriminatorNetwork, discriminator0, adam, null),
      latentSize: 3,
    };
  }
  const gan = freshGan();
  const losses = trainStep(gan, tf.tensor2d(real, [n, 4]), new Random(stepSeed));
  const discriminator1 = gan.discriminator.flatParameters();
  const generator1 = gan.generator.flatParameters();

  function run(spec: MlpSpec, parameters: Float32Array, input: Float32Array): Float32Array {
    const network = mlpNetwork(spec);
    const output = tf.tidy(() => {
      const x = tf.tensor2d(input, [n, spec.sizes[0]]);
      return network.forward(network.toTensors(parameters), x, null).output;
    });
    const values = output.dataSync() as Float32Array;
    output.dispose();
    return values;
  }

  const softplus = (x: number) => Math.log1p(Math.exp(x));
  const mean = (values: ArrayLike<number>, f: (x: number) => number) =>
    Array.from(values, f).reduce((a, b) => a + b, 0) / values.length;

  function discriminatorLoss(discriminator: Float32Array): number {
    const fake = run(generatorSpec, generator0, z1);
    return (
      mean(run(discriminatorSpec, discriminator, real), (l) => softplus(-l)) +
      mean(run(discriminatorSpec, discriminator, fake), (l) => softplus(l))
    );
  }

  function generatorLoss(generator: Float32Array): number {
    const fake = run(generatorSpec, generator, z2);
    return mean(run(discriminatorSpec, discriminator1, fake), (l) => softplus(-l));
  }

  test('reports the discriminator loss as the real mean plus the fake mean of BCE', () => {
    const expected = discriminatorLoss(discriminator0);

    const reported = losses.discriminator;
    assert.ok(Math.abs(reported - expected) < 1e-5, `${reported} vs ${expected}`);
  });

  test('reports the generator loss against the updated discriminator with labels "real"', () => {
    const expected = generatorLoss(generator0);

    assert.ok(Math.abs(losses.generator - expected) < 1e-5, `${losses.generator} vs ${expected}`);
  });

  test('moves the discriminator along the gradient of its loss', () => {
    const gradient = Array.from(gan.discriminator.adamState().m, (m) => m / 0.1);
    const numeric = centralDifferences(discriminatorLoss, discriminator0, 1e-2);

    const error = relativeError(gradient, numeric);
    assert.ok(error < 1e-3, `relative error ${error}`);
  });

  test('moves the generator along the gradient of its loss through the discriminator', () => {
    const gradient = Array.from(gan.generator.adamState().m, (m) => m / 0.1);
    const numeric = centralDifferences(generatorLoss, generator0, 1e-2);

    const error = relativeError(gradient, numeric);
    assert.ok(error < 1e-3, `relative error ${error}`);
  });

  test('takes a first Adam step of learning rate times the sign of each gradient', () => {
    const numeric = centralDifferences(discriminatorLoss, discriminator0, 1e-2);
    let checked = 0;
    numeric.forEach((g, i) => {
      // Tiny gradients are left out: their sign is within the finite differences' noise.
      if (Math.abs(g) < 1e-3) return;
      const step = (discriminator1[i] - discriminator0[i]) / learningRate;
      const message = `parameter ${i}: step ${step} x learning rate, gradient ${g}`;
      assert.ok(Math.abs(step + Math.sign(g)) < 1e-3, message);
      checked += 1;
    });
    assert.ok(checked > numeric.length / 2, `only ${checked} of ${numeric.length} checked`);
  });

  test('draws the same losses from the same generator state', () => {
    const twin = freshGan();

    const again = trainStep(twin, tf.tensor2d(real, [n, 4]), new Random(stepSeed));

    assert.deepEqual(again, losses);
    assert.deepEqual(twin.generator.flatParameters(), generator1);
  });
});
