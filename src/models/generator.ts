import { toGreyLevels } from '../image/png.js';
import type { Architecture, GeneratorRunner } from './architectures.js';
import { latentForSeed } from './generate.js';
import { loadGenerator, type Manifest } from './model-file.js';
import { mixSeed, Random } from './random.js';

/**
 * A loaded generator ready to draw digits: seeds (and, for a conditional model, digits) in,
 * grey-level images out. A seed stands for one latent vector, so it reproduces its image.
 */
export class Generator {
  private constructor(
    readonly name: string,
    readonly manifest: Manifest,
    readonly architecture: Architecture,
    private readonly runner: GeneratorRunner,
  ) {}

  static load(dir: string): Generator {
    const { manifest, architecture, parameters } = loadGenerator(dir);
    return new Generator(manifest.name, manifest, architecture, architecture.load(parameters));
  }

  readonly imageSize = 28;

  get conditional(): boolean {
    return this.architecture.classes > 0;
  }

  /**
   * The digit a conditional model draws for a seed when none is asked for: drawn from the seed
   * itself, so a seed alone still reproduces its image.
   */
  digitForSeed(seed: number): number {
    return new Random(mixSeed(seed, this.architecture.classes)).below(this.architecture.classes);
  }

  /**
   * One image per seed, each imageSize x imageSize grey levels (0 = background). `digits`
   * gives the class of each image for a conditional model (null: the seed's own digit).
   */
  generate(seeds: number[], digits: (number | null)[] = []): Uint8Array[] {
    const { latentSize } = this.architecture;
    const latents = new Float32Array(seeds.length * latentSize);
    seeds.forEach((seed, i) => latents.set(latentForSeed(seed, latentSize), i * latentSize));
    const classes = this.conditional
      ? Int32Array.from(seeds, (seed, i) => digits[i] ?? this.digitForSeed(seed))
      : null;
    const grey = toGreyLevels(this.runner.run(latents, classes, seeds.length));
    const pixels = this.imageSize * this.imageSize;
    return seeds.map((_, i) => grey.slice(i * pixels, (i + 1) * pixels));
  }

  dispose(): void {
    this.runner.dispose();
  }
}
