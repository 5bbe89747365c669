import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { isValidUtf8, UTF8_ACCEPT, UTF8_REJECT, utf8Step } from './utf8.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('utf8', () => {
  describe('isValidUtf8', () => {
    it.each([
      ['the empty string', ''],
      ['ASCII', '48 65 6c 6c 6f'],
      ['a 2-byte character (U+00E9)', 'c3 a9'],
      ['a 3-byte character (U+20AC)', 'e2 82 ac'],
      ['a 4-byte character (U+1D11E)', 'f0 9d 84 9e'],
      ['the last code point before the surrogates (U+D7FF)', 'ed 9f bf'],
      ['the first code point after the surrogates (U+E000)', 'ee 80 80'],
      ['U+FFFF', 'ef bf bf'],
      ['the largest code point (U+10FFFF)', 'f4 8f bf bf'],
      ['the smallest 2-, 3- and 4-byte forms', 'c2 80 e0 a0 80 f0 90 80 80'],
    ])('accepts %s', (_name, bytes) => {
      expect(isValidUtf8(hex(bytes))).toBe(true);
    });

    it.each([
      ['an overlong 2-byte NUL', 'c0 80'],
      ['an overlong 2-byte form with C1', 'c1 bf'],
      ['an overlong 3-byte form', 'e0 80 80'],
      ['the largest overlong 3-byte form', 'e0 9f bf'],
      ['an overlong 4-byte form', 'f0 80 80 80'],
      ['the largest overlong 4-byte form', 'f0 8f bf bf'],
      ['the first high surrogate (U+D800)', 'ed a0 80'],
      ['the last low surrogate (U+DFFF)', 'ed bf bf'],
      ['a surrogate pair encoded as two characters (CESU-8)', 'ed a0 bd ed b2 a9'],
      ['a code point above U+10FFFF', 'f4 90 80 80'],
      ['a lead byte F5', 'f5 80 80 80'],
      ['the byte FF', 'ff'],
      ['a lone continuation byte', '80'],
      ['a continuation byte after a complete character', 'c3 a9 a9'],
      ['a 2-byte sequence missing its last byte', 'c3'],
      ['a 3-byte sequence missing its last byte', 'e2 82'],
      ['a 4-byte sequence missing its last byte', 'f0 9d 84'],
      ['a lead byte followed by ASCII', 'e2 41 42'],
    ])('rejects %s', (_name, bytes) => {
      expect(isValidUtf8(hex(bytes))).toBe(false);
    });

    it('rejects an invalid byte in the middle of a long ASCII text (native fast path)', () => {
      const bytes = Buffer.from('a'.repeat(500) + 'b'.repeat(500));
      expect(isValidUtf8(bytes)).toBe(true);
      bytes[700] = 0xc0;
      expect(isValidUtf8(bytes)).toBe(false);
    });
  });

  describe('utf8Step', () => {
    it('fails at the first invalid byte without waiting for the end of the input', () => {
      let state = utf8Step(UTF8_ACCEPT, hex('48 69 ed'));
      expect(state).not.toBe(UTF8_ACCEPT);
      expect(state).not.toBe(UTF8_REJECT);
      state = utf8Step(state, hex('a0'));
      expect(state).toBe(UTF8_REJECT);
    });

    it('rejects an overlong form at its second byte', () => {
      expect(utf8Step(utf8Step(UTF8_ACCEPT, hex('e0')), hex('9f'))).toBe(UTF8_REJECT);
    });

    it('stays rejected once rejected', () => {
      expect(utf8Step(UTF8_REJECT, hex('41'))).toBe(UTF8_REJECT);
    });

    it('accepts a character split across pieces', () => {
      let state = utf8Step(UTF8_ACCEPT, hex('f0 9d'));
      state = utf8Step(state, hex('84'));
      state = utf8Step(state, hex('9e 41'));
      expect(state).toBe(UTF8_ACCEPT);
    });

    it('validates only the given range', () => {
      const bytes = hex('ff 41 42 ff');
      expect(utf8Step(UTF8_ACCEPT, bytes, 1, 3)).toBe(UTF8_ACCEPT);
    });

    it('accepts a long piece that ends mid-character and completes in the next one', () => {
      const text = Buffer.from('x'.repeat(100) + '€');
      const state = utf8Step(UTF8_ACCEPT, text.subarray(0, 101));
      expect(state).not.toBe(UTF8_REJECT);
      expect(utf8Step(state, text.subarray(101))).toBe(UTF8_ACCEPT);
    });

    it('agrees with the native validator on random bytes under any split', () => {
      const byteLike = fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xa0, 0x90, 0x8f),
      );
      fc.assert(
        fc.property(fc.array(byteLike, { maxLength: 200 }), fc.nat(), (values, cut) => {
          const bytes = Uint8Array.from(values);
          const at = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
          const state = utf8Step(utf8Step(UTF8_ACCEPT, bytes, 0, at), bytes, at, bytes.length);
          expect(state === UTF8_ACCEPT).toBe(isUtf8(bytes));
        }),
        { numRuns: 2000 },
      );
    });

    it('accepts any Unicode string split at any byte', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.nat(), (text, cut) => {
          const bytes = Buffer.from(text);
          const at = cut % (bytes.length + 1);
          const state = utf8Step(utf8Step(UTF8_ACCEPT, bytes.subarray(0, at)), bytes.subarray(at));
          expect(state).toBe(UTF8_ACCEPT);
        }),
      );
    });
  });
});
