import { encodePng, tile, toGreyLevels, upscale, type GreyImage } from '../image/png.js';

const GRID_SCALE = 4;

/** Where each digit of a run's sample grid comes from. */
export interface GridLayout {
  count: number;
  columns: number;
  /** For a conditional model, the digit asked for at each place (column by column 0-9). */
  digits: Int32Array | null;
}

/** 16 digits, 4 by 4, for an unconditional model; 4 rows of 0 to 9 for a conditional one. */
export function gridLayout(classes: number): GridLayout {
  if (classes === 0) return { count: 16, columns: 4, digits: null };
  const count = 4 * classes;
  return {
    count,
    columns: classes,
    digits: Int32Array.from({ length: count }, (_, i) => i % classes),
  };
}

/** A PNG of images (count x 784 values in [-1, 1]) laid out in rows, enlarged to stay crisp. */
export function gridPng(values: Float32Array, count: number, columns: number): Buffer {
  const size = Math.round(Math.sqrt(values.length / count));
  const grey = toGreyLevels(values);
  const digits: GreyImage[] = [];
  for (let i = 0; i < count; i++) {
    const pixels = grey.subarray(i * size * size, (i + 1) * size * size);
    digits.push(upscale({ width: size, height: size, pixels }, GRID_SCALE));
  }
  return encodePng(tile(digits, columns, GRID_SCALE));
}
