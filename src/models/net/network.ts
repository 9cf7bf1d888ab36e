import { tf } from '../backend.js';
import type { Random } from '../random.js';
import type { Layer, LayerPass, Wanted } from './layer.js';

/**
 * Layers in sequence. Parameters travel as one tensor per weight or bias (slicing a flat
 * vector on every pass costs more than it saves on the wasm backend); on disk they are one
 * flat vector, in layer order.
 */
export class Network {
  readonly shapes: number[][];
  readonly size: number;

  constructor(readonly layers: Layer[]) {
    this.shapes = layers.flatMap((layer) => layer.parameterShapes);
    this.size = this.shapes.reduce((sum, shape) => sum + product(shape), 0);
  }

  /** PyTorch's default initialisation: U(-1/sqrt(fan-in), 1/sqrt(fan-in)) for every parameter. */
  initialParameters(random: Random): Float32Array {
    const flat = new Float32Array(this.size);
    let offset = 0;
    for (const layer of this.layers) {
      const bound = 1 / Math.sqrt(layer.fanIn);
      for (const shape of layer.parameterShapes) {
        const count = product(shape);
        for (let i = 0; i < count; i++) flat[offset + i] = random.uniform(-bound, bound);
        offset += count;
      }
    }
    return flat;
  }

  /** The flat vector as one tensor per parameter. */
  toTensors(flat: Float32Array): tf.Tensor[] {
    if (flat.length !== this.size) {
      throw new Error(`expected ${this.size} parameters, got ${flat.length}`);
    }
    let offset = 0;
    return this.shapes.map((shape) => {
      const count = product(shape);
      const tensor = tf.tensor(flat.subarray(offset, offset + count), shape);
      offset += count;
      return tensor;
    });
  }

  /** One tensor per parameter back to the flat vector stored on disk. */
  toFlat(tensors: tf.Tensor[]): Float32Array {
    const flat = new Float32Array(this.size);
    let offset = 0;
    for (const tensor of tensors) {
      flat.set(tensor.dataSync() as Float32Array, offset);
      offset += tensor.size;
    }
    return flat;
  }

  /** Runs the layers; `random` draws dropout masks while training, null turns dropout off. */
  forward(parameters: tf.Tensor[], x: tf.Tensor, random: Random | null): NetworkPass {
    const passes: LayerPass[] = [];
    let h = x;
    let index = 0;
    for (const layer of this.layers) {
      const count = layer.parameterShapes.length;
      const pass = layer.forward(parameters.slice(index, index + count), h, { random });
      index += count;
      passes.push(pass);
      h = pass.output;
    }
    return {
      output: h,
      backward: (dOutput, want) => {
        const gradients: tf.Tensor[] = [];
        let d: tf.Tensor | null = dOutput;
        for (let i = passes.length - 1; i >= 0; i--) {
          const result = passes[i].backward(d!, {
            input: i > 0 || want.input,
            parameters: want.parameters,
          });
          if (result.parameters) gradients.unshift(...result.parameters);
          d = result.input;
        }
        return { parameters: want.parameters ? gradients : null, input: want.input ? d : null };
      },
    };
  }
}

export interface NetworkPass {
  output: tf.Tensor;
  backward(
    dOutput: tf.Tensor,
    want: Wanted,
  ): { parameters: tf.Tensor[] | null; input: tf.Tensor | null };
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
