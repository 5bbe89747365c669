import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketLowerBound, bucketOf, Histogram } from './histogram.js';

describe('Histogram', () => {
  it('keeps every value below 64 µs exact', () => {
    for (let v = 0; v < 64; v++) assert.equal(bucketLowerBound(bucketOf(v)), v);
  });

  it('puts every value in a bucket within 1/32 of it', () => {
    for (const v of [64, 65, 100, 127, 128, 1000, 4095, 65_537, 1_000_000, 2 ** 30]) {
      const low = bucketLowerBound(bucketOf(v));
      const high = bucketLowerBound(bucketOf(v) + 1);
      assert.ok(low <= v && v < high, `${v} in [${low}, ${high})`);
      assert.ok((high - low) / low <= 1 / 32 + 1e-12, `${v}: bucket width ${high - low}`);
    }
  });

  it('clamps negative and huge values instead of failing', () => {
    const histogram = new Histogram();
    histogram.record(-5);
    histogram.record(1e12);
    assert.equal(histogram.count, 2);
    assert.equal(histogram.quantile(0), 0);
  });

  it('answers quantiles of a uniform 1..1000 within bucket precision', () => {
    const histogram = new Histogram();
    for (let v = 1; v <= 1000; v++) histogram.record(v);
    assert.ok(Math.abs(histogram.quantile(0.5) - 500) <= 500 / 32);
    assert.ok(Math.abs(histogram.quantile(0.99) - 990) <= 990 / 32);
    assert.ok(Number.isNaN(new Histogram().quantile(0.5)));
  });

  it('merges snapshots from several processes by adding counts', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 10; i++) a.record(10);
    for (let i = 0; i < 30; i++) b.record(2000);
    const merged = Histogram.from([a.snapshot(), b.snapshot()]);
    assert.equal(merged.count, 40);
    assert.equal(merged.quantile(0.2), 10);
    assert.ok(Math.abs(merged.quantile(0.9) - 2000) <= 2000 / 32);
  });
});
