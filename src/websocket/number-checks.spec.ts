import { nonNegativeNumber, positiveInteger, positiveNumber } from './number-checks.js';

describe('protocol option checks', () => {
  it('hands back a value in range', () => {
    expect(positiveInteger(3, 'maxPayload')).toBe(3);
    expect(positiveNumber(0.5, 'heartbeat interval')).toBe(0.5);
    expect(nonNegativeNumber(0, 'closeTimeoutMs')).toBe(0);
  });

  it('throws a RangeError worded like the rest of the service', () => {
    expect(() => positiveInteger(2.5, 'maxPayload')).toThrow(
      new RangeError('maxPayload must be a positive integer, got 2.5'),
    );
    expect(() => positiveNumber(Infinity, 'heartbeat interval')).toThrow(
      new RangeError('heartbeat interval must be a positive number, got Infinity'),
    );
    expect(() => nonNegativeNumber(Number.NaN, 'closeTimeoutMs')).toThrow(
      new RangeError('closeTimeoutMs must be a number >= 0, got NaN'),
    );
  });
});
