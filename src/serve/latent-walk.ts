import { latentForSeed } from '../models/generate.js';

/**
 * `steps` latent vectors on the straight line from the `from` seed's latent to the `to` seed's,
 * ends included, laid end to end: z_k = (1 - t) z_from + t z_to with t = k / (steps - 1).
 * At t = 0 and t = 1 the sum is exact in floating point, so the first and last frames are the
 * seeds' own images. A straight line passes nearer the centre of the U(-1, 1) cube than its
 * ends: midway, a latent is about 1/sqrt(2) as long as a seed's. Walking along a great circle
 * instead would keep the length, should middle frames ever look washed out.
 */
export function latentWalk(from: number, to: number, steps: number, size: number): Float32Array {
  if (!Number.isInteger(steps) || steps < 2) {
    throw new Error(`a latent walk needs an integer number of steps >= 2, got ${steps}`);
  }
  const start = latentForSeed(from, size);
  const end = latentForSeed(to, size);
  const walk = new Float32Array(steps * size);
  for (let k = 0; k < steps; k++) {
    const t = k / (steps - 1);
    for (let i = 0; i < size; i++) walk[k * size + i] = (1 - t) * start[i] + t * end[i];
  }
  return walk;
}
