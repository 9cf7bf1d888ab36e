import type { Generator } from '../models/generator.js';
import { ParameterError } from './errors.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * The model a request's ?model names, or the default. Only the in-memory registry is asked, so
 * no request value ever reaches the file system. The routes' schemas already refuse unknown
 * names; this check keeps the lookup safe for any caller that skips them.
 */
export function chooseModel(registry: ModelRegistry, name: string | undefined): Generator {
  if (name === undefined) return registry.default;
  const generator = registry.find(name);
  if (!generator) {
    const message = `query parameter "model" names no loaded model: "${name}"`;
    throw new ParameterError('model', message, registry.names.join(', '));
  }
  return generator;
}

/**
 * Checks a request's ?digit against the model that will draw: an unconditional model takes no
 * digit, a conditional one only the classes it was trained on. Returns the digit, if any.
 */
export function checkDigit(
  registry: ModelRegistry,
  generator: Generator,
  digit: number | undefined,
  source = { parameter: 'digit', label: 'query parameter "digit"' },
): number | undefined {
  if (digit === undefined) return undefined;
  if (!generator.conditional) {
    const conditional = registry.models.filter((model) => model.conditional);
    const instead = conditional.map((model) => `model=${model.name}`).join(' or ');
    throw new ParameterError(
      source.parameter,
      `${source.label} does not apply: model ${generator.name} is not conditional; ` +
        `leave digit out${instead ? `, or ask ${instead}` : ''}`,
    );
  }
  const classes = generator.architecture.classes;
  if (digit >= classes) {
    const message = `${source.label} must be < ${classes} for model ${generator.name}`;
    throw new ParameterError(source.parameter, message, `an integer from 0 to ${classes - 1}`);
  }
  return digit;
}

/**
 * The digit each seed is drawn as: the asked-for one, else (conditional model) the seed's own,
 * so a seed alone reproduces its image; null throughout for an unconditional model.
 */
export function digitsForSeeds(
  generator: Generator,
  seeds: number[],
  digit: number | undefined,
): (number | null)[] {
  if (!generator.conditional) return seeds.map(() => null);
  return seeds.map((seed) => digit ?? generator.digitForSeed(seed));
}
