import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSIFIER_WEIGHTS } from '../eval/classifier.js';
import { Generator } from '../models/generator.js';
import { GENERATOR_FILE, MANIFEST_FILE } from '../models/model-file.js';

/** A model loaded from a folder, with the folder kept for the start-up log. */
export interface LoadedModel {
  dir: string;
  generator: Generator;
}

/**
 * The models a server answers with, by name, and the one used when a request names none.
 * Requests only ever look names up here: no request can make the server read a file.
 */
export class ModelRegistry {
  private readonly byName = new Map<string, Generator>();
  readonly default: Generator;

  /** `defaultName` picks the default; without it the best model is chosen (chooseDefault). */
  constructor(generators: Generator[], defaultName?: string) {
    if (generators.length === 0) throw new Error('a model registry needs at least one model');
    for (const generator of [...generators].sort((a, b) => compareNames(a.name, b.name))) {
      if (this.byName.has(generator.name)) {
        throw new Error(`two models are named "${generator.name}"; model names must be unique`);
      }
      this.byName.set(generator.name, generator);
    }
    if (defaultName === undefined) {
      this.default = chooseDefault(this.models);
    } else {
      const chosen = this.find(defaultName);
      if (!chosen) {
        throw new Error(
          `default model "${defaultName}" is not loaded; loaded models: ${this.names.join(', ')}`,
        );
      }
      this.default = chosen;
    }
  }

  /** Names of the loaded models, sorted. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The loaded models, sorted by name. */
  get models(): Generator[] {
    return [...this.byName.values()];
  }

  find(name: string): Generator | undefined {
    return this.byName.get(name);
  }

  dispose(): void {
    for (const generator of this.byName.values()) generator.dispose();
  }
}

/**
 * The model to serve when none is asked for: one that can be told which digit to draw beats one
 * that cannot, so a conditional model wins (cdcgan first), then the tutorial's seed-mlp, then
 * whichever comes first by name.
 */
export function chooseDefault<Model extends { name: string; conditional: boolean }>(
  models: Model[],
): Model {
  const sorted = [...models].sort((a, b) => compareNames(a.name, b.name));
  const conditional = sorted.filter((model) => model.conditional);
  return (
    conditional.find((model) => model.name === 'cdcgan') ??
    conditional[0] ??
    sorted.find((model) => model.name === 'seed-mlp') ??
    sorted[0]
  );
}

/**
 * Loads every model folder directly inside `dir`, in name order. A folder that fails to load is
 * left out and reported through `skip` as one line naming the file and what is wrong with it;
 * the server should come up with the models that work. Fails when no model loads at all.
 */
export function loadModelFolders(dir: string, skip: (problem: string) => void): LoadedModel[] {
  if (!isFolder(dir)) throw new Error(`${dir}: models folder not found`);
  const loaded: LoadedModel[] = [];
  const folders = readdirSync(dir)
    .filter((name) => !name.startsWith('.') && isFolder(join(dir, name)))
    .sort(compareNames);
  for (const name of folders) {
    const folder = join(dir, name);
    if (isClassifierFolder(folder)) continue;
    try {
      const model = { dir: folder, generator: Generator.load(folder) };
      const problem = nameProblem(model, loaded);
      if (problem) {
        model.generator.dispose();
        skip(problem);
      } else {
        loaded.push(model);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      skip(message.includes(folder) ? message : `${folder}: ${message}`);
    }
  }
  if (loaded.length === 0) {
    throw new Error(
      `${dir}: no model could be loaded; each model is a subfolder holding ` +
        `${MANIFEST_FILE} and ${GENERATOR_FILE}`,
    );
  }
  return loaded;
}

/**
 * The evaluation classifier ships in the models folder too; it is not a generator, so it is
 * passed over without a word rather than reported as a broken model.
 */
function isClassifierFolder(folder: string): boolean {
  return existsSync(join(folder, CLASSIFIER_WEIGHTS)) && !existsSync(join(folder, GENERATOR_FILE));
}

/** Why a freshly loaded model cannot join the others under its name, or '' when it can. */
function nameProblem(model: LoadedModel, loaded: LoadedModel[]): string {
  const manifest = join(model.dir, MANIFEST_FILE);
  const name = model.generator.name;
  const taken = loaded.find((other) => other.generator.name === name);
  return taken ? `${manifest}: model name "${name}" is already used by ${taken.dir}` : '';
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Plain code-point order, so the choice of default never depends on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
