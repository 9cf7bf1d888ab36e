import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { encodePng, tile } from '../../image/png.js';
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

/** Most digits in one grid: enough for a contact sheet, few enough to draw in one batch. */
export const MAX_GRID = 100;

interface GridQuery {
  n: number;
  columns?: number;
  seed?: number;
  digit?: number;
  model?: string;
  scale: number;
  format: 'png' | 'json';
}

export function gridRoute(
  app: FastifyInstance,
  registry: ModelRegistry,
  batcher: GenerationBatcher,
): void {
  const { seed, scale, format, model, digit } = sharedParameters(registry);
  app.get<{ Querystring: GridQuery }>(
    '/generate/grid',
    {
      preValidation: checkRawParameters,
      schema: {
        summary: 'Generate a grid of digits in one PNG',
        description:
          'n digits from the seeds seed, seed+1, ... (wrapping after 4294967295), laid out ' +
          'in rows with 2-pixel black gaps. x-seed carries the first seed.',
        tags: ['generate'],
        querystring: querystring({
          n: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_GRID,
            default: 16,
            description: 'How many digits.',
          },
          columns: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_GRID,
            description: 'Digits per row (at most n). Default: the square root of n, rounded up.',
          },
          seed: { ...seed, description: "The first cell's seed; cell i has seed + i." },
          digit: {
            ...digit,
            description: `${digit.description} With it, every cell is that digit.`,
          },
          model,
          scale: { ...scale, description: 'Nearest-neighbour enlargement of each digit.' },
          format: {
            ...format,
            description: 'png: the grid; json: { image, seeds, digits, model }.',
          },
        }),
        response: imageResponses('The grid (image/png), or with format=json a JSON object', {
          image: dataUrlSchema,
          seeds: { type: 'array', items: { type: 'integer' }, description: 'row by row' },
          digits: {
            type: 'array',
            items: { type: 'integer', nullable: true },
            description: 'the digit of each cell; null for an unconditional model',
          },
          model: { type: 'string' },
        }),
      },
    },
    async (request, reply) => {
      const { n, scale, format } = request.query;
      const generator = chooseModel(registry, request.query.model);
      const wanted = checkDigit(registry, generator, request.query.digit);
      const first = request.query.seed ?? randomInt(0, MAX_SEED + 1);
      const columns = Math.min(request.query.columns ?? Math.ceil(Math.sqrt(n)), n);

      const seeds = Array.from({ length: n }, (_, i) => (first + i) % (MAX_SEED + 1));
      const digits = digitsForSeeds(generator, seeds, wanted);
      const cells = (await batcher.generate(generator, seeds, digits)).map((pixels) => {
        return digitImage(generator, pixels, scale);
      });
      const png = encodePng(tile(cells, columns));

      const reproducible = request.query.seed !== undefined;
      setImageHeaders(reply, { seed: first, digit: wanted, reproducible });
      if (format === 'json') return { image: dataUrl(png), seeds, digits, model: generator.name };
      return reply.type('image/png').send(png);
    },
  );
}
