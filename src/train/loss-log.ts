import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

/** One epoch's row of losses.csv. */
export interface EpochLosses {
  epoch: number;
  discriminator: number;
  generator: number;
  seconds: number;
}

const HEADER = 'epoch,discriminator_loss,generator_loss,seconds';

export function readLossLog(path: string): EpochLosses[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return lines.filter(Boolean).map((line) => {
    const [epoch, discriminator, generator, seconds] = line.split(',').map(Number);
    return { epoch, discriminator, generator, seconds };
  });
}

/**
 * Rewrites the whole log with `row` as epoch `row.epoch`, dropping any rows from that epoch
 * on. Rewriting (atomically) rather than appending means a run killed between writing its log
 * and its checkpoint never leaves a duplicate or half-written row when it resumes.
 */
export function recordEpoch(path: string, row: EpochLosses): void {
  const rows = readLossLog(path).filter((r) => r.epoch < row.epoch);
  rows.push(row);
  const body = rows.map((r) => `${r.epoch},${r.discriminator},${r.generator},${r.seconds}`);
  writeFileAtomic(path, [HEADER, ...body].join('\n') + '\n');
}
