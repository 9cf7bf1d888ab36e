import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encodePng, tile } from '../../image/png.js';
import type { GenerationBatcher } from '../batcher.js';
import { ParameterError } from '../errors.js';
import { dataUrl, digitImage, setImageHeaders } from '../image-reply.js';
import { checkDigit, chooseModel, digitsForSeeds } from '../model-choice.js';
import type { ModelRegistry } from '../model-registry.js';
import type { Generator } from '../../models/generator.js';
import {
  compileStrict,
  dataUrlSchema,
  DIGIT_CLASSES,
  MAX_SEED,
  querystring,
  sharedParameters,
} from '../schemas.js';

/** Most digits one POST /generate may ask for: a few forward passes, a ~1 MB JSON answer. */
export const MAX_BATCH_COUNT = 256;
/** Largest request body: a full per-item `digits` list fits several times over. */
export const MAX_BODY_BYTES = 16 * 1024;

interface BatchBody {
  count: number;
  seed?: number;
  digit?: number;
  digits?: number[];
  model?: string;
  scale: number;
  format: 'json' | 'png';
  columns?: number;
}

/**
 * POST /generate: many digits in one request, for front ends that fill a page at once. The
 * answer is JSON with one data URL per digit, or one grid PNG.
 */
export function batchRoute(
  app: FastifyInstance,
  registry: ModelRegistry,
  batcher: GenerationBatcher,
): void {
  const { seed, scale, model, digit } = sharedParameters(registry);
  app.post<{ Body: BatchBody }>(
    '/generate',
    {
      bodyLimit: MAX_BODY_BYTES,
      validatorCompiler: compileStrict,
      schema: {
        summary: 'Generate many digits in one request',
        description:
          `Up to ${MAX_BATCH_COUNT} digits from the seeds seed, seed+1, ... as JSON data URLs ` +
          'or one grid PNG. x-seed carries the first seed.',
        tags: ['generate'],
        querystring: querystring({}),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            count: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_BATCH_COUNT,
              default: 1,
              description: 'How many digits.',
            },
            seed: { ...seed, description: "The first digit's seed; digit i has seed + i." },
            digit: { ...digit, description: `${digit.description} Every digit is this one.` },
            digits: {
              type: 'array',
              items: { type: 'integer', minimum: 0, maximum: DIGIT_CLASSES - 1 },
              maxItems: MAX_BATCH_COUNT,
              description: 'One digit per item (conditional models), instead of `digit`.',
            },
            model,
            scale,
            format: {
              type: 'string',
              enum: ['json', 'png'],
              default: 'json',
              description: 'json: { images: [{ image, seed, digit }], model }; png: one grid.',
            },
            columns: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_BATCH_COUNT,
              description: 'Digits per row of the png grid. Default: square root of count.',
            },
          },
        },
        response: {
          200: {
            description: 'The digits as JSON, or with format=png one grid (image/png)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    images: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          image: dataUrlSchema,
                          seed: { type: 'integer' },
                          digit: { type: 'integer', nullable: true },
                        },
                      },
                    },
                    model: { type: 'string' },
                  },
                },
              },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
          400: { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      const { count, scale, format } = request.body;
      const generator = chooseModel(registry, request.body.model);
      const digits = itemDigits(registry, request.body, generator);
      const first = request.body.seed ?? randomInt(0, MAX_SEED + 1);
      const seeds = Array.from({ length: count }, (_, i) => (first + i) % (MAX_SEED + 1));
      const drawn = digits ?? digitsForSeeds(generator, seeds, undefined);

      const pixels = await batcher.generate(generator, seeds, drawn);
      const images = pixels.map((cell) => digitImage(generator, cell, scale));
      setImageHeaders(reply, { seed: first, reproducible: request.body.seed !== undefined });
      if (format === 'png') {
        const columns = Math.min(request.body.columns ?? Math.ceil(Math.sqrt(count)), count);
        return reply.type('image/png').send(encodePng(tile(images, columns)));
      }
      return {
        images: images.map((image, i) => ({
          image: dataUrl(encodePng(image)),
          seed: seeds[i],
          digit: drawn[i],
        })),
        model: generator.name,
      };
    },
  );
}

/** The digit of every item, from `digit` or `digits`; null when the seeds' own apply. */
function itemDigits(
  registry: ModelRegistry,
  body: BatchBody,
  generator: Generator,
): number[] | null {
  if (body.digit !== undefined && body.digits !== undefined) {
    throw new ParameterError('digits', 'body fields "digit" and "digits" exclude each other');
  }
  if (body.digits === undefined) {
    const source = { parameter: 'digit', label: 'body field "digit"' };
    const wanted = checkDigit(registry, generator, body.digit, source);
    return wanted === undefined ? null : Array(body.count).fill(wanted);
  }
  if (body.digits.length !== body.count) {
    throw new ParameterError(
      'digits',
      `body field "digits" must hold one digit per item: ${body.count}, got ${body.digits.length}`,
    );
  }
  const source = { parameter: 'digits', label: 'body field "digits"' };
  for (const d of body.digits) checkDigit(registry, generator, d, source);
  return body.digits;
}
