import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encodePng, upscale } from '../../image/png.js';
import type { Generator } from '../../models/generator.js';

/** Largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 2 ** 32 - 1;
/** Largest nearest-neighbour enlargement; 16 turns a 28-pixel digit into 448 pixels. */
export const MAX_SCALE = 16;

/** The header that carries the seed of every generated image, so any image can be redrawn. */
export const SEED_HEADER = 'x-seed';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_SEED,
      description:
        'Fixes the latent vector: the same seed gives the same image, byte for byte. ' +
        'Random when left out.',
    },
    scale: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_SCALE,
      default: 1,
      description: 'Nearest-neighbour enlargement, so digits stay crisp when shown large.',
    },
    format: {
      type: 'string',
      enum: ['png', 'json'],
      default: 'png',
      description: 'png: the image itself; json: { image: data URL, seed, model }.',
    },
  },
} as const;

interface GenerateQuery {
  seed?: number;
  scale: number;
  format: 'png' | 'json';
}

export function generateRoutes(app: FastifyInstance, generator: Generator): void {
  app.get<{ Querystring: GenerateQuery }>(
    '/generate',
    {
      schema: {
        summary: 'Generate one handwritten digit',
        description: 'A freshly generated 28x28 greyscale digit as PNG, or as a data URL in JSON.',
        tags: ['generate'],
        querystring,
        response: {
          200: {
            description: 'The digit (image/png), or with format=json a JSON object',
            content: {
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    image: { type: 'string', description: 'data:image/png;base64,...' },
                    seed: { type: 'integer' },
                    model: { type: 'string' },
                  },
                },
              },
            },
          },
          400: { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      const { scale, format } = request.query;
      const seed = request.query.seed ?? randomInt(0, MAX_SEED + 1);
      const [pixels] = generator.generate([seed]);
      const size = generator.imageSize;
      const png = encodePng(upscale({ width: size, height: size, pixels }, scale));
      reply.header(SEED_HEADER, String(seed));
      // A seeded image never changes for a given model; a random one must not be cached.
      reply.header(
        'cache-control',
        request.query.seed === undefined ? 'no-store' : 'public, max-age=3600',
      );
      if (format === 'json') {
        return {
          image: `data:image/png;base64,${png.toString('base64')}`,
          seed,
          model: generator.name,
        };
      }
      return reply.type('image/png').send(png);
    },
  );
}
