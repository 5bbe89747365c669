/**
 * Latency histogram in microseconds with about 3% relative precision: values below 64 µs get a
 * bucket each, above that every power of two is split into 32 linear sub-buckets. Recording is
 * a few integer operations and no allocation, so a load generator can record every message;
 * histograms from several processes merge by adding counts.
 */
const LINEAR_LIMIT = 64;
const SUB_BUCKET_BITS = 5;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
/** log2(LINEAR_LIMIT): the first exponent that uses sub-buckets. */
const FIRST_EXPONENT = 6;
/** Values are clamped below 2^31 µs (about 36 minutes). */
const MAX_VALUE = 0x7fff_ffff;
const BUCKET_COUNT = LINEAR_LIMIT + (31 - FIRST_EXPONENT) * SUB_BUCKETS;
export function bucketOf(micros) {
    const value = micros <= 0 ? 0 : micros >= MAX_VALUE ? MAX_VALUE : micros | 0;
    if (value < LINEAR_LIMIT)
        return value;
    const exponent = 31 - Math.clz32(value);
    const sub = (value >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
    return LINEAR_LIMIT + (exponent - FIRST_EXPONENT) * SUB_BUCKETS + sub;
}
/** The smallest value that falls into `bucket`. */
export function bucketLowerBound(bucket) {
    if (bucket < LINEAR_LIMIT)
        return bucket;
    const exponent = FIRST_EXPONENT + Math.floor((bucket - LINEAR_LIMIT) / SUB_BUCKETS);
    const sub = (bucket - LINEAR_LIMIT) % SUB_BUCKETS;
    return (SUB_BUCKETS + sub) * 2 ** (exponent - SUB_BUCKET_BITS);
}
function bucketMidpoint(bucket) {
    if (bucket < LINEAR_LIMIT)
        return bucket;
    return (bucketLowerBound(bucket) + bucketLowerBound(bucket + 1)) / 2;
}
export class Histogram {
    constructor() {
        this.counts = new Float64Array(BUCKET_COUNT);
        this.total = 0;
    }
    get count() {
        return this.total;
    }
    record(micros) {
        this.counts[bucketOf(micros)]++;
        this.total++;
    }
    reset() {
        this.counts.fill(0);
        this.total = 0;
    }
    snapshot() {
        const pairs = [];
        for (let i = 0; i < BUCKET_COUNT; i++)
            if (this.counts[i] > 0)
                pairs.push([i, this.counts[i]]);
        return pairs;
    }
    add(snapshot) {
        for (const [bucket, count] of snapshot) {
            this.counts[bucket] += count;
            this.total += count;
        }
    }
    /** The value at quantile `q` (0..1) in µs, as its bucket's midpoint; NaN when empty. */
    quantile(q) {
        if (this.total === 0)
            return Number.NaN;
        const rank = Math.max(1, Math.ceil(q * this.total));
        let seen = 0;
        for (let i = 0; i < BUCKET_COUNT; i++) {
            seen += this.counts[i];
            if (seen >= rank)
                return bucketMidpoint(i);
        }
        return bucketMidpoint(BUCKET_COUNT - 1);
    }
    static from(snapshots) {
        const histogram = new Histogram();
        for (const snapshot of snapshots)
            histogram.add(snapshot);
        return histogram;
    }
}
//# sourceMappingURL=histogram.js.map