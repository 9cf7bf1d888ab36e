import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { ARCHITECTURES, type Architecture } from './architectures.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/**
 * A shipped model is a folder: `manifest.json` says what it is and how it was made,
 * `generator.safetensors` holds the generator's flat parameter vector. Serving needs only
 * the generator; the discriminator stays in training checkpoints.
 */
export const MANIFEST_FILE = 'manifest.json';
export const GENERATOR_FILE = 'generator.safetensors';

/**
 * The settings only some recipes have (cdcgan's), which a run may change when it resumes; each
 * absent means the recipe's own default. Runs, their checkpoints and their manifests share them.
 */
export interface RecipeSettings {
  /** Weight of the discriminator's digit loss on generated images (1: ACGAN as published). */
  fakeClassWeight?: number;
  /** Weight of the generator's digit loss (1: ACGAN as published). */
  generatorClassWeight?: number;
  /** Weight of the mode-seeking loss in the generator's step (0: off). */
  diversityWeight?: number;
  /** Share of the served average of the generator's weights kept at each step (0.999). */
  averageDecay?: number;
  /** Images per group of the discriminator's batch-spread input (0: none). */
  spreadGroup?: number;
}

/**
 * The settings that may change on resume, used from epoch `fromEpoch` on: from its start, or,
 * when the run was stopped and changed mid-epoch, after its first `afterStep` steps.
 */
export interface SettingsFrom extends RecipeSettings {
  fromEpoch: number;
  afterStep?: number;
  learningRate: number;
}

export interface Manifest {
  name: string;
  architecture: string;
  latentSize: number;
  latentDistribution: 'uniform(-1,1)';
  /** Digit classes the model can be asked for (0: unconditional). */
  classes: number;
  imageSize: number;
  parameters: number;
  dataset: { name: string; source: string; split: string; count: number };
  training:
    | (RecipeSettings & {
        epochs: number;
        batchSize: number;
        /** The rate of the last epochs; `schedule` lists the settings of each part when it changed. */
        learningRate: number;
        schedule?: SettingsFrom[];
        seed: number;
        seconds: number;
        backend: string;
        machine: string;
        finalLosses: { discriminator: number; generator: number };
      })
    | null;
  /** Set when the weights came from another framework's file rather than our training. */
  imported?: { from: string; sha256: string; keys: 'sequential' | 'fc' };
  files: Record<string, { sha256: string; bytes: number }>;
  created: string;
}

/** What a model may be called: it names a folder and is a URL parameter, so nothing else. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface LoadedGenerator {
  manifest: Manifest;
  architecture: Architecture;
  parameters: Float32Array;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a model folder; the manifest's `files` entry is filled in from the weights written. */
export function saveGenerator(
  dir: string,
  manifest: Omit<Manifest, 'files'>,
  parameters: Float32Array,
): Manifest {
  mkdirSync(dir, { recursive: true });
  const weights = encodeSafetensors({
    generator: { shape: [parameters.length], data: parameters },
  });
  writeFileAtomic(join(dir, GENERATOR_FILE), weights);
  const full: Manifest = {
    ...manifest,
    files: { [GENERATOR_FILE]: { sha256: sha256(weights), bytes: weights.length } },
  };
  writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(full, null, 2) + '\n');
  return full;
}

/** Reads and checks a model folder; every error names the file and what is wrong with it. */
export function loadGenerator(dir: string): LoadedGenerator {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: model manifest not found`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new Error(`${manifestPath}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${manifestPath}: expected a JSON object describing the model`);
  }
  const architecture = checkManifest(manifestPath, manifest);
  const weightsPath = join(dir, GENERATOR_FILE);
  if (!existsSync(weightsPath)) throw new Error(`${weightsPath}: generator weights not found`);
  const bytes = readFileSync(weightsPath);
  const recorded = manifest.files[GENERATOR_FILE];
  if (sha256(bytes) !== recorded.sha256) {
    throw new Error(
      `${weightsPath}: sha256 does not match the manifest (file damaged or replaced)`,
    );
  }
  if (bytes.length !== recorded.bytes) {
    throw new Error(
      `${manifestPath}: "files" gives ${GENERATOR_FILE} ${recorded.bytes} bytes, ` +
        `but the file with that sha256 holds ${bytes.length}`,
    );
  }
  const { tensors } = decodeSafetensors(bytes, weightsPath);
  const parameters = tensors.generator?.data;
  const count = architecture.parameterCount;
  if (!parameters || parameters.length !== count) {
    throw new Error(
      `${weightsPath}: expected a "generator" tensor of ${count} values for ${manifest.architecture}`,
    );
  }
  return { manifest, architecture, parameters };
}

/**
 * Checks the fields that say what the model is against its architecture, and returns that
 * architecture. A manifest that disagrees with its weights would be handed to clients by
 * GET /models as a false description, so it is refused rather than trusted. The fields that
 * only tell the model's history (dataset, training, created) are shown as they are and may be
 * missing.
 */
function checkManifest(path: string, manifest: Manifest): Architecture {
  const refuse = (field: string, rule: string, value: unknown): never => {
    const found = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
    throw new Error(`${path}: "${field}" must be ${rule}, ${found}`);
  };
  if (typeof manifest.name !== 'string' || !MODEL_NAME.test(manifest.name)) {
    refuse('name', 'a-z, 0-9 and "-", up to 64 characters', manifest.name);
  }
  const known = Object.keys(ARCHITECTURES).join(', ');
  if (manifest.architecture === undefined) refuse('architecture', `one of ${known}`, undefined);
  // hasOwn, so that "toString" and the like are not taken for architectures.
  if (!Object.hasOwn(ARCHITECTURES, manifest.architecture)) {
    throw new Error(
      `${path}: unknown architecture "${manifest.architecture}", expected one of ${known}`,
    );
  }
  const architecture = ARCHITECTURES[manifest.architecture];
  const fixed: [keyof Manifest, unknown][] = [
    ['latentSize', architecture.latentSize],
    ['latentDistribution', 'uniform(-1,1)'],
    ['classes', architecture.classes],
    ['imageSize', 28],
    ['parameters', architecture.parameterCount],
  ];
  for (const [field, right] of fixed) {
    const rule = `${JSON.stringify(right)} for ${architecture.name}`;
    if (manifest[field] !== right) refuse(field, rule, manifest[field]);
  }
  const entry = manifest.files?.[GENERATOR_FILE];
  const wellFormed =
    typeof entry?.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.sha256) &&
    Number.isInteger(entry.bytes);
  if (!wellFormed) {
    const rule = `{"${GENERATOR_FILE}": {"sha256": 64 hex digits, "bytes": its size}}`;
    refuse('files', rule, manifest.files);
  }
  return architecture;
}
