import fc from 'fast-check';
import { applyMask, copyUnmasked } from './mask.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('applyMask', () => {
  it('masks "Hello" with the key of the RFC 6455 example (section 5.7)', () => {
    const payload = Buffer.from('Hello');
    applyMask(payload, 0x37fa213d);
    expect(payload).toEqual(hex('7f 9f 4d 51 58'));
  });

  it('unmasks what it masked', () => {
    const payload = hex('7f 9f 4d 51 58');
    applyMask(payload, 0x37fa213d);
    expect(payload.toString()).toBe('Hello');
  });

  it('leaves an empty payload alone', () => {
    const payload = Buffer.alloc(0);
    applyMask(payload, 0xffffffff);
    expect(payload.length).toBe(0);
  });

  it('continues the key where the previous piece stopped', () => {
    const whole = Buffer.from('Hello, world');
    const pieces = Buffer.from(whole);
    applyMask(whole, 0x01020304);
    applyMask(pieces.subarray(0, 3), 0x01020304, 0);
    applyMask(pieces.subarray(3, 5), 0x01020304, 3);
    applyMask(pieces.subarray(5), 0x01020304, 5);
    expect(pieces).toEqual(whole);
  });

  it('gives the same result piece by piece as in one go, for any key and split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (bytes, key, cuts) => {
          const whole = Buffer.from(bytes);
          applyMask(whole, key);
          const pieces = Buffer.from(bytes);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          let start = 0;
          for (const end of [...points, bytes.length]) {
            applyMask(pieces.subarray(start, end), key, start);
            start = end;
          }
          expect(pieces).toEqual(whole);
          // XOR twice is the identity.
          applyMask(whole, key);
          expect(whole).toEqual(Buffer.from(bytes));
        },
      ),
    );
  });

  it.each([
    ['32-bit', 60, 300],
    ['64-bit', 1000, 1100],
  ])(
    'matches a byte-by-byte reference on large buffers (%s words) at any alignment and key offset',
    (_words, minLength, maxLength) => {
      const reference = (bytes: Uint8Array, key: number, offset: number): void => {
        for (let i = 0; i < bytes.length; i++) bytes[i] ^= (key >>> (24 - 8 * ((offset + i) & 3))) & 0xff;
      };
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength, maxLength }),
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0, max: 11 }),
          (bytes, start, key, offset) => {
            const backing = new Uint8Array(bytes.length + 8);
            const view = backing.subarray(start, start + bytes.length);
            view.set(bytes);
            const expected = Uint8Array.from(bytes);
            reference(expected, key, offset);
            applyMask(view, key, offset);
            expect(Buffer.from(view).equals(Buffer.from(expected))).toBe(true);
            // Bytes around the view are untouched.
            expect(backing.subarray(0, start).every((b) => b === 0)).toBe(true);
            expect(backing.subarray(start + bytes.length).every((b) => b === 0)).toBe(true);
          },
        ),
        { numRuns: 500 },
      );
    },
  );
});

describe('copyUnmasked', () => {
  it('copies the RFC 6455 example unmasked, leaving the source as it was', () => {
    const source = hex('00 7f 9f 4d 51 58 00');
    const target = Buffer.alloc(8);
    copyUnmasked(source, 1, target, 2, 5, 0x37fa213d, 0);
    expect(target.subarray(2, 7).toString()).toBe('Hello');
    expect(source).toEqual(hex('00 7f 9f 4d 51 58 00'));
  });

  it('agrees with applyMask at every size, key offset and position, both sides of the loop limit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2100 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.nat(7),
        fc.nat(9),
        (bytes, key, keyOffset, targetStart) => {
          const expected = Buffer.from(bytes);
          applyMask(expected, key, keyOffset);
          const target = Buffer.alloc(targetStart + bytes.length);
          copyUnmasked(bytes, 0, target, targetStart, bytes.length, key, keyOffset);
          expect(target.subarray(targetStart).equals(expected)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
