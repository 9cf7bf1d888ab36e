import type { FastifyInstance } from 'fastify';
import type { ModelRegistry } from '../model-registry.js';
import { querystring } from '../schemas.js';

export function modelsRoute(app: FastifyInstance, registry: ModelRegistry): void {
  app.get(
    '/models',
    {
      schema: {
        summary: 'The loaded models, and which one answers when ?model is left out',
        tags: ['models'],
        querystring: querystring({}),
        response: {
          200: {
            type: 'object',
            properties: {
              default: { type: 'string', description: 'name of the model used without ?model' },
              models: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string', description: 'the value for ?model' },
                    conditional: { type: 'boolean', description: 'whether it takes ?digit' },
                    classes: {
                      type: 'integer',
                      description: 'digits it can be asked for; 0: none',
                    },
                    manifest: {
                      type: 'object',
                      additionalProperties: true,
                      description: "the model folder's manifest.json: how it was made",
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      default: registry.default.name,
      models: registry.models.map((generator) => ({
        name: generator.name,
        conditional: generator.conditional,
        classes: generator.architecture.classes,
        manifest: generator.manifest,
      })),
    }),
  );
}
