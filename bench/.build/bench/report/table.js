import { machineLine } from '../machine.js';
import { ratio } from '../stats.js';
import { TARGET_NAMES } from '../targets.js';
import { formatCompact, formatDecimal, formatInteger, formatMicros, formatPercent, formatRatio, } from './format.js';
/** Markdown tables of a results file: what the bench prints and writes to results.md. */
function table(header, rows, rightFrom = 1) {
    const align = header.map((_, i) => (i >= rightFrom ? '---:' : '---'));
    return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
function sizeLabel(bytes) {
    return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}
/** The targets present, in the canonical order. */
function present(byTarget) {
    return TARGET_NAMES.filter((name) => byTarget[name] !== undefined);
}
/** The median of `key`, or NaN for a target that has no successful run. */
function value(byTarget, name, key) {
    const entry = byTarget[name];
    return entry !== undefined && entry.runs.length > 0 ? entry.median[key] : Number.NaN;
}
/** "2.71x / 1.20x" ratios of `key` against platform-ws and ws (inverted for lower-is-better). */
function ratios(byTarget, name, key) {
    const mine = value(byTarget, name, key);
    return [formatRatio(ratio(mine, value(byTarget, 'platform-ws', key))), formatRatio(ratio(mine, value(byTarget, 'ws', key)))];
}
function failures(byTarget, name) {
    const entry = byTarget[name];
    if (entry === undefined || entry.failures.length === 0)
        return '';
    return ` (${entry.failures.length} failed run${entry.failures.length > 1 ? 's' : ''})`;
}
/** "99% (61% sys)": server CPU with its kernel share. */
function serverCpu(byTarget, name) {
    const system = value(byTarget, name, 'serverSystemCpu');
    const cpu = formatPercent(value(byTarget, name, 'serverCpu'));
    return Number.isFinite(system) ? `${cpu} (${formatPercent(system)} sys)` : cpu;
}
function goalTable(goals) {
    return table(['goal', 'measured', 'required', ''], goals.map((goal) => {
        const isCount = goal.max === 0;
        const measured = isCount ? formatInteger(goal.ratio) : formatRatio(goal.ratio);
        const required = goal.min !== undefined ? `≥ ${goal.min}x` : isCount ? '0' : `≤ ${goal.max}x`;
        const verdict = goal.pass === null ? 'not measured' : goal.pass ? 'met' : 'NOT met';
        return [goal.goal, measured, required, verdict];
    }));
}
function echoTable(results) {
    const rows = [];
    for (const { cell, targets } of results.echo) {
        for (const name of present(targets)) {
            const key = cell.size >= 65_536 ? 'megabytesPerSec' : 'messagesPerSec';
            const [vsPlatform, vsWs] = ratios(targets, name, key);
            rows.push([
                `${cell.path} ${cell.connections}x${cell.inFlight} ${sizeLabel(cell.size)}`,
                name + failures(targets, name),
                formatInteger(value(targets, name, 'messagesPerSec')),
                formatDecimal(value(targets, name, 'megabytesPerSec')),
                formatMicros(value(targets, name, 'p50')),
                formatMicros(value(targets, name, 'p99')),
                serverCpu(targets, name),
                formatDecimal(value(targets, name, 'serverCpuMicrosPerMessage'), 2),
                formatPercent(value(targets, name, 'loadCpu')),
                vsPlatform,
                vsWs,
            ]);
        }
    }
    return table(['cell', 'target', 'msg/s', 'MB/s', 'p50', 'p99', 'server CPU', 'CPU µs/msg', 'load CPU', 'vs platform-ws', 'vs ws'], rows, 2);
}
function broadcastTable(results) {
    const rows = [];
    for (const { receivers, targets } of results.broadcast) {
        for (const name of present(targets)) {
            const [cpuVsPlatform, cpuVsWs] = ratios(targets, name, 'serverCpuMicrosPerDelivery');
            const [, p99VsWs] = ratios(targets, name, 'p99');
            rows.push([
                receivers.toLocaleString('en-US'),
                name + failures(targets, name),
                formatInteger(value(targets, name, 'deliveriesPerSec')),
                formatInteger(value(targets, name, 'receivedPerSec')),
                serverCpu(targets, name),
                formatDecimal(value(targets, name, 'serverCpuMicrosPerDelivery'), 3),
                formatPercent(value(targets, name, 'loadCpu')),
                formatInteger(value(targets, name, 'maxRateLoss')),
                formatInteger(value(targets, name, 'fixedRatePerSec')),
                formatMicros(value(targets, name, 'p50')),
                formatMicros(value(targets, name, 'p99')),
                formatInteger(value(targets, name, 'fixedRateLoss')),
                cpuVsPlatform,
                cpuVsWs,
                p99VsWs,
            ]);
        }
    }
    return table([
        'receivers',
        'target',
        'deliveries/s (max)',
        'read/s',
        'server CPU',
        'CPU µs/delivery',
        'load CPU',
        'lost',
        'fixed rate/s',
        'p50',
        'p99',
        'lost',
        'CPU/delivery vs platform-ws',
        'vs ws',
        'p99 vs ws',
    ], rows, 2);
}
function idleTable(results) {
    const rows = [];
    for (const { connections, targets } of results.idle) {
        for (const name of present(targets)) {
            const [vsPlatform, vsWs] = ratios(targets, name, 'rssPerConnectionKiB');
            rows.push([
                connections.toLocaleString('en-US'),
                name + failures(targets, name),
                formatDecimal(value(targets, name, 'rssPerConnectionKiB'), 2),
                formatDecimal(value(targets, name, 'rssMiB')),
                formatDecimal(value(targets, name, 'baselineRssMiB')),
                vsPlatform,
                vsWs,
            ]);
        }
    }
    return table(['connections', 'target', 'KiB/connection', 'RSS MiB', 'baseline MiB', 'vs platform-ws', 'vs ws'], rows, 2);
}
function handshakeTable(results) {
    const handshake = results.handshake;
    if (handshake === undefined)
        return '';
    const { targets } = handshake;
    return table(['target', 'handshakes/s', 'server CPU', 'CPU µs/handshake', 'load CPU', 'failed', 'vs platform-ws', 'vs ws'], present(targets).map((name) => {
        const [vsPlatform, vsWs] = ratios(targets, name, 'handshakesPerSec');
        return [
            name + failures(targets, name),
            formatInteger(value(targets, name, 'handshakesPerSec')),
            serverCpu(targets, name),
            formatDecimal(value(targets, name, 'serverCpuMicrosPerHandshake')),
            formatPercent(value(targets, name, 'loadCpu')),
            formatInteger(value(targets, name, 'errors')),
            vsPlatform,
            vsWs,
        ];
    }));
}
function microTable(rows) {
    const sizes = [...new Set(rows.map((row) => row.size))].sort((a, b) => a - b);
    const names = [...new Set(rows.map((row) => `${row.group}: ${row.name}`))];
    return table(['MB/s', ...sizes.map(sizeLabel)], names.map((name) => [
        name,
        ...sizes.map((size) => {
            const row = rows.find((r) => `${r.group}: ${r.name}` === name && r.size === size);
            return row === undefined ? '' : formatCompact(row.megabytesPerSec);
        }),
    ]));
}
/** How far the load generator is from being the bottleneck, from the raw echo calibration. */
export function loadGeneratorNote(results) {
    const lines = [];
    for (const { cell, targets } of results.echo) {
        if (cell.connections === 1 || targets.raw === undefined)
            continue;
        const raw = value(targets, 'raw', 'messagesPerSec');
        const best = Math.max(...['ours', 'platform-ws', 'ws'].map((name) => value(targets, name, 'messagesPerSec')).filter(Number.isFinite));
        lines.push(`- ${cell.path} ${cell.connections}x${cell.inFlight} ${sizeLabel(cell.size)}: ${formatInteger(raw)} msg/s against raw net echo ` +
            `with the load generator at ${formatPercent(value(targets, 'raw', 'loadCpu'))} of a core; ` +
            `fastest WebSocket target ${formatInteger(best)} msg/s (${formatRatio(ratio(raw, best))} headroom)`);
    }
    return lines.join('\n');
}
export function renderMarkdown(results) {
    const sections = [
        '# WebSocket benchmark',
        '',
        `${results.date} · ${machineLine(results.machine)}`,
        '',
        `Mode ${results.mode}: ${results.repeats} run(s) per measurement (medians), ${results.warmupSeconds} s warm-up + ` +
            `${results.measureSeconds} s measured per run. CPU in % of one core, read from /proc; ratios are ours-or-row / reference.`,
    ];
    if (results.goals.length > 0)
        sections.push('', '## Goals (issue #7)', '', goalTable(results.goals));
    if (results.echo.length > 0) {
        sections.push('', '## A. Echo', '', echoTable(results));
        const note = loadGeneratorNote(results);
        if (note)
            sections.push('', 'Load generator (never the bottleneck):', '', note);
    }
    if (results.broadcast.length > 0) {
        sections.push('', '## B. Broadcast fan-out', '', 'Max rate: deliveries the server completed per second (publisher acknowledgements x receivers) and what the ' +
            'load generator read; then a fixed rate with end-to-end latency. "lost": deliveries missing after a drain.', '', broadcastTable(results));
    }
    if (results.idle.length > 0)
        sections.push('', '## C. Idle connections (RSS after a full GC)', '', idleTable(results));
    if (results.handshake !== undefined) {
        sections.push('', `## D. Handshakes (${results.handshake.path}, connect + upgrade + close)`, '', handshakeTable(results));
    }
    if (results.micro.length > 0)
        sections.push('', '## Microbenchmarks (tinybench, MB/s of payload)', '', microTable(results.micro));
    return `${sections.join('\n')}\n`;
}
//# sourceMappingURL=table.js.map