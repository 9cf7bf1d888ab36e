import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import type { AdamState } from '../models/adam.js';
import type { RecipeSettings, SettingsFrom } from '../models/model-file.js';
import { decodeSafetensors, encodeSafetensors } from '../models/safetensors.js';

/**
 * Everything a run needs to continue exactly where it stopped: both networks, both
 * optimizers' moments, where in which epoch it was, the random generator's state and the
 * epoch's loss sums so far. Stored as one safetensors file, written atomically.
 */
export interface Checkpoint {
  architecture: string;
  /** Epochs fully done. */
  epoch: number;
  /** Steps done inside the next epoch (non-zero only after an interrupted epoch). */
  stepInEpoch: number;
  randomState: number;
  /** Settings a resumed run must share with the run it continues. */
  settings: RunSettings;
  /** Running totals of the unfinished epoch: loss sums, steps and seconds spent. */
  epochSums: { discriminator: number; generator: number; steps: number; seconds: number };
  /** Seconds of training in the finished epochs, over all sessions of this run. */
  seconds: number;
  generator: Float32Array;
  discriminator: Float32Array;
  generatorAdam: AdamState;
  discriminatorAdam: AdamState;
  /** A running average of the generator's weights, for recipes that serve one. */
  generatorAverage?: Float32Array;
}

/** Settings of a run; the recipe settings absent are the recipe's own defaults. */
export interface RunSettings extends RecipeSettings {
  seed: number;
  batchSize: number;
  /** The rate the run trains at now. */
  learningRate: number;
  /** The settings the run had from each epoch on, once one changed on resume; else absent. */
  schedule?: SettingsFrom[];
  /** How many training digits the run uses. */
  digits: number;
}

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** A checkpoint of another architecture than the one asked for: both are named. */
export class ArchitectureMismatch extends Error {
  constructor(
    path: string,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`${path}: checkpoint of architecture "${found}", expected "${expected}"`);
  }
}

export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const {
    generator,
    discriminator,
    generatorAdam: ga,
    discriminatorAdam: da,
    generatorAverage,
    ...rest
  } = checkpoint;
  const state = { ...rest, generatorAdamStep: ga.step, discriminatorAdamStep: da.step };
  const vector = (data: Float32Array) => ({ shape: [data.length], data });
  const bytes = encodeSafetensors(
    {
      generator: vector(generator),
      discriminator: vector(discriminator),
      'generator.adam.m': vector(ga.m),
      'generator.adam.v': vector(ga.v),
      'discriminator.adam.m': vector(da.m),
      'discriminator.adam.v': vector(da.v),
      ...(generatorAverage ? { 'generator.average': vector(generatorAverage) } : {}),
    },
    { state: JSON.stringify(state) },
  );
  writeFileAtomic(path, bytes);
}

/** Loads a checkpoint, checking it is one of `architecture` with networks of the given sizes. */
export function loadCheckpoint(
  path: string,
  architecture: string,
  sizes: { generator: number; discriminator: number },
): Checkpoint {
  if (!existsSync(path)) throw new Error(`${path}: no checkpoint to resume from`);
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(metadata.state ?? '');
  } catch {
    throw new Error(
      `${path}: not a checkpoint of this program (no training state in its metadata)`,
    );
  }
  if (state.architecture !== architecture) {
    throw new ArchitectureMismatch(path, String(state.architecture), architecture);
  }
  const take = (name: string, size: number) => {
    const tensor = tensors[name];
    if (!tensor || tensor.data.length !== size) {
      throw new Error(`${path}: tensor ${name} is missing or not of ${size} values`);
    }
    return tensor.data;
  };
  const g = sizes.generator;
  const d = sizes.discriminator;
  return {
    architecture,
    epoch: state.epoch as number,
    stepInEpoch: state.stepInEpoch as number,
    randomState: state.randomState as number,
    settings: state.settings as RunSettings,
    epochSums: state.epochSums as Checkpoint['epochSums'],
    seconds: state.seconds as number,
    generator: take('generator', g),
    discriminator: take('discriminator', d),
    generatorAdam: {
      step: state.generatorAdamStep as number,
      m: take('generator.adam.m', g),
      v: take('generator.adam.v', g),
    },
    discriminatorAdam: {
      step: state.discriminatorAdamStep as number,
      m: take('discriminator.adam.m', d),
      v: take('discriminator.adam.v', d),
    },
    ...(tensors['generator.average'] ? { generatorAverage: take('generator.average', g) } : {}),
  };
}
