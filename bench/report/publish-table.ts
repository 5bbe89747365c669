import { formatDecimal, formatInteger } from './format.js';
import type { RedisPublishResult, RedisPublishRun } from './results.js';

/** Issue 15: Redis CPU per message of ours at most this many times the MULTI pair's. */
export const PUBLISH_COST_GOAL = 1.5;

/** Section G of results.md: what one published message costs Redis. */
export function redisPublishSection(result: RedisPublishResult): string {
  const title = `## G. Publish cost in Redis (${formatInteger(result.messages)} messages per variant, ${formatInteger(result.inFlight)} in flight)`;
  if (result.skipped !== undefined) return `${title}\n\nSkipped: ${result.skipped}.`;
  const intro =
    "Redis CPU (INFO cpu: user + system) per message, in a redis-server of the bench's own with one subscriber on the " +
    'channel; every variant keeps the same number of messages unanswered. "ours": RedisChatStore.publish as the Redis ' +
    'bus calls it (history 100, TTL 7 days, idempotency window 600 s and 500 keys), which stores the messages of a room ' +
    'given in one turn of the event loop with one script call ("per call"). Issue 15 asks ours to cost at most ' +
    `${PUBLISH_COST_GOAL}x the MULTI pair.`;
  const entry = result.targets.ours;
  if (entry === undefined || entry.runs.length === 0) {
    return `${title}\n\n${intro}\n\nNo successful run${entry?.failures.length ? `: ${entry.failures[entry.failures.length - 1]}` : ''}.`;
  }
  const run = entry.median;
  const row = (label: string, micros: number, perCall: string) =>
    `| ${label} | ${formatDecimal(micros, 2)} | ${formatDecimal(micros / run.multiPair, 2)}x | ${perCall} |`;
  const failed =
    entry.failures.length > 0
      ? `\n\n${entry.failures.length} failed run(s), last: ${entry.failures[entry.failures.length - 1]}`
      : '';
  return (
    [
      title,
      '',
      intro,
      '',
      '| published message | Redis CPU µs | / MULTI pair | messages per call |',
      '| --- | ---: | ---: | ---: |',
      row('bare PUBLISH', run.barePublish, '1'),
      row('XADD + PUBLISH in MULTI', run.multiPair, '1'),
      row('ours, with a key (ref)', run.oursKey, formatDecimal(run.oursKeyPerCall)),
      row('ours, without a key', run.oursNoKey, formatDecimal(run.oursNoKeyPerCall)),
      row('ours, with a key, one call per message', run.oursKeyOnePerCall, '1'),
    ].join('\n') + failed
  );
}

/** The goal rows' values: ours (with a key, without) over the MULTI pair. */
export function publishCostRatios(run: RedisPublishRun): { key: number; noKey: number } {
  return { key: run.oursKey / run.multiPair, noKey: run.oursNoKey / run.multiPair };
}
