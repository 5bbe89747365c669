import { exceedsDepth } from './payload-depth.js';

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('exceedsDepth', () => {
  it('counts arrays and objects; scalars and null are depth 0', () => {
    for (const scalar of [null, undefined, 0, 'x', true]) expect(exceedsDepth(scalar, 0)).toBe(false);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth({}, 0)).toBe(true);
    expect(exceedsDepth({ a: [1, { b: 'c' }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [1, { b: 'c' }] }, 2)).toBe(true);
  });

  it('walks 500,000 levels without recursion', () => {
    const deep = JSON.parse('['.repeat(500_000) + ']'.repeat(500_000)) as unknown;
    expect(exceedsDepth(deep, 8)).toBe(true);
    expect(exceedsDepth(nestedArrays(8), 8)).toBe(false);
    expect(exceedsDepth(nestedArrays(9), 8)).toBe(true);
  });

  it('looks at every branch, not only the first', () => {
    expect(exceedsDepth({ a: 1, b: [], c: { d: nestedArrays(8) } }, 9)).toBe(true);
    expect(exceedsDepth([[], [[]], 1, nestedArrays(3)], 4)).toBe(false);
  });
});
