import { tf } from './backend.js';
import type { Random } from './random.js';

/**
 * A fully connected network with hand-written gradients.
 *
 * Why not tf.grad or the Layers API: on the wasm backend a matMul with a transposed operand,
 * which the automatic dense-layer gradients use, is about ten times slower than a plain one.
 * Here every gradient product is a plain matMul over an explicitly transposed copy.
 *
 * All parameters of a network live in one flat vector ([W0, b0, W1, b1, ...], W stored
 * in x out as tfjs multiplies x @ W), so the optimizer updates a network in a dozen ops.
 */
export interface MlpSpec {
  /** Widths from input to output, e.g. [100, 32, 64, 128, 784]. */
  sizes: number[];
  /** LeakyReLU slope for negative inputs, after every hidden layer. */
  negativeSlope: number;
  /** Probability of dropping a hidden unit while training. */
  dropout: number;
  /** What follows the last layer: tanh (images in [-1, 1]) or nothing (logits). */
  output: 'tanh' | 'logit';
}

/** Shapes of the flat vector's pieces, in order: [in, out] then [out] per layer. */
export function parameterShapes(spec: MlpSpec): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i + 1 < spec.sizes.length; i++) {
    shapes.push([spec.sizes[i], spec.sizes[i + 1]], [spec.sizes[i + 1]]);
  }
  return shapes;
}

export function parameterCount(spec: MlpSpec): number {
  return parameterShapes(spec).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * PyTorch's default nn.Linear initialisation, U(-1/sqrt(in), 1/sqrt(in)) for weights and
 * biases alike, so that a run starts where the tutorial's does.
 */
export function initParameters(spec: MlpSpec, random: Random): Float32Array {
  const flat = new Float32Array(parameterCount(spec));
  let offset = 0;
  for (let i = 0; i + 1 < spec.sizes.length; i++) {
    const bound = 1 / Math.sqrt(spec.sizes[i]);
    const size = (spec.sizes[i] + 1) * spec.sizes[i + 1];
    for (let j = 0; j < size; j++) flat[offset + j] = random.uniform(-bound, bound);
    offset += size;
  }
  return flat;
}

/** Splits the flat vector into weight and bias tensors, layer by layer. */
export function unflatten(spec: MlpSpec, flat: tf.Tensor1D): { w: tf.Tensor2D; b: tf.Tensor1D }[] {
  const shapes = parameterShapes(spec);
  const pieces = tf.split(
    flat,
    shapes.map((s) => s.reduce((a, b) => a * b, 1)),
  );
  const layers = [];
  for (let i = 0; i < pieces.length; i += 2) {
    layers.push({
      w: tf.reshape(pieces[i], shapes[i] as [number, number]) as tf.Tensor2D,
      b: pieces[i + 1] as tf.Tensor1D,
    });
  }
  return layers;
}

/** What a forward pass keeps for its backward pass. */
export interface ForwardCache {
  layers: { w: tf.Tensor2D; b: tf.Tensor1D }[];
  /** The input of each layer. */
  inputs: tf.Tensor2D[];
  /** d(hidden output)/d(pre-activation) of each hidden layer: slope times dropout mask. */
  gates: tf.Tensor2D[];
  output: tf.Tensor2D;
}

/**
 * Runs the network. With `dropout` set (training), hidden units are dropped with masks drawn
 * from that generator and the survivors scaled by 1/(1-p), as torch.nn.Dropout does; with
 * null (generating for users) dropout is off.
 */
export function forward(
  spec: MlpSpec,
  flat: tf.Tensor1D,
  x: tf.Tensor2D,
  dropout: Random | null,
): ForwardCache {
  const layers = unflatten(spec, flat);
  const inputs: tf.Tensor2D[] = [];
  const gates: tf.Tensor2D[] = [];
  let h = x;
  layers.forEach(({ w, b }, i) => {
    inputs.push(h);
    const last = i === layers.length - 1;
    if (last) {
      const pre = tf.fused.matMul({ a: h, b: w, bias: b });
      h = (spec.output === 'tanh' ? tf.tanh(pre) : pre) as tf.Tensor2D;
      return;
    }
    const activated = tf.fused.matMul({
      a: h,
      b: w,
      bias: b,
      activation: 'leakyrelu',
      leakyreluAlpha: spec.negativeSlope,
    }) as tf.Tensor2D;
    // LeakyReLU keeps the sign, so the slope can be read off the activated value.
    const slope = tf.step(activated, spec.negativeSlope) as tf.Tensor2D;
    if (dropout === null || spec.dropout === 0) {
      gates.push(slope);
      h = activated;
      return;
    }
    const mask = dropoutMask(dropout, activated.shape[0], activated.shape[1], spec.dropout);
    gates.push(tf.mul(slope, mask) as tf.Tensor2D);
    h = tf.mul(activated, mask) as tf.Tensor2D;
  });
  return { layers, inputs, gates, output: h };
}

function dropoutMask(random: Random, rows: number, cols: number, p: number): tf.Tensor2D {
  const keep = 1 / (1 - p);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = random.next() < p ? 0 : keep;
  return tf.tensor2d(values, [rows, cols]);
}

/**
 * Backpropagates dL/d(output) through a forward pass. Returns the gradient as one flat vector
 * in the parameters' layout, and dL/d(input) when asked (the generator's step needs it from
 * the discriminator).
 */
export function backward(
  spec: MlpSpec,
  cache: ForwardCache,
  dOutput: tf.Tensor2D,
  wantInputGradient: boolean,
): { gradient: tf.Tensor1D; inputGradient: tf.Tensor2D | null } {
  const count = cache.layers.length;
  let dPre =
    spec.output === 'tanh'
      ? (tf.mul(dOutput, tf.sub(1, tf.square(cache.output))) as tf.Tensor2D)
      : dOutput;
  const pieces: tf.Tensor[] = new Array(count * 2);
  let inputGradient: tf.Tensor2D | null = null;
  for (let i = count - 1; i >= 0; i--) {
    const { w } = cache.layers[i];
    pieces[2 * i] = tf.reshape(tf.matMul(tf.transpose(cache.inputs[i]), dPre), [-1]);
    pieces[2 * i + 1] = tf.sum(dPre, 0);
    if (i === 0 && !wantInputGradient) break;
    const dInput = tf.matMul(dPre, tf.transpose(w)) as tf.Tensor2D;
    if (i === 0) inputGradient = dInput;
    else dPre = tf.mul(dInput, cache.gates[i - 1]) as tf.Tensor2D;
  }
  return { gradient: tf.concat(pieces) as tf.Tensor1D, inputGradient };
}
