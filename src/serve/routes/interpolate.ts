import type { FastifyInstance } from 'fastify';
import { encodePng, tile } from '../../image/png.js';
import { dataUrl, digitImage, setImageHeaders } from '../image-reply.js';
import { latentWalk } from '../latent-walk.js';
import { checkDigit, chooseModel } from '../model-choice.js';
import type { ModelRegistry } from '../model-registry.js';
import {
  checkRawParameters,
  dataUrlSchema,
  imageResponses,
  querystring,
  seedParameter,
  sharedParameters,
} from '../schemas.js';

/** Most frames in one walk: a smooth morph takes a dozen; 64 keeps one answer small. */
export const MAX_STEPS = 64;

interface InterpolateQuery {
  from: number;
  to: number;
  steps: number;
  digit?: number;
  model?: string;
  scale: number;
  format: 'png' | 'json';
}

export function interpolateRoute(app: FastifyInstance, registry: ModelRegistry): void {
  const { scale, format, model, digit } = sharedParameters(registry);
  app.get<{ Querystring: InterpolateQuery }>(
    '/interpolate',
    {
      preValidation: checkRawParameters,
      schema: {
        summary: 'Morph one generated digit into another',
        description:
          'The frames of a straight walk through latent space from the latent of seed `from` ' +
          'to that of seed `to`, ends included: the first frame is /generate?seed=from, the ' +
          'last /generate?seed=to (for a conditional model, when both draw the same digit).',
        tags: ['generate'],
        querystring: querystring(
          {
            from: seedParameter('The seed the walk starts at.'),
            to: seedParameter('The seed the walk ends at.'),
            steps: {
              type: 'integer',
              minimum: 2,
              maximum: MAX_STEPS,
              default: 8,
              description: 'Frames, both ends included.',
            },
            digit: {
              ...digit,
              description:
                'The digit every frame is drawn as; only a conditional model takes one. ' +
                "Default: the from seed's own digit.",
            },
            model,
            scale,
            format: {
              ...format,
              description:
                'png: the frames side by side in one strip, 2-pixel black gaps; ' +
                'json: { frames: [data URLs], from, to, steps, digit, model }.',
            },
          },
          ['from', 'to'],
        ),
        response: imageResponses('The strip (image/png), or with format=json a JSON object', {
          frames: { type: 'array', items: dataUrlSchema },
          from: { type: 'integer' },
          to: { type: 'integer' },
          steps: { type: 'integer' },
          digit: { type: 'integer', nullable: true, description: 'null: unconditional model' },
          model: { type: 'string' },
        }),
      },
    },
    async (request, reply) => {
      const { from, to, steps, scale, format } = request.query;
      const generator = chooseModel(registry, request.query.model);
      const wanted = checkDigit(registry, generator, request.query.digit);
      // One digit for the whole walk: changing class midway would morph the digit, not the style.
      const digit = generator.conditional ? (wanted ?? generator.digitForSeed(from)) : null;

      const latents = latentWalk(from, to, steps, generator.architecture.latentSize);
      const frames = generator
        .generateFromLatents(latents, new Array<number | null>(steps).fill(digit))
        .map((pixels) => digitImage(generator, pixels, scale));

      setImageHeaders(reply, { digit, reproducible: true });
      if (format === 'json') {
        const urls = frames.map((frame) => dataUrl(encodePng(frame)));
        return { frames: urls, from, to, steps, digit, model: generator.name };
      }
      return reply.type('image/png').send(encodePng(tile(frames, steps)));
    },
  );
}
