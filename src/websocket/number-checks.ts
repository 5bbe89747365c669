/**
 * Checks of the protocol layer's numeric options. This layer imports nothing from the rest of
 * the service, so it has its own; the wording is the service's (src/common/number-checks.ts).
 */
function refuse(name: string, value: number, words: string): never {
  throw new RangeError(`${name} must be ${words}, got ${value}`);
}

export function positiveInteger(value: number, name: string): number {
  return Number.isInteger(value) && value >= 1 ? value : refuse(name, value, 'a positive integer');
}

export function positiveNumber(value: number, name: string): number {
  return Number.isFinite(value) && value > 0 ? value : refuse(name, value, 'a positive number');
}

export function nonNegativeNumber(value: number, name: string): number {
  return Number.isFinite(value) && value >= 0 ? value : refuse(name, value, 'a number >= 0');
}
