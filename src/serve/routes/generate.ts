import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encodePng } from '../../image/png.js';
import { dataUrl, digitImage, setImageHeaders } from '../image-reply.js';
import { checkDigit, chooseModel, digitsForSeeds } from '../model-choice.js';
import type { GenerationBatcher } from '../batcher.js';
import type { ModelRegistry } from '../model-registry.js';
import {
  checkRawParameters,
  dataUrlSchema,
  imageResponses,
  MAX_SEED,
  querystring,
  sharedParameters,
} from '../schemas.js';

interface GenerateQuery {
  seed?: number;
  scale: number;
  format: 'png' | 'json';
  model?: string;
  digit?: number;
}

export function generateRoute(
  app: FastifyInstance,
  registry: ModelRegistry,
  batcher: GenerationBatcher,
): void {
  const { seed, scale, format, model, digit } = sharedParameters(registry);
  app.get<{ Querystring: GenerateQuery }>(
    '/generate',
    {
      preValidation: checkRawParameters,
      schema: {
        summary: 'Generate one handwritten digit',
        description: 'A freshly generated 28x28 greyscale digit as PNG, or as a data URL in JSON.',
        tags: ['generate'],
        querystring: querystring({
          seed,
          scale,
          format: {
            ...format,
            description: 'png: the image; json: { image, seed, digit, model }.',
          },
          model,
          digit,
        }),
        response: imageResponses('The digit (image/png), or with format=json a JSON object', {
          image: dataUrlSchema,
          seed: { type: 'integer' },
          digit: { type: 'integer', nullable: true, description: 'null: unconditional model' },
          model: { type: 'string' },
        }),
      },
    },
    async (request, reply) => {
      const { scale, format } = request.query;
      const generator = chooseModel(registry, request.query.model);
      const wanted = checkDigit(registry, generator, request.query.digit);
      const seed = request.query.seed ?? randomInt(0, MAX_SEED + 1);

      const digits = digitsForSeeds(generator, [seed], wanted);
      const [pixels] = await batcher.generate(generator, [seed], digits);
      const png = encodePng(digitImage(generator, pixels, scale));

      const reproducible = request.query.seed !== undefined;
      setImageHeaders(reply, { seed, digit: digits[0], reproducible });
      if (format === 'json') {
        return { image: dataUrl(png), seed, digit: digits[0], model: generator.name };
      }
      return reply.type('image/png').send(png);
    },
  );
}
