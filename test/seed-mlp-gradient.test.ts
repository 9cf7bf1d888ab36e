import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tf, useBackend } from '../src/models/backend.js';
import { Random, uniformArray } from '../src/models/random.js';
import { centralDifferences, relativeError } from './fixtures/finite-differences.js';
import { mlpNetwork, type MlpSpec } from '../src/models/seed-mlp.js';

/**
 * The backward pass of networks built like seed-mlp's (dense, LeakyReLU and dropout per hidden
 * layer, tanh or a bare logit at the end) checked against central finite differences of the
 * forward pass. net-gradient.test.ts checks each layer on its own; this checks them assembled
 * as the tutorial's GAN uses them, with dropout on and off.
 *
 * The check runs on the plain-JavaScript cpu backend, in float32 like training. Float32 makes
 * finite differences noisy, hence small networks, a step of 1e-2 and a tolerance of 1e-3 on
 * the relative error of the whole gradient vector. The right gradients come within about 5e-5;
 * a missing LeakyReLU slope, a missing dropout scale or a wrong tanh derivative fails the check.
 */
await useBackend('cpu');

const TANH_NET: MlpSpec = { sizes: [5, 4, 3, 2], negativeSlope: 0.2, dropout: 0.3, output: 'tanh' };
const LOGIT_NET: MlpSpec = { ...TANH_NET, sizes: [6, 4, 3, 1], output: 'logit' };
const BATCH = 3;
const DROPOUT_SEED = 7;
const STEP = 1e-2;
const TOLERANCE = 1e-3;

interface Problem {
  spec: MlpSpec;
  parameters: Float32Array;
  input: Float32Array;
  /** L = sum(output * outputWeights), so dL/d(output) = outputWeights. */
  outputWeights: Float32Array;
  dropout: boolean;
}

function problem(spec: MlpSpec, dropout: boolean): Problem {
  const random = new Random(1);
  // Doubled so that the units are spread over both sides of LeakyReLU and into tanh's bend.
  const parameters = mlpNetwork(spec)
    .initialParameters(random)
    .map((p) => 2 * p);
  const input = uniformArray(random, BATCH * spec.sizes[0], -1, 1);
  const outputWeights = uniformArray(random, BATCH * spec.sizes[spec.sizes.length - 1], -1, 1);
  return { spec, parameters, input, outputWeights, dropout };
}

/** A fresh generator of the same seed for every pass, so every pass drops the same units. */
function dropoutFor(p: Problem): Random | null {
  return p.dropout ? new Random(DROPOUT_SEED) : null;
}

function loss(p: Problem, parameters: Float32Array, input: Float32Array): number {
  const network = mlpNetwork(p.spec);
  const output = tf.tidy(() => {
    const x = tf.tensor2d(input, [BATCH, p.spec.sizes[0]]);
    return network.forward(network.toTensors(parameters), x, dropoutFor(p)).output;
  });
  const values = output.dataSync();
  output.dispose();
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * p.outputWeights[i];
  return sum;
}

/** The parameter gradient in the flat layout of the parameters, and the input gradient if asked. */
function analyticGradients(p: Problem, wantInputGradient: boolean) {
  const network = mlpNetwork(p.spec);
  const read = (t: tf.Tensor | null) => (t ? Float64Array.from(t.dataSync()) : null);
  let values: { gradient: Float64Array; inputGradient: Float64Array | null } | undefined;
  tf.tidy(() => {
    const x = tf.tensor2d(p.input, [BATCH, p.spec.sizes[0]]);
    const pass = network.forward(network.toTensors(p.parameters), x, dropoutFor(p));
    const dOutput = tf.tensor2d(p.outputWeights, pass.output.shape as [number, number]);
    const result = pass.backward(dOutput, { input: wantInputGradient, parameters: true });
    const flat = tf.concat(result.parameters!.map((g) => tf.reshape(g, [-1])));
    values = { gradient: read(flat)!, inputGradient: read(result.input) };
  });
  return values!;
}

const cases = [
  { name: 'tanh output, dropout 0.3', spec: TANH_NET, dropout: true },
  { name: 'tanh output, no dropout', spec: TANH_NET, dropout: false },
  { name: 'logit output, dropout 0.3', spec: LOGIT_NET, dropout: true },
  { name: 'logit output, no dropout', spec: LOGIT_NET, dropout: false },
];

for (const { name, spec, dropout } of cases) {
  describe(`backward on ${spec.sizes.join('-')}, ${name}`, () => {
    const p = problem(spec, dropout);

    test('gives the parameter gradient that finite differences measure', () => {
      const numeric = centralDifferences((w) => loss(p, w, p.input), p.parameters, STEP);
      const { gradient } = analyticGradients(p, false);

      assert.equal(gradient.length, p.parameters.length);
      const error = relativeError(gradient, numeric);
      assert.ok(error < TOLERANCE, `relative error ${error}`);
    });

    test('gives the input gradient that finite differences measure', () => {
      const numeric = centralDifferences((input) => loss(p, p.parameters, input), p.input, STEP);
      const { inputGradient } = analyticGradients(p, true);

      assert.ok(inputGradient);
      assert.equal(inputGradient.length, p.input.length);
      const error = relativeError(inputGradient, numeric);
      assert.ok(error < TOLERANCE, `relative error ${error}`);
    });

    test('gives the same parameter gradient whether or not the input gradient is asked for', () => {
      const without = analyticGradients(p, false);
      const withInput = analyticGradients(p, true);

      assert.equal(without.inputGradient, null);
      assert.deepEqual(withInput.gradient, without.gradient);
    });
  });
}

test('dropout with p = 0.3 changes what the check networks compute', () => {
  for (const spec of [TANH_NET, LOGIT_NET]) {
    const on = problem(spec, true);
    const off = problem(spec, false);

    assert.notEqual(loss(on, on.parameters, on.input), loss(off, off.parameters, off.input));
  }
});
