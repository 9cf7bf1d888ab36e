import { tf } from './backend.js';

/** Adam's settings; the defaults are PyTorch's, which the tutorial uses. */
export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: Omit<AdamOptions, 'learningRate'> = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** Adam's moments for one flat parameter vector, as a checkpoint stores them. */
export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

/**
 * Adam over one parameter tensor, computed exactly as torch.optim.Adam does
 * (bias-corrected step size, epsilon added after the corrected square root).
 */
export class Adam {
  private step: number;
  private m: tf.Tensor;
  private v: tf.Tensor;

  /** `shape` is the parameter tensor's; the state's moments are stored flat. */
  constructor(
    readonly options: AdamOptions,
    state: AdamState,
    shape: number[] = [state.m.length],
  ) {
    this.step = state.step;
    this.m = tf.keep(tf.tensor(state.m, shape));
    this.v = tf.keep(tf.tensor(state.v, shape));
  }

  static fresh(options: AdamOptions, size: number, shape: number[] = [size]): Adam {
    return new Adam(
      options,
      { step: 0, m: new Float32Array(size), v: new Float32Array(size) },
      shape,
    );
  }

  /** Returns the updated parameters; the caller disposes the old ones. */
  update<T extends tf.Tensor>(parameters: T, gradient: tf.Tensor): T {
    const { learningRate, beta1, beta2, epsilon } = this.options;
    this.step += 1;
    const stepSize = learningRate / (1 - beta1 ** this.step);
    const correction2 = Math.sqrt(1 - beta2 ** this.step);
    const [m, v, next] = tf.tidy(() => {
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(gradient, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      const denominator = tf.add(tf.div(tf.sqrt(v), correction2), epsilon);
      const next = tf.sub(parameters, tf.mul(tf.div(m, denominator), stepSize));
      return [m, v, next];
    });
    this.m.dispose();
    this.v.dispose();
    // Kept so that an enclosing tidy (the training step) does not dispose the moments.
    this.m = tf.keep(m);
    this.v = tf.keep(v);
    return next as T;
  }

  save(): AdamState {
    return {
      step: this.step,
      m: new Float32Array(this.m.dataSync()),
      v: new Float32Array(this.v.dataSync()),
    };
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
