/** Number formatting shared by the table and the chart; NaN shows as "n/a". */
export function formatInteger(value) {
    return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}
/** 3 significant digits with k / M suffixes: 1.23 M, 456 k, 7.89 k, 512. */
export function formatCompact(value) {
    if (!Number.isFinite(value))
        return 'n/a';
    const abs = Math.abs(value);
    if (abs >= 1e6)
        return `${(value / 1e6).toPrecision(3)} M`;
    if (abs >= 1e3)
        return `${(value / 1e3).toPrecision(3)} k`;
    return abs >= 100 ? String(Math.round(value)) : value.toPrecision(3);
}
export function formatDecimal(value, digits = 1) {
    return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
/** Latencies in µs, switching to ms above 10 ms. */
export function formatMicros(value) {
    if (!Number.isFinite(value))
        return 'n/a';
    if (value >= 10_000)
        return `${(value / 1000).toFixed(1)} ms`;
    return value >= 100 ? `${Math.round(value)} µs` : `${value.toFixed(1)} µs`;
}
export function formatPercent(value) {
    return Number.isFinite(value) ? `${Math.round(value)}%` : 'n/a';
}
export function formatRatio(value) {
    return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}
//# sourceMappingURL=format.js.map