import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance, type LogLevel } from 'fastify';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { BATCHING_DEFAULTS, GenerationBatcher, type BatchingOptions } from './batcher.js';
import { handleError } from './errors.js';
import { DIGIT_HEADER, SEED_HEADER } from './image-reply.js';
import { addMetrics } from './metrics.js';
import type { ModelRegistry } from './model-registry.js';
import { batchRoute } from './routes/batch.js';
import { generateRoute } from './routes/generate.js';
import { gridRoute } from './routes/grid.js';
import { healthRoute, type Readiness } from './routes/health.js';
import { interpolateRoute } from './routes/interpolate.js';
import { modelsRoute } from './routes/models.js';
import { runsRoute } from './routes/runs.js';
import { addSecurity, DOCS_CSP } from './security.js';

export interface AppOptions {
  /** The models to serve; the app only reads it, and whoever built it disposes of it. */
  registry: ModelRegistry;
  /** Origins allowed to call the API from a browser; empty means any origin. */
  corsOrigins: string[];
  /** Level of the JSON log lines (one per request at info); no logger at all when left out. */
  logLevel?: LogLevel | 'silent';
  /** Where the JSON log lines go; standard output when left out. */
  logStream?: { write(line: string): void };
  /** Requests a minute one client address may make; no limit when null or left out. */
  rateLimit?: number | null;
  /** How long a client has to send a whole request, in milliseconds. */
  requestTimeoutMs?: number;
  /** Whoever stops the server sets `draining`, and /ready answers 503 from then on. */
  readiness?: Readiness;
  /** How requests are gathered into forward passes. */
  batching?: BatchingOptions;
  /** Folder of training runs for the page's training view; none listed when left out. */
  runs?: string;
}

/** The built web page (`npm run build` writes it with Vite from web/), beside the server. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Time a client has to send its whole request (headers and body) before it is cut off. */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * An idle keep-alive connection stays open this long: longer than the 60 s after which load
 * balancers and nginx usually drop theirs, so the proxy, not the server, closes it first and
 * never sends a request into a connection the server is closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/**
 * A connection that sends or receives nothing for this long is closed. The event streams of
 * /runs write a comment every 30 s, so an open stream is never idle that long.
 */
export const CONNECTION_IDLE_MS = 120_000;

/** A request id from the client's X-Request-Id is kept when it is this short and plain. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the HTTP app without listening, so tests can call it with app.inject(). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel
      ? { level: options.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) }
      : false,
    // One line per request, written below when the answer is sent, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // While draining, requests already on their way over open connections are still answered
    // (with Connection: close) instead of being cut off or refused; start.ts decides when the
    // remaining connections are closed.
    forceCloseConnections: false,
    return503OnClosing: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: CONNECTION_IDLE_MS,
    ajv: {
      // Reject unknown parameters instead of silently dropping them; keep the failing schema
      // in each error so the 400 can say what is allowed.
      customOptions: { removeAdditional: false, coerceTypes: true, verbose: true },
    },
  });
  app.setErrorHandler(handleError);
  const readiness = options.readiness ?? { draining: false };
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // While draining (src/serve/drain.ts), each client closes its connection after this answer
  // and opens its next one on another worker or replica, instead of keeping it for keep-alive.
  app.addHook('onSend', async (_request, reply) => {
    if (readiness.draining) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms },
      'request',
    );
  });
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

  await addSecurity(app, options.rateLimit ?? null);
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
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
  addMetrics(app, options.registry, batcher);
  generateRoute(app, options.registry, batcher);
  gridRoute(app, options.registry, batcher);
  batchRoute(app, options.registry, batcher);
  interpolateRoute(app, options.registry);
  modelsRoute(app, options.registry);
  healthRoute(app, options.registry, readiness);
  runsRoute(app, { dir: options.runs ?? null });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
