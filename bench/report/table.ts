import { machineLine } from '../machine.js';
import { ratio } from '../stats.js';
import { TARGET_NAMES, type TargetName } from '../targets.js';
import { formatCompact, formatDecimal, formatInteger, formatMicros, formatPercent, formatRatio } from './format.js';
import { chatFanoutSection } from './fanout-table.js';
import { redisClusterSection } from './cluster-table.js';
import { redisBroadcastSection } from './redis-table.js';
import { redisPublishSection } from './publish-table.js';
import { restPublishSection } from './rest-publish-table.js';
import { rejoinStormSection } from './storm-table.js';
import type { BenchResults, ByTarget, ChatRoundTripResult, EchoRun, GoalResult, MicroRow } from './results.js';

/** Markdown tables of a results file: what the bench prints and writes to results.md. */

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightFrom = 1): string {
  const align = header.map((_, i) => (i >= rightFrom ? '---:' : '---'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/** The targets present, in the canonical order. */
function present<R>(byTarget: ByTarget<R>): TargetName[] {
  return TARGET_NAMES.filter((name) => byTarget[name] !== undefined);
}

/** The median of `key`, or NaN for a target that has no successful run. */
function value<R>(byTarget: ByTarget<R>, name: TargetName, key: keyof R): number {
  const entry = byTarget[name];
  return entry !== undefined && entry.runs.length > 0 ? (entry.median[key] as number) : Number.NaN;
}

/** "2.71x / 1.20x" ratios of `key` against platform-ws and ws (inverted for lower-is-better). */
function ratios<R>(byTarget: ByTarget<R>, name: TargetName, key: keyof R): [string, string] {
  const mine = value(byTarget, name, key);
  return [
    formatRatio(ratio(mine, value(byTarget, 'platform-ws', key))),
    formatRatio(ratio(mine, value(byTarget, 'ws', key))),
  ];
}

function failures<R>(byTarget: ByTarget<R>, name: TargetName): string {
  const entry = byTarget[name];
  if (entry === undefined || entry.failures.length === 0) return '';
  return ` (${entry.failures.length} failed run${entry.failures.length > 1 ? 's' : ''})`;
}

/** "99% (61% sys)": server CPU with its kernel share. */
function serverCpu<R extends { serverCpu: number; serverSystemCpu: number }>(
  byTarget: ByTarget<R>,
  name: TargetName,
): string {
  const system = value(byTarget, name, 'serverSystemCpu');
  const cpu = formatPercent(value(byTarget, name, 'serverCpu'));
  return Number.isFinite(system) ? `${cpu} (${formatPercent(system)} sys)` : cpu;
}

/** Load processes this busy may have held the target back: such rates are lower bounds. */
const LOAD_BOUND_CPU = 90;

function rate<R extends { loadCpu: number }>(byTarget: ByTarget<R>, name: TargetName, key: keyof R): string {
  const text = formatInteger(value(byTarget, name, key));
  return value(byTarget, name, 'loadCpu') >= LOAD_BOUND_CPU ? `${text} (load-bound)` : text;
}

function goalTable(goals: readonly GoalResult[]): string {
  return table(
    ['goal', 'measured', 'required', ''],
    goals.map((goal) => {
      const isCount = goal.max === 0;
      const measured = isCount ? formatInteger(goal.ratio) : formatRatio(goal.ratio);
      const required = goal.min !== undefined ? `≥ ${goal.min}x` : isCount ? '0' : `≤ ${goal.max}x`;
      const verdict = goal.pass === null ? 'not measured' : goal.pass ? 'met' : 'NOT met';
      return [goal.goal, measured, required, verdict];
    }),
  );
}

/** Closed-loop rows: one per cell (a label and its targets) and target. */
function closedLoopTable(
  cells: ReadonlyArray<{ label: string; targets: ByTarget<EchoRun>; byBytes?: boolean }>,
): string {
  const rows: string[][] = [];
  for (const { label, targets, byBytes } of cells) {
    for (const name of present(targets)) {
      const [vsPlatform, vsWs] = ratios(targets, name, byBytes === true ? 'megabytesPerSec' : 'messagesPerSec');
      rows.push([
        label,
        name + failures(targets, name),
        rate(targets, name, 'messagesPerSec'),
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
  return table(
    [
      'cell',
      'target',
      'msg/s',
      'MB/s',
      'p50',
      'p99',
      'server CPU',
      'CPU µs/msg',
      'load CPU',
      'vs platform-ws',
      'vs ws',
    ],
    rows,
    2,
  );
}

function echoTable(results: BenchResults): string {
  return closedLoopTable(
    results.echo.map(({ cell, targets }) => ({
      label: `${cell.path} ${cell.connections}x${cell.inFlight} ${sizeLabel(cell.size)}${cell.deflate === true ? ' deflate' : ''}`,
      targets,
      byBytes: cell.size >= 65_536,
    })),
  );
}

function chatRoundTripTable(results: readonly ChatRoundTripResult[]): string {
  return closedLoopTable(
    results.map(({ measure, targets }) => ({
      label: measure === 'ack' ? '/chat message -> ack' : '/chat message -> other member',
      targets,
    })),
  );
}

function broadcastTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const { receivers, targets } of results.broadcast) {
    for (const name of present(targets)) {
      const [cpuVsPlatform, cpuVsWs] = ratios(targets, name, 'serverCpuMicrosPerDelivery');
      const [, p99VsWs] = ratios(targets, name, 'p99');
      rows.push([
        receivers.toLocaleString('en-US'),
        name + failures(targets, name),
        rate(targets, name, 'deliveriesPerSec'),
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
  return table(
    [
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
    ],
    rows,
    2,
  );
}

function idleTable(results: BenchResults): string {
  const rows: string[][] = [];
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
  return table(
    ['connections', 'target', 'KiB/connection', 'RSS MiB', 'baseline MiB', 'vs platform-ws', 'vs ws'],
    rows,
    2,
  );
}

function handshakeTable(results: BenchResults): string {
  const handshake = results.handshake;
  if (handshake === undefined) return '';
  const { targets } = handshake;
  return table(
    ['target', 'handshakes/s', 'server CPU', 'CPU µs/handshake', 'load CPU', 'failed', 'vs platform-ws', 'vs ws'],
    present(targets).map((name) => {
      const [vsPlatform, vsWs] = ratios(targets, name, 'handshakesPerSec');
      return [
        name + failures(targets, name),
        rate(targets, name, 'handshakesPerSec'),
        serverCpu(targets, name),
        formatDecimal(value(targets, name, 'serverCpuMicrosPerHandshake')),
        formatPercent(value(targets, name, 'loadCpu')),
        formatInteger(value(targets, name, 'errors')),
        vsPlatform,
        vsWs,
      ];
    }),
  );
}

function microTable(rows: readonly MicroRow[]): string {
  const sizes = [...new Set(rows.map((row) => row.size))].sort((a, b) => a - b);
  const names = [...new Set(rows.map((row) => `${row.group}: ${row.name}`))];
  return table(
    ['MB/s', ...sizes.map(sizeLabel)],
    names.map((name) => [
      name,
      ...sizes.map((size) => {
        const row = rows.find((r) => `${r.group}: ${r.name}` === name && r.size === size);
        return row === undefined ? '' : formatCompact(row.megabytesPerSec);
      }),
    ]),
  );
}

/** How far the load generator is from being the bottleneck, from the raw echo calibration. */
export function loadGeneratorNote(results: BenchResults): string {
  const lines: string[] = [];
  for (const { cell, targets } of results.echo) {
    if (cell.connections === 1 || targets.raw === undefined) continue;
    const raw = value(targets, 'raw', 'messagesPerSec');
    const best = Math.max(
      ...(['ours', 'platform-ws', 'ws'] as const)
        .map((name) => value(targets, name, 'messagesPerSec'))
        .filter(Number.isFinite),
    );
    lines.push(
      `- ${cell.path} ${cell.connections}x${cell.inFlight} ${sizeLabel(cell.size)}: ${formatInteger(raw)} msg/s against raw net echo ` +
        `with the load generator at ${formatPercent(value(targets, 'raw', 'loadCpu'))} of a core; ` +
        `fastest WebSocket target ${formatInteger(best)} msg/s (${formatRatio(ratio(raw, best))} headroom)`,
    );
  }
  const handshake = results.handshake?.targets;
  if (handshake?.raw !== undefined) {
    const raw = value(handshake, 'raw', 'handshakesPerSec');
    const best = Math.max(
      ...(['ours', 'platform-ws', 'ws'] as const)
        .map((name) => value(handshake, name, 'handshakesPerSec'))
        .filter(Number.isFinite),
    );
    lines.push(
      `- handshakes: ${formatInteger(raw)}/s against raw net echo with the load generator at ` +
        `${formatPercent(value(handshake, 'raw', 'loadCpu'))} of a core; fastest WebSocket target ${formatInteger(best)}/s ` +
        `(${formatRatio(ratio(raw, best))} headroom)`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const sections: string[] = [
    '# WebSocket benchmark',
    '',
    `${results.date} · ${machineLine(results.machine)}`,
    '',
    `Mode ${results.mode}: ${results.repeats} run(s) per measurement (medians), ${results.warmupSeconds} s warm-up + ` +
      `${results.measureSeconds} s measured per run. CPU in % of one core, read from /proc; ratios are row / reference. ` +
      `"(load-bound)": the load processes used ${LOAD_BOUND_CPU}% of their CPU or more, so the rate is a lower bound.`,
  ];
  if (results.goals.length > 0) sections.push('', '## Goals (issues #7, #15 and #16)', '', goalTable(results.goals));
  if (results.echo.length > 0) sections.push('', '## A. Echo', '', echoTable(results));
  if (results.chatRoundTrip !== undefined && results.chatRoundTrip.length > 0) {
    sections.push(
      '',
      '## A2. Chat round trip (one message in flight)',
      '',
      'A two-member room on `/chat`: one member sends `message` with a `ref` once the previous one is acknowledged ' +
        'and delivered. "service": `node dist/main.js`; "platform-ws": the same modules on `@nestjs/platform-ws`; ' +
        'both with `CHAT_RATE_LIMIT_PER_SECOND=0`. msg/s are round trips per second.',
      '',
      chatRoundTripTable(results.chatRoundTrip),
    );
  }
  if (results.broadcast.length > 0) {
    sections.push(
      '',
      '## B. Broadcast fan-out',
      '',
      'Max rate: deliveries the server completed per second (publisher acknowledgements x receivers) and what the ' +
        'load generator read; then a fixed rate with end-to-end latency. "lost": deliveries missing after a drain.',
      '',
      broadcastTable(results),
    );
  }
  if (results.chatFanout !== undefined) sections.push('', chatFanoutSection(results.chatFanout));
  if (results.idle.length > 0)
    sections.push('', '## C. Idle connections (RSS after a full GC)', '', idleTable(results));
  if (results.handshake !== undefined) {
    sections.push(
      '',
      `## D. Handshakes (${results.handshake.path}, connect + upgrade + close)`,
      '',
      handshakeTable(results),
    );
  }
  if (results.redisBroadcast !== undefined) sections.push('', redisBroadcastSection(results.redisBroadcast));
  if (results.rejoinStorm !== undefined) sections.push('', rejoinStormSection(results.rejoinStorm));
  if (results.redisPublish !== undefined) sections.push('', redisPublishSection(results.redisPublish));
  if (results.redisCluster !== undefined)
    sections.push('', redisClusterSection(results.redisCluster, results.machine.cpus));
  if (results.restPublish !== undefined) sections.push('', restPublishSection(results.restPublish));
  const note = loadGeneratorNote(results);
  if (note) {
    sections.push(
      '',
      '## Load generator',
      '',
      'Its ceiling, measured against the raw net echo server (handshake, then bytes echoed verbatim), next to the ' +
        'fastest WebSocket stack; its CPU use is in every table ("load CPU"). Broadcast receivers read in batches at ' +
        'max rate, so there the load stays low.',
      '',
      note,
    );
  }
  if (results.micro.length > 0) {
    sections.push(
      '',
      '## Microbenchmarks (tinybench, MB/s of payload)',
      '',
      'Writers at 16 KiB and above send header and payload as two buffers: the payload is not copied, hence the large figures.',
      '',
      microTable(results.micro),
    );
  }
  return `${sections.join('\n')}\n`;
}
