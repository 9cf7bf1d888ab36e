import { PNG } from 'pngjs';

/** A greyscale picture: one byte per pixel, row by row. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * Maps generator output in [-1, 1] to grey levels as the tutorial's server does:
 * ((x + 1) / 2) clamped to [0, 1], times 255, truncated to a byte.
 */
export function toGreyLevels(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const unit = Math.min(1, Math.max(0, (values[i] + 1) / 2));
    out[i] = Math.trunc(unit * 255);
  }
  return out;
}

/** Nearest-neighbour enlargement: every pixel becomes a scale x scale block, so edges stay crisp. */
export function upscale(image: GreyImage, scale: number): GreyImage {
  if (scale === 1) return image;
  const width = image.width * scale;
  const height = image.height * scale;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const source = Math.floor(y / scale) * image.width;
    for (let x = 0; x < width; x++)
      pixels[y * width + x] = image.pixels[source + Math.floor(x / scale)];
  }
  return { width, height, pixels };
}

/** Lays images of one size out in rows of `columns`, separated by `gap` black pixels. */
export function tile(images: GreyImage[], columns: number, gap = 2): GreyImage {
  const { width: w, height: h } = images[0];
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const pixels = new Uint8Array(width * height);
  images.forEach((image, index) => {
    const left = gap + (index % columns) * (w + gap);
    const top = gap + Math.floor(index / columns) * (h + gap);
    for (let y = 0; y < h; y++) {
      pixels.set(image.pixels.subarray(y * w, (y + 1) * w), (top + y) * width + left);
    }
  });
  return { width, height, pixels };
}

/** Encodes an 8-bit greyscale PNG. */
export function encodePng(image: GreyImage): Buffer {
  const png = new PNG({
    width: image.width,
    height: image.height,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
  });
  png.data = Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Decodes a PNG into grey levels (the red channel of what pngjs returns), for tests and tools. */
export function decodePng(bytes: Buffer): GreyImage {
  const png = PNG.sync.read(bytes);
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = png.data[i * 4];
  return { width: png.width, height: png.height, pixels };
}
