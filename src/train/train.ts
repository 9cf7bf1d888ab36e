import { cpus } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import {
  describeDataDir,
  loadDigits,
  sliceDigits,
  toUnitRange,
  type DigitSet,
} from '../data/mnist.js';
import { removeStaleTemporaries, writeFileAtomic } from '../io/atomic.js';
import { saveGenerator, type RecipeSettings, type SettingsFrom } from '../models/model-file.js';
import { mixSeed, permutation, Random, uniformArray } from '../models/random.js';
import {
  ArchitectureMismatch,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type RunSettings,
} from './checkpoint.js';
import { recordEpoch } from './loss-log.js';
import type { LiveGan, Recipe } from './recipe.js';
import { cdcganRecipe } from './recipes/cdcgan.js';
import { seedMlpRecipe } from './recipes/seed-mlp.js';
import { gridLayout, gridPng } from './sample-grid.js';
import { RUN_FILES, sampleFileName } from './run-files.js';

/** The architectures `train` can build, by the name a model's manifest gives. */
export const RECIPES: Record<string, Recipe> = {
  [seedMlpRecipe.architecture]: seedMlpRecipe,
  [cdcganRecipe.architecture]: cdcganRecipe,
};

/**
 * What `train` is asked for. The recipe settings (cdcgan's loss weights, average decay and
 * spread group) take the recipe's defaults on a new run when left out, the run's own on
 * --resume; given on --resume, like the learning rate, they apply from the next step on.
 */
export interface TrainOptions extends RecipeSettings {
  /** Which GAN to train: a key of RECIPES. */
  architecture: string;
  /** Total epochs the run should reach (a resumed run continues up to this number). */
  epochs: number;
  batchSize: number;
  /**
   * Adam's learning rate. Left out: the recipe's default for a new run, the run's own rate on
   * --resume. Given on --resume, it replaces the run's rate from the next step on (a lower
   * rate for a run's last epochs), and the change is kept in the checkpoint and manifest.
   */
  learningRate?: number;
  seed: number;
  /** Folder of MNIST-layout IDX files. */
  data: string;
  /** Run folder: checkpoint, samples, losses.csv and the exported model. */
  out: string;
  resume: boolean;
  /** Train on the first N training digits only (0 = all). */
  limit: number;
  /** Backend name, recorded in the manifest. */
  backend: string;
  /** Draw a progress bar (on a terminal). */
  progress: boolean;
  /** Called with one line per event a user cares about. */
  log: (line: string) => void;
}

export interface TrainResult {
  /** Epochs fully done when training returned. */
  epoch: number;
  /** True when a stop was requested (Ctrl-C, SIGTERM) before the last epoch ended. */
  interrupted: boolean;
}

/**
 * Trains a GAN, saving after every epoch. `shouldStop` is polled between steps: when it
 * returns true the current step finishes, a checkpoint is saved mid-epoch and training returns.
 */
export async function train(
  options: TrainOptions,
  shouldStop: () => boolean,
): Promise<TrainResult> {
  const recipe = RECIPES[options.architecture];
  if (!recipe) {
    const known = Object.keys(RECIPES).join(', ');
    throw new Error(`--architecture must be one of ${known}, got "${options.architecture}"`);
  }
  for (const setting of RECIPE_SETTINGS) {
    if (options[setting.key] !== undefined && recipe[setting.recipeDefault] === undefined) {
      throw new Error(
        `${setting.flag} applies to ${setting.appliesTo}, not ${recipe.architecture}`,
      );
    }
  }
  const digits = loadTrainingDigits(options);
  const images = toUnitRange(digits.images);
  const checkpointPath = join(options.out, RUN_FILES.checkpoint);
  const settings: RunSettings = {
    seed: options.seed,
    batchSize: options.batchSize,
    learningRate: options.learningRate ?? recipe.defaultLearningRate,
    ...recipeSettings(options),
    digits: digits.count,
  };
  const start = startingPoint(recipe, options, checkpointPath, settings);
  mkdirSync(join(options.out, RUN_FILES.samples), { recursive: true });
  // A run killed mid-write leaves a temporary file per kill; without this they pile up.
  const folders = [
    options.out,
    ...[RUN_FILES.samples, RUN_FILES.model].map((f) => join(options.out, f)),
  ];
  const stale = folders.flatMap(removeStaleTemporaries);
  if (stale.length > 0) {
    options.log(`removed ${stale.length} temporary file(s) left by an interrupted run`);
  }
  if (start.epoch > 0 || start.stepInEpoch > 0) {
    options.log(`resuming ${checkpointPath} after epoch ${start.epoch}, step ${start.stepInEpoch}`);
  }
  if (start.epoch >= options.epochs) {
    // --epochs is the total a run should reach, not how many more: say so rather than nothing.
    options.log(
      `the run has done ${start.epoch} epochs, --epochs ${options.epochs} asks for no more; ` +
        'give a larger --epochs to train on',
    );
  }

  const gan = recipe.start(start);
  const random = Random.restore(start.randomState);
  const grid = gridLayout(recipe.classes);
  const fixedLatents = uniformArray(
    new Random(mixSeed(options.seed, 1)),
    grid.count * recipe.latentSize,
    -1,
    1,
  );
  const stepsPerEpoch = Math.ceil(digits.count / options.batchSize);
  let { epoch, stepInEpoch, epochSums, seconds } = start;
  const bar = options.progress && process.stderr.isTTY ? newProgressBar() : null;

  try {
    while (epoch < options.epochs) {
      const order = permutation(new Random(mixSeed(options.seed, epoch + 1)), digits.count);
      const began = performance.now();
      const firstStep = stepInEpoch;
      bar?.start(stepsPerEpoch, stepInEpoch, {
        epoch: epoch + 1,
        epochs: options.epochs,
        speed: '-',
        d: '-',
        g: '-',
      });
      while (stepInEpoch < stepsPerEpoch) {
        const from = stepInEpoch * options.batchSize;
        const batch = gatherBatch(digits, images, order, from, options.batchSize);
        const losses = gan.step(batch.images, batch.labels, batch.rows, random);
        stepInEpoch += 1;
        epochSums = {
          ...epochSums,
          discriminator: epochSums.discriminator + losses.discriminator,
          generator: epochSums.generator + losses.generator,
          steps: epochSums.steps + 1,
        };
        bar?.update(stepInEpoch, {
          speed: ((stepInEpoch - firstStep) / ((performance.now() - began) / 1000)).toFixed(1),
          d: (epochSums.discriminator / epochSums.steps).toFixed(3),
          g: (epochSums.generator / epochSums.steps).toFixed(3),
        });
        // Yielding lets signal handlers run between steps; the steps themselves are synchronous.
        await new Promise((resolve) => setImmediate(resolve));
        if (shouldStop() && stepInEpoch < stepsPerEpoch) {
          epochSums = {
            ...epochSums,
            seconds: epochSums.seconds + (performance.now() - began) / 1000,
          };
          bar?.stop();
          save({ epoch, stepInEpoch, epochSums, seconds });
          options.log(
            `stopped at epoch ${epoch + 1}, step ${stepInEpoch}; saved ${checkpointPath}`,
          );
          return { epoch, interrupted: true };
        }
      }
      bar?.stop();
      const epochSeconds = epochSums.seconds + (performance.now() - began) / 1000;
      seconds += epochSeconds;
      epoch += 1;
      const means = {
        discriminator: epochSums.discriminator / epochSums.steps,
        generator: epochSums.generator / epochSums.steps,
      };
      finishEpoch(epoch, means, epochSeconds, seconds);
      stepInEpoch = 0;
      epochSums = { discriminator: 0, generator: 0, steps: 0, seconds: 0 };
      save({ epoch, stepInEpoch, epochSums, seconds });
      if (shouldStop() && epoch < options.epochs) {
        options.log(`stopped after epoch ${epoch}; saved ${checkpointPath}`);
        return { epoch, interrupted: true };
      }
    }
    return { epoch, interrupted: false };
  } finally {
    bar?.stop();
    gan.dispose();
  }

  function save(position: Pick<Checkpoint, 'epoch' | 'stepInEpoch' | 'epochSums' | 'seconds'>) {
    saveCheckpoint(checkpointPath, {
      architecture: recipe.architecture,
      settings: start.settings,
      ...position,
      randomState: random.save(),
      ...gan.snapshot(),
    });
  }

  function finishEpoch(
    done: number,
    means: { discriminator: number; generator: number },
    epochSeconds: number,
    totalSeconds: number,
  ) {
    const samples = gan.sample(fixedLatents, grid.digits, grid.count);
    const name = sampleFileName(done);
    writeFileAtomic(
      join(options.out, RUN_FILES.samples, name),
      gridPng(samples, grid.count, grid.columns),
    );
    recordEpoch(join(options.out, RUN_FILES.losses), {
      epoch: done,
      ...means,
      seconds: epochSeconds,
    });
    exportModel(recipe, options, start.settings, digits, gan, done, means, totalSeconds);
    options.log(
      `epoch ${done}/${options.epochs} d_loss ${means.discriminator.toFixed(4)} ` +
        `g_loss ${means.generator.toFixed(4)} ${epochSeconds.toFixed(1)} s`,
    );
  }
}

function loadTrainingDigits(options: TrainOptions): DigitSet {
  const all = loadDigits(options.data, 'train');
  return options.limit > 0 ? sliceDigits(all, options.limit) : all;
}

/** The real images (and their labels) of one step, in the epoch's shuffled order. */
function gatherBatch(
  digits: DigitSet,
  images: Float32Array,
  order: Int32Array,
  from: number,
  size: number,
) {
  const rows = Math.min(size, order.length - from);
  const pixels = images.length / order.length;
  const batch = new Float32Array(rows * pixels);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const index = order[from + r];
    batch.set(images.subarray(index * pixels, (index + 1) * pixels), r * pixels);
    labels[r] = digits.labels[index];
  }
  return { images: batch, labels, rows };
}

/** The run's checkpoint; one of another architecture is refused saying which to ask for. */
function resumedCheckpoint(path: string, recipe: Recipe): Checkpoint {
  try {
    return loadCheckpoint(path, recipe.architecture, recipe.sizes);
  } catch (error) {
    if (!(error instanceof ArchitectureMismatch) || !Object.hasOwn(RECIPES, error.found))
      throw error;
    throw new Error(`${error.message}; resume it with --architecture ${error.found}`);
  }
}

/** The checkpoint to continue from, or a fresh start; refuses to overwrite a run silently. */
function startingPoint(
  recipe: Recipe,
  options: TrainOptions,
  checkpointPath: string,
  settings: RunSettings,
): Checkpoint {
  if (options.resume) {
    const checkpoint = resumedCheckpoint(checkpointPath, recipe);
    const saved = checkpoint.settings;
    checkSameSettings(checkpointPath, saved, settings);
    return withChangedSettings(recipe, checkpoint, options);
  }
  if (existsSync(checkpointPath)) {
    throw new Error(
      `${checkpointPath} already exists: pass --resume to continue that run, or choose another --out`,
    );
  }
  const { generator, discriminator } = recipe.initialise(new Random(mixSeed(options.seed, 0)));
  const zeros = (n: number) => ({ step: 0, m: new Float32Array(n), v: new Float32Array(n) });
  return {
    architecture: recipe.architecture,
    epoch: 0,
    stepInEpoch: 0,
    randomState: mixSeed(options.seed, 2),
    settings,
    epochSums: { discriminator: 0, generator: 0, steps: 0, seconds: 0 },
    seconds: 0,
    generator,
    discriminator,
    generatorAdam: zeros(recipe.sizes.generator),
    discriminatorAdam: zeros(recipe.sizes.discriminator),
  };
}

/**
 * Settings only some recipes have, which like the learning rate may change when a run resumes:
 * the option and run setting, its flag, the recipe's default (absent: the recipe has no such
 * setting), what has it, and its name in logs.
 */
const RECIPE_SETTINGS = [
  {
    key: 'fakeClassWeight',
    flag: '--fake-class-weight',
    recipeDefault: 'defaultFakeClassWeight',
    appliesTo: 'conditional architectures (cdcgan)',
    label: 'fake-class weight',
  },
  {
    key: 'generatorClassWeight',
    flag: '--generator-class-weight',
    recipeDefault: 'defaultGeneratorClassWeight',
    appliesTo: 'conditional architectures (cdcgan)',
    label: 'generator class weight',
  },
  {
    key: 'diversityWeight',
    flag: '--diversity-weight',
    recipeDefault: 'defaultDiversityWeight',
    appliesTo: 'conditional architectures (cdcgan)',
    label: 'diversity weight',
  },
  {
    key: 'averageDecay',
    flag: '--average-decay',
    recipeDefault: 'defaultAverageDecay',
    appliesTo: 'architectures that serve a weight average (cdcgan)',
    label: 'average decay',
  },
  {
    key: 'spreadGroup',
    flag: '--spread-group',
    recipeDefault: 'defaultSpreadGroup',
    appliesTo: 'conditional architectures (cdcgan)',
    label: 'spread group',
  },
] as const;

/** The recipe settings given in `from`, leaving out those not set. */
function recipeSettings(from: RecipeSettings): RecipeSettings {
  const out: RecipeSettings = {};
  for (const { key } of RECIPE_SETTINGS) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/** The recipe settings a run trains with: its own where set, else the recipe's defaults. */
function settingsInUse(recipe: Recipe, settings: RecipeSettings): RecipeSettings {
  const out: RecipeSettings = {};
  for (const { key, recipeDefault } of RECIPE_SETTINGS) {
    const value = settings[key] ?? recipe[recipeDefault];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * A resumed checkpoint with the learning rate and recipe settings asked for, when they differ
 * from the run's: each change is logged, and the schedule records the settings of every part
 * (earlier parts get the recipe's defaults written out for settings they did not record).
 */
function withChangedSettings(
  recipe: Recipe,
  checkpoint: Checkpoint,
  options: TrainOptions,
): Checkpoint {
  const saved = checkpoint.settings;
  const next = { ...saved };
  const fromEpoch = checkpoint.epoch + 1;
  const afterStep = checkpoint.stepInEpoch;
  const changes: string[] = [];
  if (options.learningRate !== undefined && options.learningRate !== saved.learningRate) {
    changes.push(`learning rate ${saved.learningRate} -> ${options.learningRate}`);
    next.learningRate = options.learningRate;
  }
  const before = settingsInUse(recipe, saved);
  for (const { key, label } of RECIPE_SETTINGS) {
    const wanted = options[key];
    if (wanted !== undefined && wanted !== before[key]) {
      changes.push(`${label} ${before[key]} -> ${wanted}`);
      next[key] = wanted;
    }
  }
  if (changes.length === 0) return checkpoint;
  const when =
    afterStep > 0 ? `after step ${afterStep} of epoch ${fromEpoch}` : `from epoch ${fromEpoch}`;
  for (const change of changes) options.log(`${change} ${when} on`);
  const part = (settings: SettingsFrom): SettingsFrom => ({
    fromEpoch: settings.fromEpoch,
    ...(settings.afterStep ? { afterStep: settings.afterStep } : {}),
    learningRate: settings.learningRate,
    ...settingsInUse(recipe, settings),
  });
  const schedule = (saved.schedule ?? [{ ...saved, fromEpoch: 1 }]).map(part);
  const settings = { ...next, schedule: [...schedule, part({ ...next, fromEpoch, afterStep })] };
  return { ...checkpoint, settings };
}

/** A resumed run must continue the same recipe, or its checkpoint would mix two runs. */
function checkSameSettings(path: string, saved: RunSettings, wanted: RunSettings): void {
  // The learning rate may change on resume (see TrainOptions); the data and batches may not.
  const flags: Record<'seed' | 'batchSize' | 'digits', string> = {
    seed: '--seed',
    batchSize: '--batch-size',
    digits: '--limit (digits used)',
  };
  for (const key of Object.keys(flags) as (keyof typeof flags)[]) {
    if (saved[key] !== wanted[key]) {
      throw new Error(
        `${path} was trained with ${flags[key]} ${saved[key]}, not ${wanted[key]}; ` +
          'resume with the settings of the run',
      );
    }
  }
}

function exportModel(
  recipe: Recipe,
  options: TrainOptions,
  settings: RunSettings,
  digits: DigitSet,
  gan: LiveGan,
  epochs: number,
  finalLosses: { discriminator: number; generator: number },
  seconds: number,
) {
  saveGenerator(
    join(options.out, RUN_FILES.model),
    {
      name: recipe.architecture,
      architecture: recipe.architecture,
      latentSize: recipe.latentSize,
      latentDistribution: 'uniform(-1,1)',
      classes: recipe.classes,
      imageSize: 28,
      parameters: recipe.sizes.generator,
      dataset: { ...describeDataDir(options.data), split: 'train', count: digits.count },
      training: {
        epochs,
        batchSize: options.batchSize,
        learningRate: settings.learningRate,
        ...settingsInUse(recipe, settings),
        ...(settings.schedule ? { schedule: settings.schedule } : {}),
        seed: options.seed,
        seconds: Math.round(seconds),
        backend: options.backend,
        machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node.js ${process.version}`,
        finalLosses,
      },
      created: new Date().toISOString(),
    },
    gan.servingParameters(),
  );
}

function newProgressBar() {
  return new cliProgress.SingleBar(
    {
      format:
        'epoch {epoch}/{epochs} |{bar}| {value}/{total} steps | {speed} steps/s | ETA {eta_formatted} | ' +
        'D {d} G {g}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
}
