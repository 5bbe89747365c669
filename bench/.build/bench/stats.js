/** The median of the finite values, NaN when there are none. */
export function median(values) {
    const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
    if (finite.length === 0)
        return Number.NaN;
    const middle = finite.length >> 1;
    return finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}
/** `value / reference`, NaN unless both are finite and the reference is positive. */
export function ratio(value, reference) {
    if (value === undefined || reference === undefined)
        return Number.NaN;
    if (!Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0)
        return Number.NaN;
    return value / reference;
}
/** Median of each numeric field over a list of runs (fields missing from a run are skipped). */
export function medianOf(runs, keys) {
    const result = {};
    for (const key of keys) {
        result[key] = median(runs.map((run) => run[key]).filter((value) => value !== undefined));
    }
    return result;
}
//# sourceMappingURL=stats.js.map