import type { FastifyInstance } from 'fastify';
import type { ModelRegistry } from '../model-registry.js';

/** Whether the server still takes new work: false from SIGTERM on, while requests drain. */
export interface Readiness {
  draining: boolean;
}

export function healthRoute(
  app: FastifyInstance,
  registry: ModelRegistry,
  readiness: Readiness,
): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: answers while the server runs',
        tags: ['operations'],
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              model: { type: 'string', description: 'the default model (see GET /models)' },
            },
          },
        },
      },
    },
    async () => ({ status: 'ok', model: registry.default.name }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: 200 while models are loaded and the server is not shutting down',
        tags: ['operations'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, models: { type: 'integer' } },
          },
          503: { $ref: 'problem#' },
        },
      },
    },
    async (_request, reply) => {
      if (readiness.draining) {
        const message = 'the server is shutting down and finishing the requests it has';
        return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
      }
      if (registry.models.length === 0) {
        const message = 'no model is loaded';
        return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
      }
      return { status: 'ready', models: registry.models.length };
    },
  );
}
