import { ratio } from '../stats.js';
import { formatCompact, formatInteger, formatMicros, formatPercent, formatRatio } from './format.js';
import type { PublishPath, PublishResult, PublishRun } from './results.js';

const LABELS: Record<PublishPath, string> = {
  ws: 'WebSocket `message` (ack)',
  rest: 'REST `POST …/messages` (keep-alive)',
  batch: 'REST `POST …/messages/batch`',
};

/** Issue 15's targets for REST against the WebSocket path: throughput at least, p99 at most. */
export const REST_PUBLISH_MIN_THROUGHPUT = 0.5;
export const REST_PUBLISH_MAX_P99 = 2;

/** The median run of a path, if it has one. */
export function medianRun(result: PublishResult, path: PublishPath): PublishRun | undefined {
  const entry = result.paths[path].ours;
  return entry === undefined || entry.runs.length === 0 ? undefined : entry.median;
}

/** REST (single or batch) against the WebSocket path: messages/s ratio and p99 ratio. */
export function publishRatios(
  result: PublishResult,
  path: Exclude<PublishPath, 'ws'>,
): { throughput: number; p99: number } {
  const rest = medianRun(result, path);
  const ws = medianRun(result, 'ws');
  return { throughput: ratio(rest?.messagesPerSec, ws?.messagesPerSec), p99: ratio(rest?.p99, ws?.p99) };
}

/** Section I of results.md: publishing into rooms over WebSocket, REST, and REST batches. */
export function restPublishSection(result: PublishResult): string {
  const title = '## I. Publishing: WebSocket against REST';
  const intro =
    `One instance of the service (${result.bus === 'redis' ? 'BUS=redis' : 'in-memory bus'}, rate limits off), ` +
    'the three ways in turn, closed loop (one request in flight per publisher): ' +
    `${result.publishers.ws} WebSocket members of 16 rooms, ${result.publishers.rest} REST publishers over keep-alive ` +
    `connections, ${result.publishers.batch} REST batch publishers of ${result.batchSize} messages. A member of every ` +
    'room measures publish-to-delivery latency. Issue 15: REST at least ' +
    `${REST_PUBLISH_MIN_THROUGHPUT}x the WebSocket throughput and at most ${REST_PUBLISH_MAX_P99}x its p99.`;
  const rows = (['ws', 'rest', 'batch'] as const).map((path) => {
    const run = medianRun(result, path);
    if (run === undefined) {
      const failure = result.paths[path].ours?.failures.at(-1);
      return `| ${LABELS[path]} | no successful run${failure === undefined ? '' : `: ${failure}`} | | | | | | | |`;
    }
    const vs = path === 'ws' ? { throughput: 1, p99: 1 } : publishRatios(result, path as Exclude<PublishPath, 'ws'>);
    return (
      `| ${LABELS[path]} | ${formatCompact(run.messagesPerSec)} | ${formatMicros(run.p50)} | ${formatMicros(run.p99)} | ` +
      `${formatPercent(run.serverCpu)} | ${formatMicros(run.serverCpuMicrosPerMessage)} | ${formatPercent(run.loadCpu)} | ` +
      `${formatRatio(vs.throughput)} / ${formatRatio(vs.p99)} | ${formatInteger(run.errors)} |`
    );
  });
  const floor = expressFloorLine(result);
  return [
    title,
    '',
    intro,
    '',
    '| path | msg/s | p50 | p99 | server CPU | CPU per message | load CPU | vs WebSocket (msg/s / p99) | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(floor === undefined ? [] : ['', floor]),
  ].join('\n');
}

/**
 * What the same REST publishers get from Express alone, next to the WebSocket path's CPU per
 * message: the cost every Nest route on Express pays before doing anything.
 */
function expressFloorLine(result: PublishResult): string | undefined {
  const entry = result.expressFloor?.ours;
  if (entry === undefined) return undefined;
  if (entry.runs.length === 0) return `Reference, Express alone: no successful run: ${entry.failures.at(-1) ?? ''}`;
  const floor = entry.median;
  const ws = medianRun(result, 'ws');
  const against =
    ws === undefined
      ? ''
      : `, ${formatRatio(ratio(floor.serverCpuMicrosPerRequest, ws.serverCpuMicrosPerMessage))} the WebSocket ` +
        `path's ${formatMicros(ws.serverCpuMicrosPerMessage)} per message (stored, published and delivered)`;
  return (
    `Reference, Express alone (Express 5 with Nest's body parsers, one POST route answering 201; no Nest ` +
    `routing, guards, validation or headers, nothing stored): the same ${result.publishers.rest} publishers get ` +
    `${formatCompact(floor.requestsPerSec)} requests/s at ${formatPercent(floor.serverCpu)} server CPU, ` +
    `${formatMicros(floor.serverCpuMicrosPerRequest)} of CPU per request${against}.`
  );
}
