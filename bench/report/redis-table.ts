import { formatDecimal, formatInteger, formatMicros, formatPercent } from './format.js';
import type { RedisBroadcastResult } from './results.js';

/** Below this share of the requested rate the publisher fell behind: the service limited it. */
const BEHIND_SHARE = 0.95;

/** Section E of results.md: the two-instance broadcast over Redis. */
export function redisBroadcastSection(result: RedisBroadcastResult): string {
  const title = `## E. Broadcast over Redis (2 instances, ${result.receivers.toLocaleString('en-US')} receivers, ${formatInteger(result.ratePerSec)} msg/s)`;
  if (result.skipped !== undefined) return `${title}\n\nSkipped: ${result.skipped}.`;
  const entry = result.targets.ours;
  const intro =
    'Two instances of the service (createApp, BUS=redis) share one room, half the receivers on each; a publisher POSTs ' +
    'stamped messages to instance A at a fixed rate, so B gets them through Redis. Latency: publish request to delivery. ' +
    '"lost": deliveries missing after a drain. CPU per delivery: an instance\'s CPU over the deliveries to its own receivers ' +
    '(A also serves the REST publishing). Both instances share the server CPU.';
  if (entry === undefined || entry.runs.length === 0) {
    return `${title}\n\n${intro}\n\nNo successful run${entry?.failures.length ? `: ${entry.failures[entry.failures.length - 1]}` : ''}.`;
  }
  const run = entry.median;
  const published = `${formatInteger(run.publishedPerSec)}${run.publishedPerSec < result.ratePerSec * BEHIND_SHARE ? ' (behind)' : ''}`;
  const header = [
    'published/s',
    'deliveries/s',
    'p50',
    'p99',
    'lost',
    'duplicates',
    'A: CPU',
    'A: CPU µs/delivery',
    'B: CPU',
    'B: CPU µs/delivery',
    'load CPU',
    'errors',
  ];
  const row = [
    published,
    formatInteger(run.deliveriesPerSec),
    formatMicros(run.p50),
    formatMicros(run.p99),
    formatInteger(run.lost),
    formatInteger(run.duplicates),
    formatPercent(run.instanceACpu),
    formatDecimal(run.instanceACpuMicrosPerDelivery, 2),
    formatPercent(run.instanceBCpu),
    formatDecimal(run.instanceBCpuMicrosPerDelivery, 2),
    formatPercent(run.loadCpu),
    formatInteger(run.errors),
  ];
  const failed =
    entry.failures.length > 0
      ? `\n\n${entry.failures.length} failed run(s), last: ${entry.failures[entry.failures.length - 1]}`
      : '';
  const lines = [header, header.map(() => '---:'), row].map((cells) => `| ${cells.join(' | ')} |`);
  return `${title}\n\n${intro}\n\n${lines.join('\n')}${failed}`;
}
