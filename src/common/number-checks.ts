/**
 * The checks of numeric options outside the protocol layer (chat, buses, Redis, auth, HTTP),
 * with one wording for every message. `name` names the option as its caller knows it.
 */
const RULES = {
  positiveInteger: { holds: (value: number) => Number.isInteger(value) && value >= 1, words: 'a positive integer' },
  positiveNumber: { holds: (value: number) => Number.isFinite(value) && value > 0, words: 'a positive number' },
  nonNegativeInteger: { holds: (value: number) => Number.isInteger(value) && value >= 0, words: 'an integer >= 0' },
  nonNegativeNumber: { holds: (value: number) => Number.isFinite(value) && value >= 0, words: 'a number >= 0' },
} as const;

export type NumberRule = keyof typeof RULES;

/** What is wrong with `value` for `rule`, as a sentence naming the option; undefined when nothing is. */
export function numberProblem(rule: NumberRule, value: number, name: string): string | undefined {
  return RULES[rule].holds(value) ? undefined : `${name} must be ${RULES[rule].words}, got ${value}`;
}

function checked(rule: NumberRule, value: number, name: string): number {
  const problem = numberProblem(rule, value, name);
  if (problem !== undefined) throw new RangeError(problem);
  return value;
}

/** `value` when it is an integer >= 1; a RangeError naming the option otherwise. */
export const positiveInteger = (value: number, name: string): number => checked('positiveInteger', value, name);

/** `value` when it is a finite number > 0. */
export const positiveNumber = (value: number, name: string): number => checked('positiveNumber', value, name);

/** `value` when it is an integer >= 0. */
export const nonNegativeInteger = (value: number, name: string): number => checked('nonNegativeInteger', value, name);

/** `value` when it is a finite number >= 0. */
export const nonNegativeNumber = (value: number, name: string): number => checked('nonNegativeNumber', value, name);
