import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, medianOf, ratio } from './stats.js';

describe('stats', () => {
  it('takes the median of odd and even counts, skipping non-finite values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([Number.NaN, 5]), 5);
    assert.ok(Number.isNaN(median([])));
  });

  it('gives NaN ratios for missing or non-positive references', () => {
    assert.equal(ratio(6, 3), 2);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(undefined, 2)));
    assert.ok(Number.isNaN(ratio(1, Number.NaN)));
  });

  it('takes medians field by field', () => {
    assert.deepEqual(
      medianOf(
        [
          { a: 1, b: 10 },
          { a: 3, b: 30 },
          { a: 2, b: 20 },
        ],
        ['a', 'b'],
      ),
      { a: 2, b: 20 },
    );
  });
});
