import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/image/png.js';
import { recordEpoch } from '../../src/train/loss-log.js';

/**
 * A folder of training runs as `mnist-gan serve --runs` reads it, in a fresh temporary
 * directory:
 *
 *   first-run/    losses.csv with epochs 1 and 2, samples/epoch-001.png and epoch-002.png
 *   not-a-run/    a folder without losses.csv, which the server must not list
 *   notes.txt     a file, not a folder
 *   linked-run    a symbolic link to first-run, which the server must not follow
 *
 * addEpoch() writes the next epoch as training does, to watch a run grow.
 */
export interface TestRunsFolder {
  /** The folder to pass as `runs`. */
  dir: string;
  /** Writes epoch `epoch` of `run`: its losses row and its sample grid. */
  addEpoch(run: string, epoch: number): void;
  /** The sample grid PNG written for `epoch`, to compare with what the server sends. */
  sampleOf(epoch: number): Buffer;
  remove(): void;
}

export const FIRST_RUN = 'first-run';

/** Losses that fall as training goes on, so the chart has a shape. */
export function lossesOf(epoch: number) {
  return { epoch, discriminator: 1 + 0.5 / epoch, generator: 0.8 + 1 / epoch, seconds: 12.5 };
}

/** A 4x4 grid of 28-pixel cells whose brightness grows with the epoch, so each is distinct. */
function samplePng(epoch: number): Buffer {
  const size = 4 * 28 + 5 * 2;
  const pixels = new Uint8Array(size * size);
  for (let i = 0; i < pixels.length; i++) {
    const x = i % size;
    const y = Math.floor(i / size);
    pixels[i] = (x * 7 + y * 3 + epoch * 40) % 256;
  }
  return encodePng({ width: size, height: size, pixels });
}

export function writeRunsFolder(): TestRunsFolder {
  const root = mkdtempSync(join(tmpdir(), 'mnist-gan-runs-test-'));
  const dir = join(root, 'runs');
  const addEpoch = (run: string, epoch: number) => {
    mkdirSync(join(dir, run, 'samples'), { recursive: true });
    const name = `epoch-${String(epoch).padStart(3, '0')}.png`;
    writeFileSync(join(dir, run, 'samples', name), samplePng(epoch));
    recordEpoch(join(dir, run, 'losses.csv'), lossesOf(epoch));
  };
  addEpoch(FIRST_RUN, 1);
  addEpoch(FIRST_RUN, 2);
  mkdirSync(join(dir, 'not-a-run', 'samples'), { recursive: true });
  writeFileSync(join(dir, 'notes.txt'), 'not a run');
  symlinkSync(join(dir, FIRST_RUN), join(dir, 'linked-run'));
  return {
    dir,
    addEpoch,
    sampleOf: samplePng,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
