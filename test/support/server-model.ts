import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveGenerator } from '../../src/models/model-file.js';
import { Random } from '../../src/models/random.js';
import {
  LATENT_SIZE,
  SEED_MLP_GENERATOR,
  SEED_MLP_NAME,
  mlpNetwork,
  parameterCount,
} from '../../src/models/seed-mlp.js';

/**
 * A model folder for the server tests, written into a fresh temporary directory.
 *
 * The generator is untrained (freshly initialised from Random(1)): its digits are noise, but
 * it has the real architecture and file format, so every API behaviour can be checked without
 * waiting for, or depending on, the model that ships in models/.
 */
export interface TestModel {
  /** The temporary directory; remove() deletes it with everything inside. */
  root: string;
  /** The model folder itself (manifest.json and generator.safetensors). */
  dir: string;
  remove(): void;
}

export function writeUntrainedModel(): TestModel {
  const root = mkdtempSync(join(tmpdir(), 'mnist-gan-server-test-'));
  const dir = join(root, 'model');
  saveUntrainedSeedMlp(dir);
  return { root, dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes an untrained seed-mlp model folder at `dir`. */
export function saveUntrainedSeedMlp(dir: string): void {
  saveGenerator(
    dir,
    {
      name: SEED_MLP_NAME,
      architecture: SEED_MLP_NAME,
      latentSize: LATENT_SIZE,
      latentDistribution: 'uniform(-1,1)',
      classes: 0,
      imageSize: 28,
      parameters: parameterCount(SEED_MLP_GENERATOR),
      dataset: { name: 'MNIST', source: 'none: untrained test model', split: 'train', count: 0 },
      training: null,
      created: '2020-01-01T00:00:00.000Z',
    },
    mlpNetwork(SEED_MLP_GENERATOR).initialParameters(new Random(1)),
  );
}
