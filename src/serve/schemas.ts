import { DIGIT_HEADER, SEED_HEADER } from './image-reply.js';
import type { ModelRegistry } from './model-registry.js';

/** Largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 2 ** 32 - 1;
/** Largest nearest-neighbour enlargement; 16 turns a 28-pixel digit into 448 pixels. */
export const MAX_SCALE = 16;
/** MNIST's digit classes, 0 to 9: the most a conditional model can be asked for. */
export const DIGIT_CLASSES = 10;

const seedValue = { type: 'integer', minimum: 0, maximum: MAX_SEED } as const;

/** A seed parameter under another name or meaning, such as the ends of an interpolation. */
export function seedParameter(description: string) {
  return { ...seedValue, description };
}

/**
 * The query parameters the generating routes share, each described once here. A route takes
 * the ones it needs, and may give `format` a description of its own JSON form. `model` lists
 * the loaded names, so an unknown name is refused by the schema before any handler runs.
 */
export function sharedParameters(registry: ModelRegistry) {
  return {
    seed: seedParameter(
      'Fixes the latent vector: the same seed gives the same image, byte for byte. ' +
        'Random when left out.',
    ),
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
      description: 'png: the image itself; json: the image as a data URL and what drew it.',
    },
    model: {
      type: 'string',
      enum: registry.names,
      description:
        `Which loaded model draws (GET /models lists them). ` +
        `Default: ${registry.default.name}.`,
    },
    digit: {
      type: 'integer',
      minimum: 0,
      maximum: DIGIT_CLASSES - 1,
      description:
        'The digit to draw; only a conditional model takes one. Left out, a conditional ' +
        "model draws each seed's own digit, so a seed alone still reproduces its image.",
    },
  } as const;
}

/** A query schema that refuses any parameter it does not name. */
export function querystring(properties: Record<string, object>, required: string[] = []) {
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** How the JSON forms carry a PNG. */
export const dataUrlSchema = { type: 'string', description: 'data:image/png;base64,...' } as const;

/** The answers of a route that draws: the PNG, or with format=json an object with `json`. */
export function imageResponses(description: string, json: Record<string, object>) {
  return {
    200: {
      description,
      headers: {
        [SEED_HEADER]: { type: 'integer', description: 'the seed drawn from, when there is one' },
        [DIGIT_HEADER]: { type: 'integer', description: 'the digit drawn, when one digit applies' },
      },
      content: {
        'image/png': { schema: { type: 'string', format: 'binary' } },
        'application/json': { schema: { type: 'object', properties: json } },
      },
    },
    400: { $ref: 'problem#' },
  };
}
