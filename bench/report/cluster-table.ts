import { messagesPerCore } from '../scenarios/cluster-rooms.js';
import { formatDecimal, formatInteger, formatMicros, formatPercent } from './format.js';
import type { ByTarget, ClusterBroadcastRun, RedisClusterResult, StoreCapacityRun } from './results.js';

/** Below this share of the requested rate the publishers fell behind. */
const BEHIND_SHARE = 0.95;

/** Section G of results.md: a Redis Cluster of the bench's own against one Redis of its own. */
export function redisClusterSection(result: RedisClusterResult, cores: number): string {
  const title = `## H. Redis Cluster (${result.primaries} primaries) vs one Redis`;
  if (result.skipped !== undefined) return `${title}\n\nSkipped: ${result.skipped}.`;
  const shards = result.roomsPerShard.length > 0 ? ` (${result.roomsPerShard.join(' / ')} per primary)` : '';
  const intro =
    `Both started by the bench (redis-server processes on loopback ports, no persistence, no replicas), on a machine of ` +
    `${cores} cores shared by the service, the load and every Redis server: the cluster cannot run its primaries side by ` +
    `side here, so the figure that carries over is Redis CPU per message (one core carries about 10⁶ / that messages/s, ` +
    `and a cluster about that per primary, rooms spread evenly).`;
  const e2eIntro =
    `End to end: two instances of the service (BUS=redis, REDIS_CLUSTER_NODES for the cluster), ` +
    `${formatInteger(result.receivers)} receivers over ${result.rooms} rooms${shards} and both instances, ` +
    `${formatInteger(result.ratePerSec)} msg/s published over REST into the rooms (alternating instances). ` +
    'Latency: publish request to delivery; "lost": deliveries missing after a drain (negative: requests unanswered ' +
    'when the drain ended were delivered after all); Redis CPU: all servers, from /proc, per published message ' +
    '(heartbeats and the cluster bus included: at a low rate that fixed part dominates).';
  const e2eHeader = [
    'Redis',
    'published/s',
    'deliveries/s',
    'p50',
    'p99',
    'lost',
    'duplicates',
    'A: CPU',
    'B: CPU',
    'Redis CPU',
    'busiest server',
    'Redis CPU µs/msg',
    'errors',
  ];
  const e2eRows = rows(
    [
      ['cluster', result.endToEndCluster],
      ['one Redis', result.endToEndSingle],
    ],
    (run: ClusterBroadcastRun) => [
      `${formatInteger(run.publishedPerSec)}${run.publishedPerSec < result.ratePerSec * BEHIND_SHARE ? ' (behind)' : ''}`,
      formatInteger(run.deliveriesPerSec),
      formatMicros(run.p50),
      formatMicros(run.p99),
      formatInteger(run.lost),
      formatInteger(run.duplicates),
      formatPercent(run.instanceACpu),
      formatPercent(run.instanceBCpu),
      tenths(run.redisCpu),
      tenths(run.busiestRedisCpu),
      formatDecimal(run.redisMicrosPerMessage, 1),
      formatInteger(run.errors),
    ],
  );
  const capacityIntro =
    `Store capacity, Redis alone: ${result.capacityConnections} client connections keep ${result.capacityInFlight} ` +
    'publishes each in flight (RedisChatStore.publish: the `chatStore` script, with an idempotency key) round robin over ' +
    'the rooms. CPU per message of a server: its CPU (/proc) over the messages of its rooms (its share of the round robin); script ' +
    'µs/call: the time Redis spent inside the script (commandstats usec), without reading and answering. When Redis CPU stays ' +
    'well under 100%, the client or the shared CPUs were the limit, not Redis.';
  const capacityHeader = [
    'Redis',
    'messages/s',
    'Redis CPU',
    'busiest server',
    'Redis CPU µs/msg',
    'highest server µs/msg',
    'msg/s per core at that cost',
    'script µs/call',
    'client CPU',
    'errors',
  ];
  const capacityRows = rows(
    [
      ['cluster', result.capacityCluster],
      ['one Redis', result.capacitySingle],
    ],
    (run: StoreCapacityRun) => [
      formatInteger(run.messagesPerSec),
      formatPercent(run.redisCpu),
      formatPercent(run.busiestRedisCpu),
      formatDecimal(run.redisMicrosPerMessage, 1),
      formatDecimal(run.busiestMicrosPerMessage, 1),
      formatInteger(messagesPerCore(run.busiestMicrosPerMessage)),
      formatDecimal(run.scriptMicrosPerMessage, 1),
      formatPercent(run.clientCpu),
      formatInteger(run.errors),
    ],
  );
  return [title, intro, e2eIntro, table(e2eHeader, e2eRows), capacityIntro, table(capacityHeader, capacityRows)].join(
    '\n\n',
  );
}

/** Redis' share of a core at a fixed rate is small: a percentage with tenths. */
function tenths(percent: number): string {
  return Number.isFinite(percent) ? `${formatDecimal(percent, 1)}%` : 'n/a';
}

function rows<R>(entries: Array<[string, ByTarget<R>]>, cells: (run: R) => string[]): string[][] {
  return entries.map(([name, byTarget]) => {
    const entry = byTarget.ours;
    if (entry === undefined || entry.runs.length === 0) {
      const failure = entry?.failures[entry.failures.length - 1] ?? 'not run';
      return [name, `no successful run: ${failure.replace(/\|/g, '/').replace(/\n/g, ' ')}`];
    }
    const failed = entry.failures.length > 0 ? ` (${entry.failures.length} failed)` : '';
    return [`${name}${failed}`, ...cells(entry.median)];
  });
}

function table(header: string[], body: string[][]): string {
  return [header, header.map((_, i) => (i === 0 ? '---' : '---:')), ...body]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}
