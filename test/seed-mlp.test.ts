import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import { latentForSeed } from '../src/models/generate.js';
import { Network } from '../src/models/net/network.js';
import { Random, uniformArray } from '../src/models/random.js';
import {
  SEED_MLP_DISCRIMINATOR,
  SEED_MLP_GENERATOR,
  mlpNetwork,
  parameterCount,
  type MlpSpec,
} from '../src/models/seed-mlp.js';

await useBackend('cpu');

const SMALL: MlpSpec = { sizes: [5, 4, 3], negativeSlope: 0.2, dropout: 0.3, output: 'logit' };

function run(spec: MlpSpec, parameters: Float32Array, input: Float32Array, dropout: Random | null) {
  const network = mlpNetwork(spec);
  const output = tf.tidy(() => {
    const x = tf.tensor2d(input, [input.length / spec.sizes[0], spec.sizes[0]]);
    return network.forward(network.toTensors(parameters), x, dropout).output;
  });
  const result = { shape: output.shape, values: output.dataSync() as Float32Array };
  output.dispose();
  return result;
}

describe('the seed-mlp networks', () => {
  test('the generator 100-32-64-128-784 has 114800 parameters', () => {
    // 100*32+32 + 32*64+64 + 64*128+128 + 128*784+784 = 3232 + 2112 + 8320 + 101136
    assert.equal(parameterCount(SEED_MLP_GENERATOR), 114800);
  });

  test('the discriminator 784-128-64-32-1 has 110849 parameters', () => {
    // 784*128+128 + 128*64+64 + 64*32+32 + 32*1+1 = 100480 + 8256 + 2080 + 33
    assert.equal(parameterCount(SEED_MLP_DISCRIMINATOR), 110849);
  });

  test('the generator turns a batch of latents into a batch of 784-pixel images', () => {
    const parameters = mlpNetwork(SEED_MLP_GENERATOR).initialParameters(new Random(1));
    const latents = uniformArray(new Random(2), 3 * 100, -1, 1);

    assert.deepEqual(run(SEED_MLP_GENERATOR, parameters, latents, null).shape, [3, 784]);
  });

  test('the discriminator turns a batch of images into one logit each', () => {
    const parameters = mlpNetwork(SEED_MLP_DISCRIMINATOR).initialParameters(new Random(1));
    const images = uniformArray(new Random(2), 3 * 784, -1, 1);

    assert.deepEqual(run(SEED_MLP_DISCRIMINATOR, parameters, images, null).shape, [3, 1]);
  });

  test('the generator output stays within [-1, 1] even when tanh saturates', () => {
    // Parameters ten times too large push most pixels against the bounds.
    const parameters = mlpNetwork(SEED_MLP_GENERATOR)
      .initialParameters(new Random(1))
      .map((p) => 10 * p);
    const latents = uniformArray(new Random(2), 4 * 100, -1, 1);

    const { values } = run(SEED_MLP_GENERATOR, parameters, latents, new Random(3));

    assert.ok(values.every((v) => v >= -1 && v <= 1));
    assert.ok(
      values.some((v) => Math.abs(v) > 0.99),
      'expected saturated pixels',
    );
  });

  test('the discriminator output is a bare logit, not squashed into [-1, 1] or [0, 1]', () => {
    const parameters = mlpNetwork(SEED_MLP_DISCRIMINATOR)
      .initialParameters(new Random(1))
      .map((p) => 10 * p);
    const images = uniformArray(new Random(2), 4 * 784, -1, 1);

    const { values } = run(SEED_MLP_DISCRIMINATOR, parameters, images, null);

    assert.ok(
      values.some((v) => Math.abs(v) > 1),
      `logits ${[...values]}`,
    );
  });
});

describe('parameter layout', () => {
  test('is weights (in x out) then biases (out), layer by layer', () => {
    assert.deepEqual(mlpNetwork(SMALL).shapes, [[5, 4], [4], [4, 3], [3]]);
    assert.equal(parameterCount(SMALL), 20 + 4 + 12 + 3);
  });

  test('puts the first layer weight W[i][j] at i * out + j, so x @ W uses it', () => {
    // One input unit set, one weight set: only output j = 2 of layer 0 sees input 1.
    const spec: MlpSpec = { sizes: [2, 3], negativeSlope: 0.2, dropout: 0, output: 'logit' };
    const parameters = new Float32Array(9);
    parameters[1 * 3 + 2] = 0.5;
    parameters[6 + 0] = 0.25; // bias of output 0

    const { values } = run(spec, parameters, Float32Array.from([0, 2]), null);

    assert.deepEqual([...values], [0.25, 0, 1]);
  });
});

describe('initialParameters of the seed-mlp networks', () => {
  // PyTorch's nn.Linear default: weights and biases alike in U(-1/sqrt(in), 1/sqrt(in)).
  const layers = [
    { name: 'layer 1 (100 in)', values: 100 * 32 + 32, bound: 0.1 },
    { name: 'layer 2 (32 in)', values: 32 * 64 + 64, bound: 0.1767766952966369 },
    { name: 'layer 3 (64 in)', values: 64 * 128 + 128, bound: 0.125 },
    { name: 'layer 4 (128 in)', values: 128 * 784 + 784, bound: 0.08838834764831845 },
  ];
  const generator = mlpNetwork(SEED_MLP_GENERATOR);
  const parameters = generator.initialParameters(new Random(5));

  let offset = 0;
  for (const { name, values, bound } of layers) {
    const slice = parameters.subarray(offset, offset + values);
    offset += values;

    test(`draws the generator's ${name} within +-1/sqrt(fan_in) = +-${bound.toFixed(4)}`, () => {
      const largest = slice.reduce((max, v) => Math.max(max, Math.abs(v)), 0);

      assert.ok(largest <= bound, `largest |value| ${largest}`);
      assert.ok(largest > 0.99 * bound, `largest |value| ${largest}, the range is not filled`);
      const mean = slice.reduce((sum, v) => sum + v, 0) / slice.length;
      assert.ok(Math.abs(mean) < 0.05 * bound, `mean ${mean}, not centred on 0`);
    });
  }

  test('draws the same parameters from the same seed and others from another seed', () => {
    const again = generator.initialParameters(new Random(5));
    const other = generator.initialParameters(new Random(6));

    assert.deepEqual(again, parameters);
    assert.notDeepEqual(other, parameters);
  });

  test('draws the generator, then the discriminator, to the same values as always', () => {
    // Training draws both from one generator in this order. These values are what a seed has
    // always given: a change to the order of the draws or to the parameter layout would start
    // every run elsewhere and misread saved checkpoints, and shows here first.
    const random = new Random(1);
    const g = generator.initialParameters(random);
    const d = mlpNetwork(SEED_MLP_DISCRIMINATOR).initialParameters(random);

    const at = (values: Float32Array, indices: number[]) => indices.map((i) => values[i]);
    // W0[0][0], W0[99][31], b0[0], W1[0][0], the last bias.
    assert.deepEqual(
      at(g, [0, 3199, 3200, 3232, 114799]),
      [
        0.025414787232875824, -0.005865568295121193, -0.09445551037788391, -0.12659068405628204,
        -0.006091916002333164,
      ],
    );
    // W0[0][0], b0[127], the last bias.
    assert.deepEqual(
      at(d, [0, 100479, 110848]),
      [0.0352669358253479, 0.022991174831986427, 0.16111060976982117],
    );
  });
});

describe('dropout in forward', () => {
  const spec: MlpSpec = { sizes: [20, 100, 1], negativeSlope: 0.2, dropout: 0.3, output: 'logit' };
  const network = mlpNetwork(spec);
  const parameters = network.initialParameters(new Random(1));
  const input = uniformArray(new Random(2), 64 * 20, -1, 1);

  /**
   * d(hidden output)/d(pre-activation) of the hidden layer, for every unit of every row: its
   * LeakyReLU slope times its dropout mask. The layers after the first dense (LeakyReLU,
   * dropout) are run on the pre-activation and their backward pass given ones.
   */
  function hiddenGates(dropout: Random | null): Float32Array {
    const [first, ...rest] = network.layers;
    const activation = new Network(rest.slice(0, 2));
    const gates = tf.tidy(() => {
      const x = tf.tensor2d(input, [64, 20]);
      const weights = network.toTensors(parameters).slice(0, 2);
      const pre = first.forward(weights, x, { random: dropout }).output;
      const pass = activation.forward([], pre, dropout);
      return pass.backward(tf.onesLike(pass.output), { input: true, parameters: false }).input!;
    });
    const values = gates.dataSync() as Float32Array;
    gates.dispose();
    return values;
  }

  test('drops about 30% of hidden units and scales the others by 1 / 0.7', () => {
    const gates = hiddenGates(new Random(9));
    const dropped = gates.filter((g) => g === 0).length / gates.length;

    assert.ok(dropped > 0.27 && dropped < 0.33, `dropped ${dropped}`);
    // A kept unit's gate is its LeakyReLU slope (1 or 0.2) times 1/(1-0.3).
    const kept = new Set([...gates.filter((g) => g !== 0)].map((g) => g.toFixed(5)));
    assert.deepEqual([...kept].sort(), ['0.28571', '1.42857']);
  });

  test('is off when no generator is given: every gate is the LeakyReLU slope', () => {
    const gates = hiddenGates(null);

    assert.deepEqual(
      [...new Set(gates)].sort((a, b) => a - b),
      [Math.fround(0.2), 1],
    );
  });

  test('draws the same masks from generators of the same seed', () => {
    const first = run(spec, parameters, input, new Random(9)).values;
    const second = run(spec, parameters, input, new Random(9)).values;
    const other = run(spec, parameters, input, new Random(10)).values;

    assert.deepEqual(second, first);
    assert.notDeepEqual(other, first);
  });
});

describe('backward', () => {
  test('leaves no tensors behind when run inside tf.tidy', () => {
    const network = mlpNetwork(SMALL);
    const parameters = network.initialParameters(new Random(1));
    const before = tf.memory().numTensors;

    tf.tidy(() => {
      const x = tf.tensor2d(uniformArray(new Random(2), 2 * 5, -1, 1), [2, 5]);
      const pass = network.forward(network.toTensors(parameters), x, new Random(3));
      pass.backward(tf.onesLike(pass.output), { input: true, parameters: true });
    });

    assert.equal(tf.memory().numTensors, before);
  });
});

describe('latentForSeed', () => {
  test('gives the same latent vector of 100 values in [-1, 1) for the same seed', () => {
    const latent = latentForSeed(42, 100);

    assert.equal(latent.length, 100);
    assert.deepEqual(latentForSeed(42, 100), latent);
    assert.notDeepEqual(latentForSeed(43, 100), latent);
    assert.ok(latent.every((v) => v >= -1 && v < 1));
  });
});
