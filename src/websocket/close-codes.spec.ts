import { isValidCloseCode } from './close-codes.js';

describe('isValidCloseCode', () => {
  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])(
    'accepts %i on the wire',
    (code) => {
      expect(isValidCloseCode(code)).toBe(true);
    },
  );

  it.each([0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])(
    'rejects %i on the wire',
    (code) => {
      expect(isValidCloseCode(code)).toBe(false);
    },
  );
});
