import { exceedsJsonDepth } from './json-depth.js';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

/** Both forms the scanner reads: the frame's text and its UTF-8 bytes. */
const forms = (json: string): (string | Buffer)[] => [json, Buffer.from(json)];

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, scalars being depth 0', () => {
    for (const json of forms('{"event":"join","data":{"room":"lobby","ids":[1,2]}}')) {
      expect(exceedsJsonDepth(json, 3)).toBe(false);
      expect(exceedsJsonDepth(json, 2)).toBe(true);
    }
    for (const json of forms('"text"')) expect(exceedsJsonDepth(json, 1)).toBe(false);
    for (const json of forms('[]')) expect(exceedsJsonDepth(json, 1)).toBe(false);
  });

  it('stops at the first level beyond the limit, whatever follows', () => {
    for (const json of forms(nested(500_000))) expect(exceedsJsonDepth(json, 64)).toBe(true);
    for (const json of forms('{"a":'.repeat(65) + 'garbage')) expect(exceedsJsonDepth(json, 64)).toBe(true);
    for (const json of forms(nested(64, '{"a":', '}'))) expect(exceedsJsonDepth(json, 64)).toBe(false);
  });

  it('measures depth, not how many containers there are', () => {
    const wide = '[' + Array.from({ length: 10_000 }, () => '[[]]').join(',') + ']';
    for (const json of forms(wide)) {
      expect(exceedsJsonDepth(json, 3)).toBe(false);
      expect(exceedsJsonDepth(json, 2)).toBe(true);
    }
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    const json = JSON.stringify({ text: '[[[[{{{{ \\" \\\\ " ]]] \u00e9\u{1f600} [[[', tail: [[1]] });
    for (const form of forms(json)) {
      expect(exceedsJsonDepth(form, 3)).toBe(false);
      expect(exceedsJsonDepth(form, 2)).toBe(true);
    }
    // A string ending in an escaped backslash ends there: the brackets after it count.
    for (const form of forms('["\\\\",[[[]]]]')) expect(exceedsJsonDepth(form, 3)).toBe(true);
  });

  it('cannot be talked down by closing brackets before the opening ones', () => {
    for (const json of forms(']'.repeat(100) + nested(10))) expect(exceedsJsonDepth(json, 5)).toBe(true);
  });

  it('agrees with the depth of what JSON.parse builds', () => {
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    const samples = ['[]', '{}', '[[],[[]],{"a":[{"b":"]"}]}]', '{"x":"{{{","y":[1,[2,[3,[4]]]]}', '7'];
    for (const sample of samples) {
      const depth = depthOf(JSON.parse(sample));
      expect(exceedsJsonDepth(sample, Math.max(depth, 1))).toBe(false);
      if (depth > 1) expect(exceedsJsonDepth(sample, depth - 1)).toBe(true);
    }
  });
});
