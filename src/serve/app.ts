import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Generator } from '../models/generator.js';
import { handleError } from './errors.js';
import { generateRoutes } from './routes/generate.js';
import { healthRoutes } from './routes/health.js';

export interface AppOptions {
  generator: Generator;
  /** Origins allowed to call the API from a browser; empty means any origin. */
  corsOrigins: string[];
  /** Fastify's logger: false for none, true for JSON lines. */
  logger?: boolean;
}

/** The folder of the web page, shipped beside the compiled server. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

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
    methods: ['GET'],
    exposedHeaders: ['x-seed'],
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
  await app.register(fastifyStatic, { root: WEB_DIR, index: 'index.html' });

  generateRoutes(app, options.generator);
  healthRoutes(app, options.generator);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
