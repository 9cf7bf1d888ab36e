import type { FastifyInstance } from 'fastify';
import type { ModelRegistry } from '../model-registry.js';

export function healthRoute(app: FastifyInstance, registry: ModelRegistry): void {
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
}
