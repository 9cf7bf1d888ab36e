import { Generator } from '../models/generator.js';
import { buildApp } from './app.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** Model folder (manifest.json and generator.safetensors). */
  model: string;
  corsOrigins: string[];
}

/** Loads the model, listens, and closes cleanly on Ctrl-C or SIGTERM. */
export async function startServer(options: ServeOptions): Promise<void> {
  const generator = Generator.load(options.model);
  const epochs = generator.manifest.training?.epochs;
  console.log(
    `model ${generator.name} loaded from ${options.model} ` +
      `(${generator.manifest.parameters.toLocaleString('en')} parameters` +
      `${epochs ? `, ${epochs} epochs` : ''})`,
  );
  const app = await buildApp({ generator, corsOrigins: options.corsOrigins });
  await app.listen({ port: options.port, host: options.host });
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  const { port } = app.server.address() as { port: number };
  console.log(`listening on http://${shown}:${port} (API docs at /docs)`);
  const close = async () => {
    await app.close();
    generator.dispose();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
}
