import { tf } from './backend.js';
import { generateImages, latentForSeed } from './generate.js';
import type { MlpSpec } from './mlp.js';
import { loadGenerator, type Manifest } from './model-file.js';
import { toGreyLevels } from '../image/png.js';

/**
 * A loaded generator ready to draw digits: seeds in, grey-level images out. Each seed stands
 * for one latent vector, so a seed reproduces its digit exactly.
 */
export class Generator {
  private constructor(
    readonly name: string,
    readonly manifest: Manifest,
    readonly spec: MlpSpec,
    private readonly parameters: tf.Tensor1D,
  ) {}

  static load(dir: string): Generator {
    const { manifest, spec, parameters } = loadGenerator(dir);
    return new Generator(manifest.name, manifest, spec, tf.keep(tf.tensor1d(parameters)));
  }

  get imageSize(): number {
    return Math.round(Math.sqrt(this.spec.sizes[this.spec.sizes.length - 1]));
  }

  /** One image per seed, each imageSize x imageSize grey levels (0 = background). */
  generate(seeds: number[]): Uint8Array[] {
    const latentSize = this.spec.sizes[0];
    const latents = new Float32Array(seeds.length * latentSize);
    seeds.forEach((seed, i) => latents.set(latentForSeed(seed, latentSize), i * latentSize));
    const grey = toGreyLevels(generateImages(this.spec, this.parameters, latents, seeds.length));
    const pixels = this.imageSize * this.imageSize;
    return seeds.map((_, i) => grey.slice(i * pixels, (i + 1) * pixels));
  }

  dispose(): void {
    this.parameters.dispose();
  }
}
