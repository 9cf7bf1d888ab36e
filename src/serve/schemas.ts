import { Ajv } from 'ajv';
import type { FastifyRequest } from 'fastify';
import { allowedValues, ParameterError, PLACES } from './errors.js';
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

/**
 * Refuses a parameter given more than once (Ajv would only say an array is not an integer),
 * and the integer parameters Ajv's coercion would misread: a blank string (" " == 0 in
 * JavaScript, so Ajv makes it 0) and "Infinity" or "1e400", which Ajv makes Infinity and then
 * skips minimum and maximum, checked on finite numbers only. Other numeric forms JavaScript
 * reads as an integer ("1e3", "+5", " 42") keep their meaning. Runs as each route's
 * preValidation hook, on the raw strings, before the schema.
 */
export async function checkRawParameters(request: FastifyRequest): Promise<void> {
  const schema = (request.routeOptions.schema ?? {}) as Record<
    string,
    PropertiesSchema | undefined
  >;
  const parts = [
    {
      values: request.query,
      properties: schema.querystring?.properties,
      label: PLACES.querystring,
    },
    { values: request.params, properties: schema.params?.properties, label: PLACES.params },
  ];
  for (const { values, properties, label } of parts) {
    for (const [name, raw] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      const property = properties?.[name];
      if (property && Array.isArray(raw)) {
        const message = `${label} "${name}" is given ${raw.length} times; give it once`;
        throw new ParameterError(name, message, allowedValues(property));
      }
      if (property?.type !== 'integer' || typeof raw !== 'string') continue;
      if (raw.trim() !== '' && Number(raw) !== Infinity && Number(raw) !== -Infinity) continue;
      const allowed = allowedValues(property);
      throw new ParameterError(name, `${label} "${name}" must be a finite integer`, allowed);
    }
  }
}

interface PropertiesSchema {
  properties?: Record<string, Record<string, unknown>>;
}

/**
 * Validates JSON bodies without the type coercion query strings need: in JSON, "2", true and
 * null are not numbers, and coercing them would accept {"seed": null} as seed 0. The options
 * are otherwise those of the app's own validator (app.ts). Use as a route's validatorCompiler.
 */
const strictValidator = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  verbose: true,
});

export function compileStrict({ schema }: { schema: object }) {
  return strictValidator.compile(schema);
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
