import type { LogLevel } from 'fastify';
import { Generator } from '../models/generator.js';
import { buildApp } from './app.js';
import type { BatchingOptions } from './batcher.js';
import { drainServer } from './drain.js';
import { announceReady, leaveWithPrimary, QUIET_ENV } from './workers.js';
import { loadModelFolders, ModelRegistry, type LoadedModel } from './model-registry.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** Folder whose subfolders are model folders (manifest.json and generator.safetensors). */
  models: string;
  /** One model folder to serve instead of everything in `models`. */
  model?: string;
  /** Name of the model used when a request names none; the best loaded one when left out. */
  defaultModel?: string;
  corsOrigins: string[];
  batching: BatchingOptions;
  /** Folder of training runs shown in the page's training view; a missing folder lists none. */
  runs: string;
  /** Level of the JSON request log lines on standard output; 'silent' for none. */
  logLevel: LogLevel | 'silent';
  /** Requests a minute one client address may make; null for no limit. */
  rateLimit: number | null;
  /** How long a client has to send a whole request, in milliseconds. */
  requestTimeoutMs: number;
}

/**
 * Loads the models, listens, and closes cleanly on Ctrl-C or SIGTERM, letting requests in
 * flight finish. In a worker of a pool, only the first worker prints the start-up lines.
 */
export async function startServer(options: ServeOptions): Promise<void> {
  const quiet = process.env[QUIET_ENV] === '1';
  leaveWithPrimary();
  const say = (line: string) => {
    if (!quiet) console.log(line);
  };
  // A single folder asked for by name must load; in a folder of models, a broken one is
  // skipped so the others still get served.
  const loaded: LoadedModel[] = options.model
    ? [{ dir: options.model, generator: Generator.load(options.model) }]
    : loadModelFolders(options.models, (problem) => {
        if (!quiet) console.error(`skipped model: ${problem}`);
      });
  for (const model of loaded) say(describeModel(model));
  const registry = new ModelRegistry(
    loaded.map((model) => model.generator),
    options.defaultModel,
  );
  say(`default model: ${registry.default.name} (used when a request has no ?model)`);

  const readiness = { draining: false };
  const app = await buildApp({
    registry,
    corsOrigins: options.corsOrigins,
    batching: options.batching,
    runs: options.runs,
    logLevel: options.logLevel,
    rateLimit: options.rateLimit,
    requestTimeoutMs: options.requestTimeoutMs,
    readiness,
  });
  // Fastify logs its own "Server listening at" line; the human line below says the same.
  const level = app.log.level;
  app.log.level = 'warn';
  await app.listen({ port: options.port, host: options.host });
  app.log.level = level;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  const { port } = app.server.address() as { port: number };
  say(`listening on http://${shown}:${port} (API docs at /docs)`);
  announceReady();
  const close = async () => {
    // From here on every answer says Connection: close and /ready answers 503.
    readiness.draining = true;
    await drainServer(app.server);
    await app.close();
    registry.dispose();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
}

function describeModel({ dir, generator }: LoadedModel): string {
  const { parameters, training } = generator.manifest;
  const origin = generator.manifest.imported ? ', imported' : ', untrained';
  const epochs = training ? `, ${training.epochs} epochs` : origin;
  const conditional = generator.conditional ? ', conditional' : '';
  return (
    `model ${generator.name} loaded from ${dir} ` +
    `(${parameters.toLocaleString('en')} parameters${epochs}${conditional})`
  );
}
