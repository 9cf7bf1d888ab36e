import type { FastifyInstance } from 'fastify';
import type { Generator } from '../../models/generator.js';

export function healthRoutes(app: FastifyInstance, generator: Generator): void {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: answers while the server runs',
        tags: ['operations'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, model: { type: 'string' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', model: generator.name }),
  );
}
