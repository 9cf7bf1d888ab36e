import { tf } from '../backend.js';
import { Adam, type AdamOptions, type AdamState } from '../adam.js';
import type { Network } from './network.js';

/** A network's live parameters with one Adam per parameter tensor. */
export class Trainable {
  parameters: tf.Tensor[];
  private readonly optimizers: Adam[];

  constructor(
    readonly network: Network,
    flat: Float32Array,
    options: AdamOptions,
    state: AdamState | null,
  ) {
    this.parameters = network.toTensors(flat);
    let offset = 0;
    this.optimizers = network.shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const piece = state && {
        step: state.step,
        m: state.m.subarray(offset, offset + size),
        v: state.v.subarray(offset, offset + size),
      };
      offset += size;
      return piece ? new Adam(options, piece, shape) : Adam.fresh(options, size, shape);
    });
  }

  /** One Adam step on every parameter; safe inside tf.tidy (the new parameters are kept). */
  apply(gradients: tf.Tensor[]): void {
    this.parameters = this.parameters.map((parameter, i) => {
      const next = tf.keep(this.optimizers[i].update(parameter, gradients[i]));
      parameter.dispose();
      return next;
    });
  }

  flatParameters(): Float32Array {
    return this.network.toFlat(this.parameters);
  }

  /** All optimizers' moments as one flat state, in parameter order. */
  adamState(): AdamState {
    const states = this.optimizers.map((optimizer) => optimizer.save());
    const join = (key: 'm' | 'v') => {
      const flat = new Float32Array(this.network.size);
      let offset = 0;
      for (const state of states) {
        flat.set(state[key], offset);
        offset += state[key].length;
      }
      return flat;
    };
    return { step: states[0]?.step ?? 0, m: join('m'), v: join('v') };
  }

  dispose(): void {
    tf.dispose(this.parameters);
    for (const optimizer of this.optimizers) optimizer.dispose();
  }
}
