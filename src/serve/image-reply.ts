import type { FastifyReply } from 'fastify';
import { upscale, type GreyImage } from '../image/png.js';
import type { Generator } from '../models/generator.js';

/** The header that carries the seed of every generated image, so any image can be redrawn. */
export const SEED_HEADER = 'x-seed';
/** The digit a conditional model was asked to draw, or drew for the seed. */
export const DIGIT_HEADER = 'x-digit';

/** What an image answer was drawn from, told in its headers. */
export interface Provenance {
  seed?: number;
  digit?: number | null;
  /** True when the query alone fixes the image, so caches may keep it. */
  reproducible: boolean;
}

export function setImageHeaders(reply: FastifyReply, { seed, digit, reproducible }: Provenance) {
  if (seed !== undefined) reply.header(SEED_HEADER, String(seed));
  if (digit !== undefined && digit !== null) reply.header(DIGIT_HEADER, String(digit));
  // A model never changes while the server runs, so a fixed query's image never changes either;
  // a random one must not be cached or every visitor would see the same "random" digit.
  reply.header('cache-control', reproducible ? 'public, max-age=3600' : 'no-store');
}

/** Generated grey levels as a picture, enlarged `scale` times. */
export function digitImage(generator: Generator, pixels: Uint8Array, scale: number): GreyImage {
  const size = generator.imageSize;
  return upscale({ width: size, height: size, pixels }, scale);
}

export function dataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}
