import { medianOf } from '../stats.js';
/** Adds a run (or a failure) to `byTarget[name]` and refreshes its medians. */
export function recordRun(byTarget, name, run) {
    const entry = (byTarget[name] ??= { runs: [], median: {}, failures: [] });
    if (typeof run === 'string')
        entry.failures.push(run);
    else
        entry.runs.push(run);
    if (entry.runs.length > 0) {
        const keys = Object.keys(entry.runs[0]);
        entry.median = medianOf(entry.runs, keys);
    }
}
//# sourceMappingURL=results.js.map