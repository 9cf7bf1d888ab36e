import type { Generator } from '../models/generator.js';

/**
 * Dynamic batching, as model servers such as Triton or TorchServe do it: requests that arrive
 * together are drawn in one forward pass, which costs little more than drawing one. A batch
 * closes when it holds `maxBatch` images or when its first request has waited `maxWaitMs`.
 */
export interface BatchingOptions {
  /** Most images drawn in one forward pass. */
  maxBatch: number;
  /**
   * Longest the first request of a batch waits for others, in milliseconds. 0 still gathers
   * every request that arrived in the same turn of the event loop, at no added latency.
   */
  maxWaitMs: number;
}

export const BATCHING_DEFAULTS: BatchingOptions = { maxBatch: 256, maxWaitMs: 0 };

interface Job {
  seed: number;
  digit: number | null;
  resolve: (pixels: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/** Counts for /metrics and tests: how many passes ran and how many images they drew. */
export interface BatchingStats {
  batches: number;
  images: number;
  largestBatch: number;
}

export class GenerationBatcher {
  private readonly queues = new Map<Generator, Job[]>();
  private readonly scheduled = new Set<Generator>();
  readonly stats: BatchingStats = { batches: 0, images: 0, largestBatch: 0 };
  /** Called with the size of every batch drawn, for /metrics. */
  onBatch: ((images: number) => void) | null = null;

  constructor(private readonly options: BatchingOptions = BATCHING_DEFAULTS) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new Error(`the largest batch must be a positive integer, got ${options.maxBatch}`);
    }
    if (!(options.maxWaitMs >= 0)) {
      throw new Error(`the longest batch wait must be 0 ms or more, got ${options.maxWaitMs}`);
    }
  }

  /**
   * The images of `seeds` (with their digits), drawn together with whatever other requests
   * are waiting for the same model. Each image depends only on its own seed and digit.
   */
  generate(
    generator: Generator,
    seeds: number[],
    digits: (number | null)[],
  ): Promise<Uint8Array[]> {
    const queue = this.queues.get(generator) ?? [];
    this.queues.set(generator, queue);
    const images = seeds.map(
      (seed, i) =>
        new Promise<Uint8Array>((resolve, reject) => {
          queue.push({ seed, digit: digits[i] ?? null, resolve, reject });
        }),
    );
    while (queue.length >= this.options.maxBatch) this.flush(generator);
    if (queue.length > 0) this.schedule(generator);
    return Promise.all(images);
  }

  private schedule(generator: Generator): void {
    if (this.scheduled.has(generator)) return;
    this.scheduled.add(generator);
    const run = () => {
      this.scheduled.delete(generator);
      while ((this.queues.get(generator)?.length ?? 0) > 0) this.flush(generator);
    };
    if (this.options.maxWaitMs > 0) setTimeout(run, this.options.maxWaitMs);
    else setImmediate(run);
  }

  /** Draws the oldest `maxBatch` waiting images of a model in one pass. */
  private flush(generator: Generator): void {
    const queue = this.queues.get(generator)!;
    const jobs = queue.splice(0, this.options.maxBatch);
    if (jobs.length === 0) return;
    this.stats.batches += 1;
    this.stats.images += jobs.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, jobs.length);
    this.onBatch?.(jobs.length);
    try {
      const images = generator.generate(
        jobs.map((job) => job.seed),
        jobs.map((job) => job.digit),
      );
      jobs.forEach((job, i) => job.resolve(images[i]));
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }
}
