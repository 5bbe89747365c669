import { ratio } from '../stats.js';
import { TARGET_NAMES } from '../targets.js';
import { formatDecimal, formatInteger, formatMicros, formatPercent, formatRatio } from './format.js';
import type { ChatFanoutResult, ChatFanoutRun } from './results.js';

/** Section B2 of results.md: the service's chat room next to the others' broadcast at one fixed rate. */
export function chatFanoutSection(result: ChatFanoutResult): string {
  const title = `## B2. Chat fan-out (${result.receivers.toLocaleString('en-US')} receivers, ${formatInteger(result.ratePerSec)} msg/s)`;
  const intro =
    'The service (`node dist/main.js`, `CHAT_RATE_LIMIT_PER_SECOND=0`): the receivers join one room on `/chat` and ' +
    'one more member posts stamped `message`s at the rate; ours, platform-ws and ws: the same rate broadcast to as ' +
    'many receivers of the bench app\'s `/broadcast`. Latency from the send time inside each message; "lost": ' +
    'deliveries missing after a drain; CPU per delivery: server CPU over the deliveries the receivers read.';
  const median = (name: (typeof TARGET_NAMES)[number], key: keyof ChatFanoutRun): number => {
    const entry = result.targets[name];
    return entry !== undefined && entry.runs.length > 0 ? entry.median[key] : Number.NaN;
  };
  const rows: string[][] = [];
  for (const name of TARGET_NAMES) {
    const entry = result.targets[name];
    if (entry === undefined) continue;
    const failed = entry.failures.length > 0 ? ` (${entry.failures.length} failed)` : '';
    rows.push([
      name + failed,
      formatInteger(median(name, 'deliveriesPerSec')),
      formatMicros(median(name, 'p50')),
      formatMicros(median(name, 'p99')),
      `${formatPercent(median(name, 'serverCpu'))} (${formatPercent(median(name, 'serverSystemCpu'))} sys)`,
      formatDecimal(median(name, 'serverCpuMicrosPerDelivery'), 3),
      formatPercent(median(name, 'loadCpu')),
      formatInteger(median(name, 'lost')),
      formatRatio(ratio(median(name, 'p99'), median('ws', 'p99'))),
      formatRatio(
        ratio(median(name, 'serverCpuMicrosPerDelivery'), median('platform-ws', 'serverCpuMicrosPerDelivery')),
      ),
    ]);
  }
  const header = [
    'target',
    'deliveries/s',
    'p50',
    'p99',
    'server CPU',
    'CPU µs/delivery',
    'load CPU',
    'lost',
    'p99 vs ws',
    'CPU/delivery vs platform-ws',
  ];
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  const lines = [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return `${title}\n\n${intro}\n\n${lines.join('\n')}`;
}
