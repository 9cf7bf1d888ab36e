import { InvalidArgumentError } from 'commander';

/**
 * Option parsers for commander that reject bad values with a message naming what was
 * expected; commander prefixes it with the option's name.
 */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`must be an integer ${range}, got "${value}"`);
    }
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`must be a positive number, got "${value}"`);
  }
  return n;
}

/** A number from `min` to `max`, both included. */
export function numberIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** A model folder's name inside --models: a path here would be joined onto --models. */
export function folderName(value: string): string {
  if (value === '' || /[/\\]/.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(
      `must be the name of a folder inside --models, got "${value}"; for a model elsewhere, ` +
        'give its parent folder as --models and its folder name as --model',
    );
  }
  return value;
}
