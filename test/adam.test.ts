import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Adam, ADAM_DEFAULTS, type AdamOptions } from '../src/models/adam.js';
import { tf, useBackend } from '../src/models/backend.js';

await useBackend('cpu');

const OPTIONS: AdamOptions = { learningRate: 0.01, ...ADAM_DEFAULTS };

/** Applies one update per gradient and returns the parameters after each. */
function steps(adam: Adam, start: number[], gradients: number[][]): number[][] {
  let parameters = tf.tensor1d(start);
  const seen: number[][] = [];
  for (const gradient of gradients) {
    const next = tf.tidy(() => adam.update(parameters, tf.tensor1d(gradient)));
    parameters.dispose();
    parameters = next;
    seen.push([...parameters.dataSync()]);
  }
  parameters.dispose();
  return seen;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const message = `[${i}]: ${actual[i]}, expected ${expected[i]} (all: ${Array.from(actual)})`;
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, message);
  }
}

describe('Adam', () => {
  test('uses PyTorch defaults: beta1 0.9, beta2 0.999, epsilon 1e-8', () => {
    assert.deepEqual(ADAM_DEFAULTS, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  });

  test('moves every parameter by -learning rate * sign(gradient) on its first step', () => {
    // From zero moments m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + 1e-8).
    const [after] = steps(Adam.fresh(OPTIONS, 3), [1, -2, 0.5], [[0.5, -3, 0.001]]);

    assertClose(after, [0.99, -1.99, 0.49]);
  });

  test('follows the PyTorch update over two steps', () => {
    // Parameter 1 starts at 1 with gradients 0.5 then -0.25:
    //   step 1: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025,
    //           m_hat = 0.05 / 0.1 = 0.5, v_hat = 0.00025 / 0.001 = 0.25, p = 1 - 0.01 = 0.99
    //   step 2: m = 0.9 * 0.05 + 0.1 * -0.25 = 0.02, v = 0.999 * 0.00025 + 0.001 * 0.0625
    //           = 0.00031225, m_hat = 0.02 / (1 - 0.81) = 0.1052632,
    //           v_hat = 0.00031225 / (1 - 0.998001) = 0.1562031, sqrt(v_hat) = 0.3952254,
    //           p = 0.99 - 0.01 * 0.1052632 / 0.3952254 = 0.99 - 0.0026634 = 0.9873366
    // Parameter 2 starts at -2 with the constant gradient -3: the corrected moments of a
    // constant are the constant and its square, so it moves by exactly lr each step.
    const [first, second] = steps(
      Adam.fresh(OPTIONS, 2),
      [1, -2],
      [
        [0.5, -3],
        [-0.25, -3],
      ],
    );

    assertClose(first, [0.99, -1.99]);
    assertClose(second, [0.9873366, -1.98]);
  });

  test('saves its step count and moments', () => {
    const adam = Adam.fresh(OPTIONS, 2);
    steps(
      adam,
      [1, -2],
      [
        [0.5, -3],
        [-0.25, -3],
      ],
    );

    const state = adam.save();

    // m = 0.9 * m + 0.1 * g and v = 0.999 * v + 0.001 * g^2, from zero, for two steps.
    assert.equal(state.step, 2);
    assertClose(state.m, [0.02, -0.57], 1e-7);
    assertClose(state.v, [0.00031225, 0.017991], 1e-8);
  });

  test('continues exactly where it stopped when rebuilt from its saved state', () => {
    const gradients = [
      [0.5, -3, 2],
      [-0.25, -3, 1],
      [0.125, 1, -4],
    ];
    const straight = steps(Adam.fresh(OPTIONS, 3), [1, -2, 0], gradients);

    const first = Adam.fresh(OPTIONS, 3);
    const [afterOne] = steps(first, [1, -2, 0], gradients.slice(0, 1));
    const rebuilt = new Adam(OPTIONS, first.save());
    const rest = steps(rebuilt, afterOne, gradients.slice(1));

    assert.deepEqual(rest, straight.slice(1));
  });

  test('keeps its moments alive when updated inside tf.tidy', () => {
    const adam = Adam.fresh(OPTIONS, 1);
    const before = tf.memory().numTensors;

    const parameters = tf.tensor1d([0]);
    const next = tf.tidy(() => adam.update(parameters, tf.tensor1d([1])));
    tf.dispose([parameters, next]);

    assert.equal(tf.memory().numTensors, before);
    assertClose(adam.save().m, [0.1]);
    adam.dispose();
  });
});
