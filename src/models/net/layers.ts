import { tf } from '../backend.js';
import type { Layer, LayerPass } from './layer.js';

/**
 * Sums a gradient over every axis but the last, as a product with a row of ones: on the wasm
 * backend that is about ten times faster than a reduction over leading axes.
 */
function sumToChannels(d: tf.Tensor, channels: number): tf.Tensor1D {
  const rows = tf.reshape(d, [-1, channels]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(tf.ones([1, rows.shape[0]]), rows), [channels]);
}

/**
 * The layers both GANs and the digit classifier are built from, each with its
 * backward pass written out. Images are NHWC, as tfjs stores them.
 */

/**
 * x @ W + b over the last axis (so it also acts per pixel on an NHWC tensor). The bias goes
 * into the product as one fused kernel: fewer kernels per step, and on wasm the fused sum
 * starts from the bias, which rounds differently from adding it afterwards, so changing this
 * changes every dense network's outputs in their last bits (seed-mlp's served images among them).
 */
export function dense(inputs: number, outputs: number): Layer {
  return {
    parameterShapes: [[inputs, outputs], [outputs]],
    fanIn: inputs,
    forward([w, b], x): LayerPass {
      const shape = x.shape;
      const rows = tf.reshape(x, [-1, inputs]) as tf.Tensor2D;
      const y = tf.fused.matMul({ a: rows, b: w as tf.Tensor2D, bias: b });
      return {
        output: tf.reshape(y, [...shape.slice(0, -1), outputs]),
        backward(dOutput, want) {
          const dy = tf.reshape(dOutput, [-1, outputs]) as tf.Tensor2D;
          const parameters = want.parameters
            ? [tf.matMul(tf.transpose(rows), dy), sumToChannels(dy, outputs)]
            : null;
          const input = want.input
            ? tf.reshape(tf.matMul(dy, tf.transpose(w as tf.Tensor2D)), shape)
            : null;
          return { input, parameters };
        },
      };
    },
  };
}

/**
 * A 3x3 convolution, stride 1, zero padding that keeps the size. Its input gradient is the
 * forward convolution of dL/dy with the kernel turned 180 degrees and its channel axes swapped;
 * its kernel gradient is a forward convolution too, of the input with dL/dy, treating the batch
 * as the channel axis (the kernel gradient sums over the batch exactly as a convolution sums
 * over input channels).
 */
export function conv3x3(inputs: number, outputs: number): Layer {
  return {
    parameterShapes: [[3, 3, inputs, outputs], [outputs]],
    fanIn: 9 * inputs,
    forward([w, b], x): LayerPass {
      const x4 = x as tf.Tensor4D;
      const kernel = w as tf.Tensor4D;
      const y = tf.add(tf.conv2d(x4, kernel, 1, 'same'), b);
      return {
        output: y,
        backward(dOutput, want) {
          const dy = dOutput as tf.Tensor4D;
          let parameters: tf.Tensor[] | null = null;
          if (want.parameters) {
            const padding: [number, number][] = [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ];
            const inputsAsBatch = tf.transpose(tf.pad(x4, padding), [3, 1, 2, 0]) as tf.Tensor4D;
            const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
            const dw = tf.conv2d(inputsAsBatch, dyAsKernel, 1, 'valid');
            parameters = [tf.transpose(dw, [1, 2, 0, 3]), sumToChannels(dy, outputs)];
          }
          let input: tf.Tensor | null = null;
          if (want.input) {
            const turned = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
            input = tf.conv2d(dy, turned, 1, 'same');
          }
          return { input, parameters };
        },
      };
    },
  };
}

/**
 * Doubles height and width: each input pixel becomes a 2x2 block, each of the four positions
 * with its own linear map of the channels (a transposed convolution with a 2x2 kernel and
 * stride 2). Built from one plain matMul and reshapes, so its gradients are plain products too.
 */
export function upsample2x(inputs: number, outputs: number): Layer {
  return {
    parameterShapes: [[inputs, 4 * outputs], [outputs]],
    fanIn: inputs,
    forward([w, b], x): LayerPass {
      const [n, h, width] = x.shape as number[];
      const rows = tf.reshape(x, [-1, inputs]) as tf.Tensor2D;
      const blocks = tf.reshape(tf.matMul(rows, w as tf.Tensor2D), [n, h, width, 2, 2, outputs]);
      const image = tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [
        n,
        2 * h,
        2 * width,
        outputs,
      ]);
      return {
        output: tf.add(image, b),
        backward(dOutput, want) {
          const split = tf.reshape(dOutput, [n, h, 2, width, 2, outputs]);
          const dBlocks = tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4, 5]), [-1, 4 * outputs]);
          const parameters = want.parameters
            ? [
                tf.matMul(tf.transpose(rows), dBlocks as tf.Tensor2D),
                sumToChannels(dOutput, outputs),
              ]
            : null;
          const input = want.input
            ? tf.reshape(tf.matMul(dBlocks as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)), x.shape)
            : null;
          return { input, parameters };
        },
      };
    },
  };
}

/**
 * Halves height and width: each 2x2 block of pixels is mapped, all its channels together, to
 * one output pixel (a convolution with a 2x2 kernel and stride 2), via reshapes and one matMul.
 */
export function downsample2x(inputs: number, outputs: number): Layer {
  return {
    parameterShapes: [[4 * inputs, outputs], [outputs]],
    fanIn: 4 * inputs,
    forward([w, b], x): LayerPass {
      const [n, height, width] = x.shape as number[];
      const h = height / 2;
      const wd = width / 2;
      const split = tf.reshape(x, [n, h, 2, wd, 2, inputs]);
      const rows = tf.reshape(tf.transpose(split, [0, 1, 3, 2, 4, 5]), [
        -1,
        4 * inputs,
      ]) as tf.Tensor2D;
      const y = tf.add(tf.matMul(rows, w as tf.Tensor2D), b);
      return {
        output: tf.reshape(y, [n, h, wd, outputs]),
        backward(dOutput, want) {
          const dy = tf.reshape(dOutput, [-1, outputs]) as tf.Tensor2D;
          const parameters = want.parameters
            ? [tf.matMul(tf.transpose(rows), dy), sumToChannels(dy, outputs)]
            : null;
          let input: tf.Tensor | null = null;
          if (want.input) {
            const dRows = tf.reshape(tf.matMul(dy, tf.transpose(w as tf.Tensor2D)), [
              n,
              h,
              wd,
              2,
              2,
              inputs,
            ]);
            input = tf.reshape(tf.transpose(dRows, [0, 1, 3, 2, 4, 5]), x.shape);
          }
          return { input, parameters };
        },
      };
    },
  };
}

/**
 * Halves height and width by taking the largest of each 2x2 block (no parameters). The
 * gradient goes to the position(s) that held the maximum: both the maxima and the gradient are
 * spread back to full size by nearest-neighbour resizing and compared element by element, which
 * on wasm is many times faster than the MaxPoolGrad kernel or a broadcast comparison.
 */
export function maxPool2x(): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const input = x as tf.Tensor4D;
      const y = tf.maxPool(input, 2, 2, 'valid');
      return {
        output: y,
        backward(dOutput) {
          const size: [number, number] = [input.shape[1], input.shape[2]];
          const maxima = tf.image.resizeNearestNeighbor(y, size);
          const winners = tf.cast(tf.equal(input, maxima), 'float32');
          const spread = tf.image.resizeNearestNeighbor(dOutput as tf.Tensor4D, size);
          return { input: tf.mul(winners, spread), parameters: null };
        },
      };
    },
  };
}

/** LeakyReLU; slope 0 makes it a plain ReLU. */
export function leakyRelu(slope: number): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const y = slope === 0 ? tf.relu(x) : tf.leakyRelu(x, slope);
      return {
        output: y,
        backward(dOutput) {
          // The activation keeps the sign, so the slope can be read off the output.
          return { input: tf.mul(dOutput, tf.step(y, slope)), parameters: null };
        },
      };
    },
  };
}

export function tanh(): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const y = tf.tanh(x);
      return {
        output: y,
        backward(dOutput) {
          return { input: tf.mul(dOutput, tf.sub(1, tf.square(y))), parameters: null };
        },
      };
    },
  };
}

/**
 * Pixel-wise feature normalisation (as in progressive GANs): each pixel's channel vector is
 * scaled to unit root-mean-square. Unlike batch normalisation it has no batch statistics, so a
 * digit generated alone is the same as one generated in a batch.
 */
export function pixelNorm(epsilon = 1e-8): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const scale = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), epsilon));
      const y = tf.mul(x, scale);
      return {
        output: y,
        backward(dOutput) {
          // d/dx of x*r with r = (mean(x^2) + eps)^-1/2: r*dy - y * mean(y*dy) * r.
          const projection = tf.mean(tf.mul(y, dOutput), -1, true);
          return { input: tf.mul(tf.sub(dOutput, tf.mul(y, projection)), scale), parameters: null };
        },
      };
    },
  };
}

/** Reinterprets each example's values with a new shape (excluding the batch axis). */
export function reshape(shape: number[]): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const n = x.shape[0];
      return {
        output: tf.reshape(x, [n, ...shape]),
        backward(dOutput) {
          return { input: tf.reshape(dOutput, x.shape), parameters: null };
        },
      };
    },
  };
}

/** Drops each value with probability p while training, scaling the rest by 1/(1-p). */
export function dropout(p: number): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x, context): LayerPass {
      if (context.random === null || p === 0) {
        return { output: x, backward: (dOutput) => ({ input: dOutput, parameters: null }) };
      }
      const keep = 1 / (1 - p);
      const values = new Float32Array(x.size);
      for (let i = 0; i < values.length; i++) values[i] = context.random.next() < p ? 0 : keep;
      const mask = tf.tensor(values, x.shape);
      return {
        output: tf.mul(x, mask),
        backward: (dOutput) => ({ input: tf.mul(dOutput, mask), parameters: null }),
      };
    },
  };
}

/**
 * Lets a discriminator see how varied a batch is (the minibatch standard deviation of
 * progressive GANs): the batch is split into groups of `groupSize` consecutive images (fewer
 * when the batch does not divide), and the last channel of an NHWC input is replaced by the
 * group's spread, the standard deviation across the group of each other value, averaged.
 * Replacing a channel rather than adding one keeps the network's parameters as they are, so a
 * trained discriminator can be given this input on resume.
 */
export function batchSpread(groupSize: number, epsilon = 1e-8): Layer {
  return {
    parameterShapes: [],
    fanIn: 1,
    forward(_, x): LayerPass {
      const [n, height, width, channels] = x.shape;
      let group = Math.min(groupSize, n);
      while (n % group !== 0) group--;
      const kept = tf.slice(x, [0, 0, 0, 0], [n, height, width, channels - 1]);
      const values = height * width * (channels - 1);
      const rows = tf.reshape(kept, [n / group, group, values]);
      const centred = tf.sub(rows, tf.mean(rows, 1, true));
      const deviation = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1, true), epsilon));
      const spread = tf.mean(deviation, 2, true);
      const perImage = tf.reshape(tf.tile(spread, [1, group, 1]), [n, 1, 1, 1]);
      const output = tf.concat([kept, tf.tile(perImage, [1, height, width, 1])], 3);
      return {
        output,
        backward(dOutput) {
          const dKept = tf.slice(dOutput, [0, 0, 0, 0], [n, height, width, channels - 1]);
          const dSpreadMap = tf.slice(dOutput, [0, 0, 0, channels - 1], [n, height, width, 1]);
          const dSpread = tf.sum(tf.reshape(dSpreadMap, [n / group, group * height * width]), 1);
          // d spread / d x = (x - group mean) / (group * values * deviation); the mean's own
          // dependence on x cancels because the centred values sum to zero over the group.
          const dRows = tf.mul(
            tf.reshape(dSpread, [n / group, 1, 1]),
            tf.div(centred, tf.mul(deviation, group * values)),
          );
          const dInput = tf.add(dKept, tf.reshape(dRows, [n, height, width, channels - 1]));
          return {
            input: tf.concat([dInput, tf.zeros([n, height, width, 1])], 3),
            parameters: null,
          };
        },
      };
    },
  };
}
