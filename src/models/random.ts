/**
 * A small seeded generator (mulberry32). Training and serving draw every random number
 * (latents, dropout masks, shuffles) from it rather than from tfjs, so that a seed fixes an
 * image byte for byte and a resumed run continues the very same random stream.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** The generator's whole state, to store in a checkpoint. */
  save(): number {
    return this.state >>> 0;
  }

  static restore(state: number): Random {
    return new Random(state);
  }
}

/** Mixes several integers into one 32-bit seed, so each (run, step, purpose) gets its own stream. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Fills a new array with uniform draws in [low, high). */
export function uniformArray(random: Random, length: number, low: number, high: number) {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.uniform(low, high);
  return out;
}

/** Fisher-Yates shuffle of 0..n-1. */
export function permutation(random: Random, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
