/** The median of the finite values, NaN when there are none. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

/** `value / reference`, NaN unless both are finite and the reference is positive. */
export function ratio(value: number | undefined, reference: number | undefined): number {
  if (value === undefined || reference === undefined) return Number.NaN;
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0) return Number.NaN;
  return value / reference;
}

/** Median of each numeric field over a list of runs (fields missing from a run are skipped). */
export function medianOf<K extends string>(
  runs: ReadonlyArray<Partial<Record<K, number>>>,
  keys: readonly K[],
): Record<K, number> {
  const result = {} as Record<K, number>;
  for (const key of keys) {
    result[key] = median(runs.map((run) => run[key]).filter((value): value is number => value !== undefined));
  }
  return result;
}
