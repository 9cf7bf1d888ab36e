import { tf } from '../models/backend.js';
import { generateImages } from '../models/generate.js';
import type { MlpSpec } from '../models/mlp.js';
import { encodePng, tile, toGreyLevels, upscale, type GreyImage } from '../image/png.js';

/** How many digits a sample grid shows, and how they are laid out. */
export const GRID_DIGITS = 16;
const GRID_COLUMNS = 4;
const GRID_SCALE = 4;

/** A PNG of the generator's digits for a fixed latent batch, so epochs can be compared. */
export function sampleGrid(spec: MlpSpec, parameters: tf.Tensor1D, latents: Float32Array): Buffer {
  const size = Math.sqrt(spec.sizes[spec.sizes.length - 1]);
  const values = generateImages(spec, parameters, latents, GRID_DIGITS);
  const grey = toGreyLevels(values);
  const digits: GreyImage[] = [];
  for (let i = 0; i < GRID_DIGITS; i++) {
    const pixels = grey.subarray(i * size * size, (i + 1) * size * size);
    digits.push(upscale({ width: size, height: size, pixels }, GRID_SCALE));
  }
  return encodePng(tile(digits, GRID_COLUMNS, GRID_SCALE));
}
