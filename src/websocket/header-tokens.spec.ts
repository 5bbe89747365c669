import fc from 'fast-check';
import { headerHasToken, isToken, parseExtensions, parseTokenList } from './header-tokens.js';

describe('header tokens', () => {
  describe('isToken', () => {
    it.each(['chat', 'v2.chat', "a!#$%&'*+-.^_`|~9Z"])('accepts %s', (value) => {
      expect(isToken(value)).toBe(true);
    });

    it.each(['', 'a b', 'a,b', 'a;b', '"a"', 'a/b', 'é', 'a\tb', 'a=b'])('rejects %j', (value) => {
      expect(isToken(value)).toBe(false);
    });
  });

  describe('parseTokenList', () => {
    it.each([
      ['chat', ['chat']],
      ['chat, superchat', ['chat', 'superchat']],
      [' a ,\tb\t, c ', ['a', 'b', 'c']],
      ['a,,b,', ['a', 'b']],
      ['', []],
      [' , ', []],
    ])('parses %j', (value, expected) => {
      expect(parseTokenList(value)).toEqual(expected);
    });

    it.each(['a b', 'a;b', 'a,"b"', 'chat/1', 'a, b c'])('rejects %j', (value) => {
      expect(parseTokenList(value)).toBeNull();
    });
  });

  describe('headerHasToken', () => {
    it.each([
      ['Upgrade', 'upgrade'],
      ['keep-alive, Upgrade', 'upgrade'],
      ['keep-alive,upgrade ', 'upgrade'],
      ['WebSocket', 'websocket'],
      ['foo/1, websocket', 'websocket'],
    ])('finds the token in %j', (value, token) => {
      expect(headerHasToken(value, token)).toBe(true);
    });

    it.each([
      [undefined, 'upgrade'],
      ['', 'upgrade'],
      ['keep-alive', 'upgrade'],
      ['upgraded', 'upgrade'],
      ['up grade', 'upgrade'],
      ['websocket2', 'websocket'],
    ])('does not find the token in %j', (value, token) => {
      expect(headerHasToken(value, token)).toBe(false);
    });

    it('reads each character of long hostile input a bounded number of times (linear time)', () => {
      /** A string that counts how often its characters are read. */
      class CountingString extends String {
        reads = 0;
        override charCodeAt(index: number): number {
          this.reads++;
          return super.charCodeAt(index);
        }
      }
      for (const hostile of [
        `${' '.repeat(1000)}x${','.repeat(1000)}`,
        `${', '.repeat(1000)}x`,
        `${'\t'.repeat(1000)}${'a'.repeat(1000)}`,
      ]) {
        const counted = new CountingString(hostile);
        headerHasToken(counted as unknown as string, 'upgrade');
        parseTokenList(counted as unknown as string);
        parseExtensions(counted as unknown as string);
        // A forward pass each (4.5 reads a character for the three together, measured): a
        // rescan per character would read each one about a thousand times.
        expect(counted.reads).toBeGreaterThanOrEqual(hostile.length);
        expect(counted.reads).toBeLessThanOrEqual(8 * hostile.length);
      }
    });
  });

  describe('parseExtensions', () => {
    it('parses a bare extension', () => {
      expect(parseExtensions('permessage-deflate')).toEqual([{ name: 'permessage-deflate', params: [] }]);
    });

    it('parses parameters with and without values, in order', () => {
      expect(parseExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits=10')).toEqual([
        {
          name: 'permessage-deflate',
          params: [
            ['client_max_window_bits', true],
            ['server_max_window_bits', '10'],
          ],
        },
      ]);
    });

    it('unquotes quoted values', () => {
      expect(parseExtensions('foo; bar="baz"; q="a\\b"')).toEqual([
        {
          name: 'foo',
          params: [
            ['bar', 'baz'],
            ['q', 'ab'],
          ],
        },
      ]);
    });

    it('parses several offers, including repeats of one extension (RFC 7692 fallbacks)', () => {
      expect(
        parseExtensions('permessage-deflate; client_max_window_bits=10, permessage-deflate, x-webkit-deflate-frame'),
      ).toEqual([
        { name: 'permessage-deflate', params: [['client_max_window_bits', '10']] },
        { name: 'permessage-deflate', params: [] },
        { name: 'x-webkit-deflate-frame', params: [] },
      ]);
    });

    it('tolerates whitespace and empty elements', () => {
      expect(parseExtensions(' , a ;b = 1 ,\tc ,')).toEqual([
        { name: 'a', params: [['b', '1']] },
        { name: 'c', params: [] },
      ]);
    });

    it.each([
      ';',
      'a;',
      'a; =1',
      'a; b=',
      'a; b="unterminated',
      'a; b="not a token"',
      'a; b=1 2',
      'a b',
      'a; b="\\',
      'a=1',
      '"a"',
    ])('rejects %j', (value) => {
      expect(parseExtensions(value)).toBeNull();
    });

    it('never throws on arbitrary input', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 80 }), (value) => {
          const offers = parseExtensions(value);
          if (offers !== null) for (const offer of offers) expect(isToken(offer.name)).toBe(true);
        }),
      );
    });
  });
});
