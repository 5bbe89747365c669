import {
  nonNegativeInteger,
  nonNegativeNumber,
  numberProblem,
  positiveInteger,
  positiveNumber,
} from './number-checks.js';

describe('number checks', () => {
  it('returns a value that holds and refuses one that does not, naming the option', () => {
    const cases = [
      { check: positiveInteger, good: [1, 7], bad: [0, -1, 1.5, Number.NaN, Infinity], words: 'a positive integer' },
      { check: positiveNumber, good: [0.5, 3], bad: [0, -0.5, Number.NaN, Infinity], words: 'a positive number' },
      { check: nonNegativeInteger, good: [0, 9], bad: [-1, 0.5, Number.NaN, Infinity], words: 'an integer >= 0' },
      { check: nonNegativeNumber, good: [0, 0.25], bad: [-0.25, Number.NaN, Infinity], words: 'a number >= 0' },
    ];
    for (const { check, good, bad, words } of cases) {
      for (const value of good) expect(check(value, 'limit')).toBe(value);
      for (const value of bad) {
        expect(() => check(value, 'opt.limit')).toThrow(new RangeError(`opt.limit must be ${words}, got ${value}`));
      }
    }
  });

  it('reports a problem as text for callers that gather every problem', () => {
    expect(numberProblem('positiveInteger', 2, 'maxNameLength')).toBeUndefined();
    expect(numberProblem('nonNegativeNumber', -1, 'jwks.timeoutMs')).toBe(
      'jwks.timeoutMs must be a number >= 0, got -1',
    );
  });
});
