import { CHECKPOINT_FILE } from './checkpoint.js';

/**
 * The layout of a run folder, shared by the trainer that writes it and the server's training
 * view that reads it (this module imports no training code, so the server stays light).
 */
export const RUN_FILES = {
  checkpoint: CHECKPOINT_FILE,
  losses: 'losses.csv',
  samples: 'samples',
  model: 'model',
};

/** A sample grid's file name inside `samples/`: epoch-007.png holds the digits after epoch 7. */
export function sampleFileName(epoch: number): string {
  return `epoch-${String(epoch).padStart(3, '0')}.png`;
}

/** Reads the epoch back from a sample grid's file name, or null for any other file. */
export function epochOfSampleFile(file: string): number | null {
  const match = /^epoch-(\d+)\.png$/.exec(file);
  return match ? Number(match[1]) : null;
}
