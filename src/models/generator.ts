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
    const chosen = seeds.map((seed, i) =>
      this.conditional ? (digits[i] ?? this.digitForSeed(seed)) : null,
    );
    return this.generateFromLatents(latents, chosen);
  }

  /**
   * One image per latent vector, the vectors laid end to end in `latents`. Seeds are only one
   * way to name a latent; walks through latent space need to hand over vectors of their own.
   * `digits` holds one class per image for a conditional model, and only nulls otherwise.
   */
  generateFromLatents(latents: Float32Array, digits: (number | null)[]): Uint8Array[] {
    const { latentSize } = this.architecture;
    const count = latents.length / latentSize;
    if (!Number.isInteger(count) || digits.length !== count) {
      throw new Error(
        `${this.name}: expected latents of ${latentSize} values each and one digit per latent, ` +
          `got ${latents.length} values and ${digits.length} digits`,
      );
    }
    digits.forEach((digit) => this.checkDigit(digit));
    const labels = this.conditional ? Int32Array.from(digits, (digit) => digit ?? 0) : null;
    const grey = toGreyLevels(this.runner.run(latents, labels, count));
    const pixels = this.imageSize * this.imageSize;
    return digits.map((_, i) => grey.slice(i * pixels, (i + 1) * pixels));
  }

  /** A conditional model needs a digit it knows; an unconditional one must be given none. */
  private checkDigit(digit: number | null): void {
    const classes = this.architecture.classes;
    if (!this.conditional) {
      if (digit === null) return;
      throw new Error(`model ${this.name} is not conditional, got digit ${digit}`);
    }
    if (digit === null || !Number.isInteger(digit) || digit < 0 || digit >= classes) {
      throw new Error(
        `model ${this.name} needs a digit from 0 to ${classes - 1} per image, got ${digit}`,
      );
    }
  }

  dispose(): void {
    this.runner.dispose();
  }
}
