import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import type { Layer } from '../src/models/net/layer.js';
import {
  batchSpread,
  conv3x3,
  dense,
  downsample2x,
  dropout,
  leakyRelu,
  maxPool2x,
  pixelNorm,
  reshape,
  tanh,
  upsample2x,
} from '../src/models/net/layers.js';
import { Network } from '../src/models/net/network.js';
import { Random, uniformArray } from '../src/models/random.js';
import { centralDifferences, relativeError } from './fixtures/finite-differences.js';

/**
 * Every hand-written backward pass of the convolutional layers, checked against central finite
 * differences of the forward pass, on small networks in float32 (cpu backend): the relative
 * error of the whole gradient vector must stay under 1e-3, where a wrong index, a missing
 * kernel flip or a swapped axis gives errors near 1.
 */
await useBackend('cpu');

// Small, because a convolution weight moves many pre-activations at once and a larger step
// carries some of them across LeakyReLU's kink (1e-2 gives a 7% error on a correct gradient).
const STEP = 1e-3;
const TOLERANCE = 1e-3;

interface Case {
  name: string;
  layers: Layer[];
  inputShape: number[];
  dropoutSeed?: number;
}

const CASES: Case[] = [
  { name: 'dense on an NHWC tensor (per pixel)', layers: [dense(3, 2)], inputShape: [2, 2, 2, 3] },
  { name: 'conv3x3 alone', layers: [conv3x3(2, 3)], inputShape: [2, 4, 4, 2] },
  {
    name: 'conv3x3 then LeakyReLU',
    layers: [conv3x3(2, 3), leakyRelu(0.2)],
    inputShape: [2, 4, 4, 2],
  },
  { name: 'upsample2x then tanh', layers: [upsample2x(3, 2), tanh()], inputShape: [2, 2, 3, 3] },
  {
    name: 'downsample2x then ReLU',
    layers: [downsample2x(2, 3), leakyRelu(0)],
    inputShape: [2, 4, 2, 2],
  },
  {
    name: 'maxPool2x after a conv',
    layers: [conv3x3(1, 2), maxPool2x()],
    inputShape: [2, 4, 4, 1],
  },
  { name: 'pixelNorm after a dense', layers: [dense(3, 4), pixelNorm()], inputShape: [3, 3] },
  {
    name: 'a small generator: dense, reshape, upsample, conv, tanh',
    layers: [
      dense(4, 8),
      leakyRelu(0.2),
      reshape([2, 2, 2]),
      upsample2x(2, 2),
      pixelNorm(),
      conv3x3(2, 1),
      tanh(),
    ],
    inputShape: [2, 4],
  },
  {
    name: 'batchSpread in groups of 2, after a conv (the spread channel feeds the next layer)',
    layers: [conv3x3(1, 3), batchSpread(2), dense(3, 2)],
    inputShape: [4, 3, 3, 1],
  },
  {
    name: 'batchSpread in groups of 3 where the batch of 4 divides only into groups of 2',
    layers: [dense(2, 3), reshape([1, 1, 3]), batchSpread(3), dense(3, 1)],
    inputShape: [4, 2],
  },
  {
    name: 'dropout with a fixed mask',
    layers: [dense(5, 6), leakyRelu(0.2), dropout(0.3), dense(6, 2)],
    inputShape: [3, 5],
    dropoutSeed: 3,
  },
];

function scalarLoss(network: Network, c: Case, weights: Float32Array) {
  return (parameters: Float32Array, input: Float32Array): number => {
    const output = tf.tidy(() => {
      const random = c.dropoutSeed === undefined ? null : new Random(c.dropoutSeed);
      return network.forward(network.toTensors(parameters), tf.tensor(input, c.inputShape), random)
        .output;
    });
    const values = output.dataSync();
    output.dispose();
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i] * weights[i];
    return sum;
  };
}

describe('hand-written layer gradients match finite differences', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const network = new Network(c.layers);
      const random = new Random(11);
      const parameters = network.initialParameters(random).map((p) => 2 * p);
      const inputSize = c.inputShape.reduce((a, b) => a * b, 1);
      const input = uniformArray(random, inputSize, -1, 1);
      const outputSize = tf.tidy(() => {
        const pass = network.forward(
          network.toTensors(parameters),
          tf.tensor(input, c.inputShape),
          null,
        );
        return pass.output.size;
      });
      const weights = uniformArray(random, outputSize, -1, 1);
      const loss = scalarLoss(network, c, weights);

      let analytic: Float64Array[] = [];
      tf.tidy(() => {
        const dropoutRandom = c.dropoutSeed === undefined ? null : new Random(c.dropoutSeed);
        const pass = network.forward(
          network.toTensors(parameters),
          tf.tensor(input, c.inputShape),
          dropoutRandom,
        );
        const dOutput = tf.tensor(weights, pass.output.shape);
        const result = pass.backward(dOutput, { input: true, parameters: true });
        const flat = tf.concat(result.parameters!.map((g) => tf.reshape(g, [-1])));
        analytic = [
          Float64Array.from(flat.dataSync()),
          Float64Array.from(result.input!.dataSync()),
        ];
      });

      assert.equal(analytic[0].length, network.size);
      const parameterError = relativeError(
        analytic[0],
        centralDifferences((p) => loss(p, input), parameters, STEP),
      );
      const inputError = relativeError(
        analytic[1],
        centralDifferences((x) => loss(parameters, x), input, STEP),
      );
      assert.ok(parameterError < TOLERANCE, `parameter gradient relative error ${parameterError}`);
      assert.ok(inputError < TOLERANCE, `input gradient relative error ${inputError}`);
    });
  }
});
