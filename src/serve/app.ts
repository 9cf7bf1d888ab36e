import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { BATCHING_DEFAULTS, GenerationBatcher, type BatchingOptions } from './batcher.js';
import { handleError } from './errors.js';
import { DIGIT_HEADER, SEED_HEADER } from './image-reply.js';
import type { ModelRegistry } from './model-registry.js';
import { batchRoute } from './routes/batch.js';
import { generateRoute } from './routes/generate.js';
import { gridRoute } from './routes/grid.js';
import { healthRoute } from './routes/health.js';
import { interpolateRoute } from './routes/interpolate.js';
import { modelsRoute } from './routes/models.js';
import { runsRoute } from './routes/runs.js';

export interface AppOptions {
  /** The models to serve; the app only reads it, and whoever built it disposes of it. */
  registry: ModelRegistry;
  /** Origins allowed to call the API from a browser; empty means any origin. */
  corsOrigins: string[];
  /** Fastify's logger: false for none, true for JSON lines. */
  logger?: boolean;
  /** How requests are gathered into forward passes. */
  batching?: BatchingOptions;
  /** Folder of training runs for the page's training view; none listed when left out. */
  runs?: string;
}

/** The built web page (`npm run build` writes it with Vite from web/), beside the server. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Builds the HTTP app without listening, so tests can call it with app.inject(). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ajv: {
      // Reject unknown parameters instead of silently dropping them; keep the failing schema
      // in each error so the 400 can say what is allowed.
      customOptions: { removeAdditional: false, coerceTypes: true, verbose: true },
    },
  });
  app.setErrorHandler(handleError);
  app.addSchema({
    $id: 'problem',
    type: 'object',
    description: 'What was wrong with the request',
    properties: {
      statusCode: { type: 'integer' },
      error: { type: 'string' },
      message: { type: 'string' },
      parameter: { type: 'string' },
      allowed: { type: 'string' },
    },
  });

  await app.register(cors, {
    origin: options.corsOrigins.length === 0 ? '*' : options.corsOrigins,
    methods: ['GET', 'POST'],
    exposedHeaders: [SEED_HEADER, DIGIT_HEADER],
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'mnist-gan',
        version: '0.1.0',
        description: 'Freshly generated handwritten digits from a GAN trained on MNIST.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  if (existsSync(join(WEB_DIR, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: WEB_DIR,
      index: 'index.html',
      // Vite names built assets by content hash, so a name never changes meaning.
      setHeaders: (reply, path) => {
        if (path.includes(`${sep}assets${sep}`)) {
          reply.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      const message = 'the web page is not built: run "npm run build" in the project folder';
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
    });
  }

  const batcher = new GenerationBatcher(options.batching ?? BATCHING_DEFAULTS);
  generateRoute(app, options.registry, batcher);
  gridRoute(app, options.registry, batcher);
  batchRoute(app, options.registry, batcher);
  interpolateRoute(app, options.registry);
  modelsRoute(app, options.registry);
  healthRoute(app, options.registry);
  runsRoute(app, { dir: options.runs ?? null });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
