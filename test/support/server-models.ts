import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHITECTURES } from '../../src/models/architectures.js';
import { CDCGAN_LATENT, CDCGAN_NAME, CLASSES, cdcganGenerator } from '../../src/models/cdcgan.js';
import { saveGenerator } from '../../src/models/model-file.js';
import { Random } from '../../src/models/random.js';
import type { FastifyInstance } from 'fastify';
import { useBackend } from '../../src/models/backend.js';
import { buildApp, type AppOptions } from '../../src/serve/app.js';
import { loadModelFolders, ModelRegistry } from '../../src/serve/model-registry.js';
import { saveUntrainedSeedMlp } from './server-model.js';

/**
 * A folder of models as `mnist-gan serve --models` reads it, in a fresh temporary directory:
 *
 *   seed-mlp/  an untrained unconditional model
 *   cdcgan/    an untrained conditional model (ten digit classes)
 *   broken/    a manifest.json that is not JSON, which the server must skip
 *
 * Untrained generators draw noise, but with the real architectures and file format.
 */
export interface TestModelsFolder {
  root: string;
  remove(): void;
}

export function writeModelsFolder(): TestModelsFolder {
  const root = mkdtempSync(join(tmpdir(), 'mnist-gan-models-test-'));
  saveUntrainedSeedMlp(join(root, 'seed-mlp'));
  saveUntrainedCdcgan(join(root, 'cdcgan'));
  mkdirSync(join(root, 'broken'));
  writeFileSync(join(root, 'broken', 'manifest.json'), '{ this is not json');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes an untrained cdcgan model folder at `dir`. */
export function saveUntrainedCdcgan(dir: string): void {
  saveGenerator(
    dir,
    {
      name: CDCGAN_NAME,
      architecture: CDCGAN_NAME,
      latentSize: CDCGAN_LATENT,
      latentDistribution: 'uniform(-1,1)',
      classes: CLASSES,
      imageSize: 28,
      parameters: ARCHITECTURES[CDCGAN_NAME].parameterCount,
      dataset: { name: 'MNIST', source: 'none: untrained test model', split: 'train', count: 0 },
      training: null,
      created: '2020-01-01T00:00:00.000Z',
    },
    cdcganGenerator().initialParameters(new Random(1)),
  );
}

/** The HTTP app over a fresh models folder (see writeModelsFolder), ready for app.inject(). */
export interface TestApp {
  app: FastifyInstance;
  registry: ModelRegistry;
  /** What loading the folder skipped: the broken/ subfolder's one line. */
  skipped: string[];
  close(): Promise<void>;
}

export async function startTestApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  await useBackend('wasm');
  const folder = writeModelsFolder();
  const skipped: string[] = [];
  const loaded = loadModelFolders(folder.root, (problem) => skipped.push(problem));
  const registry = new ModelRegistry(loaded.map((model) => model.generator));
  const app = await buildApp({ registry, corsOrigins: [], ...options });
  return {
    app,
    registry,
    skipped,
    close: async () => {
      await app.close();
      registry.dispose();
      folder.remove();
    },
  };
}
