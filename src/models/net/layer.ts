import type { tf } from '../backend.js';
import type { Random } from '../random.js';

/**
 * A layer with a hand-written backward pass. Every product in a backward pass is a plain
 * matMul or a forward conv2d: on tfjs's wasm backend the transposed matMul and the
 * Conv2DBackprop* kernels that automatic gradients use are several times slower (and
 * Conv2DBackpropFilter does not exist there at all).
 */
export interface Layer {
  /** Shapes of the layer's parameters, in the order forward() receives them. */
  parameterShapes: number[][];
  /** Fan-in for initialisation: weights and biases start in U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  fanIn: number;
  forward(parameters: tf.Tensor[], x: tf.Tensor, context: PassContext): LayerPass;
}

/** What a forward pass through a layer leaves for the backward pass. */
export interface LayerPass {
  output: tf.Tensor;
  /**
   * Given dL/d(output), returns dL/d(input) and dL/d(each parameter) in parameter order, each
   * only when asked (a generator's step needs the discriminator's input gradient only).
   */
  backward(dOutput: tf.Tensor, want: Wanted): LayerGradients;
}

export interface Wanted {
  input: boolean;
  parameters: boolean;
}

export interface LayerGradients {
  input: tf.Tensor | null;
  parameters: tf.Tensor[] | null;
}

/** Per-pass information some layers need. */
export interface PassContext {
  /** Dropout masks come from here while training; null when generating or evaluating. */
  random: Random | null;
}
