import type { EchoCell } from '../options.js';
import { ratio } from '../stats.js';
import type { TargetName } from '../targets.js';
import { PUBLISH_COST_GOAL } from './publish-table.js';
import { publishRatios, REST_PUBLISH_MAX_P99, REST_PUBLISH_MIN_THROUGHPUT } from './rest-publish-table.js';
import type { BenchResults, ByTarget, EchoRun, GoalResult } from './results.js';

/**
 * The targets of issue #7, and of issue #16 (the service as users run it; one message in
 * flight), checked against the medians of one run of the bench.
 */

type Shape = Omit<EchoCell, 'path'>;
const SMALL: Shape = { connections: 64, inFlight: 16, size: 32 };
const KIB: Shape = { connections: 64, inFlight: 16, size: 1024 };
const LARGE: Shape = { connections: 16, inFlight: 16, size: 65_536 };
const ONE_SMALL: Shape = { connections: 1, inFlight: 1, size: 32 };
const ONE_KIB: Shape = { connections: 1, inFlight: 1, size: 1024 };
const ONE_SMALL_DEFLATE: Shape = { ...ONE_SMALL, deflate: true };
const ONE_KIB_DEFLATE: Shape = { ...ONE_KIB, deflate: true };

function echoCell(results: BenchResults, path: EchoCell['path'], shape: Shape): ByTarget<EchoRun> | undefined {
  return results.echo.find(
    ({ cell }) =>
      cell.path === path &&
      cell.connections === shape.connections &&
      cell.inFlight === shape.inFlight &&
      cell.size === shape.size &&
      (cell.deflate ?? false) === (shape.deflate ?? false),
  )?.targets;
}

function median<R, K extends keyof R>(byTarget: ByTarget<R> | undefined, name: TargetName, key: K): number | undefined {
  const entry = byTarget?.[name];
  if (entry === undefined || entry.runs.length === 0) return undefined;
  return entry.median[key] as number;
}

function atLeast(
  goal: string,
  value: number | undefined,
  reference: number | undefined,
  min: number,
  detail: string,
): GoalResult {
  const r = ratio(value, reference);
  return { goal, ratio: r, min, pass: Number.isFinite(r) ? r >= min : null, detail };
}

function atMost(
  goal: string,
  value: number | undefined,
  reference: number | undefined,
  max: number,
  detail: string,
): GoalResult {
  const r = ratio(value, reference);
  return { goal, ratio: r, max, pass: Number.isFinite(r) ? r <= max : null, detail };
}

/** msg/s at least each reference's, p50 and p99 at most theirs. */
function oneInFlightGoals(
  what: string,
  cell: ByTarget<EchoRun>,
  name: TargetName,
  references: readonly TargetName[],
): GoalResult[] {
  const goals: GoalResult[] = [];
  for (const reference of references) {
    if (cell[reference] === undefined) continue;
    goals.push(
      atLeast(
        `${what}: msg/s vs ${reference}`,
        median(cell, name, 'messagesPerSec'),
        median(cell, reference, 'messagesPerSec'),
        1,
        `round trips/s, ${name} / ${reference}`,
      ),
    );
    for (const key of ['p50', 'p99'] as const) {
      goals.push(
        atMost(
          `${what}: ${key} vs ${reference}`,
          median(cell, name, key),
          median(cell, reference, key),
          1,
          `${key} latency, ${name} / ${reference}`,
        ),
      );
    }
  }
  return goals;
}

/**
 * Issue 16's fan-out cell: the service's chat room at most ws's broadcast p99, and ahead of
 * platform-ws in CPU per delivery. At a fixed 100 messages/s each message is a turn of its own,
 * so every server pays one write(2) per receiver and message, most of a delivery's cost on
 * every stack; the half of platform-ws's CPU asked of the max-rate broadcast (section B) comes
 * from replies batched per turn, which a paced sender never gives.
 */
function chatFanoutGoals(results: BenchResults): GoalResult[] {
  const fanout = results.chatFanout;
  if (fanout?.targets.service === undefined) return [];
  const what = `service: /chat fan-out to ${fanout.receivers.toLocaleString('en-US')} at ${fanout.ratePerSec} msg/s`;
  return [
    atMost(
      `${what}: p99 vs ws broadcast`,
      median(fanout.targets, 'service', 'p99'),
      median(fanout.targets, 'ws', 'p99'),
      1,
      'p99 end-to-end latency, service / ws',
    ),
    atMost(
      `${what}: server CPU per delivery vs platform-ws`,
      median(fanout.targets, 'service', 'serverCpuMicrosPerDelivery'),
      median(fanout.targets, 'platform-ws', 'serverCpuMicrosPerDelivery'),
      1,
      'server CPU µs per delivery, service / platform-ws broadcast',
    ),
  ];
}

/** Issue 15: REST posts and REST batches against the WebSocket publish path on one instance. */
function restPublishGoals(results: BenchResults): GoalResult[] {
  const publish = results.restPublish;
  if (publish === undefined) return [];
  const goals: GoalResult[] = [];
  for (const path of ['rest', 'batch'] as const) {
    const what = path === 'rest' ? 'REST post (keep-alive)' : `REST batch of ${publish.batchSize}`;
    const { throughput, p99 } = publishRatios(publish, path);
    goals.push(
      {
        goal: `publish: ${what} msg/s vs WebSocket`,
        ratio: throughput,
        min: REST_PUBLISH_MIN_THROUGHPUT,
        pass: Number.isFinite(throughput) ? throughput >= REST_PUBLISH_MIN_THROUGHPUT : null,
        detail: `median messages/s delivered, ${path} / ws`,
      },
      {
        goal: `publish: ${what} p99 vs WebSocket`,
        ratio: p99,
        max: REST_PUBLISH_MAX_P99,
        pass: Number.isFinite(p99) ? p99 <= REST_PUBLISH_MAX_P99 : null,
        detail: `median p99 publish-to-delivery latency, ${path} / ws`,
      },
    );
  }
  return goals;
}

export function evaluateGoals(results: BenchResults): GoalResult[] {
  const goals: GoalResult[] = [...restPublishGoals(results)];
  const publish = results.redisPublish?.targets.ours;
  if (publish !== undefined && publish.runs.length > 0) {
    for (const [key, what] of [
      ['oursKey', 'with an idempotency key and TTL'],
      ['oursNoKey', 'without a key'],
    ] as const) {
      goals.push(
        atMost(
          `Redis CPU per published message ${what} vs XADD + PUBLISH in MULTI`,
          publish.median[key],
          publish.median.multiPair,
          PUBLISH_COST_GOAL,
          `median Redis CPU µs per message, ours / MULTI pair`,
        ),
      );
    }
  }
  const storm = results.rejoinStorm;
  if (storm !== undefined) {
    const n = storm.clients.toLocaleString('en-US');
    for (const [key, what] of [
      ['allJoinedMs', 'time until all have joined'],
      ['serverCpuSeconds', 'server CPU'],
    ] as const) {
      goals.push(
        atMost(
          `reconnect storm of ${n} into one room: ${what} vs ${n} rooms of one`,
          median(storm.oneRoom, 'ours', key),
          median(storm.roomsOfOne, 'ours', key),
          2,
          `median ${key}, one room / rooms of one`,
        ),
      );
    }
  }
  const echoGoal = (
    path: EchoCell['path'],
    shape: Shape,
    key: keyof EchoRun,
    reference: TargetName,
    min: number,
    what: string,
  ): void => {
    const cell = echoCell(results, path, shape);
    if (cell === undefined) return;
    const size = shape.size >= 1024 ? `${shape.size / 1024} KiB` : `${shape.size} B`;
    goals.push(
      atLeast(
        `${what} ${path} ${shape.connections}x${shape.inFlight} ${size}: ${key === 'megabytesPerSec' ? 'MB/s' : 'msg/s'} vs ${reference}`,
        median(cell, 'ours', key),
        median(cell, reference, key),
        min,
        `median ${key} of ours / ${reference}`,
      ),
    );
  };
  const serviceEchoGoal = (shape: Shape, key: keyof EchoRun, min: number): void => {
    const cell = echoCell(results, '/echo', shape);
    if (cell?.service === undefined) return;
    const size = shape.size >= 1024 ? `${shape.size / 1024} KiB` : `${shape.size} B`;
    goals.push(
      atLeast(
        `service: raw echo /echo ${shape.connections}x${shape.inFlight} ${size}: ${key === 'megabytesPerSec' ? 'MB/s' : 'msg/s'} vs ws`,
        median(cell, 'service', key),
        median(cell, 'ws', key),
        min,
        `median ${key} of the service / ws`,
      ),
    );
  };
  echoGoal('/nest-echo', SMALL, 'messagesPerSec', 'platform-ws', 2.5, 'echo via @SubscribeMessage');
  echoGoal('/nest-echo', KIB, 'messagesPerSec', 'platform-ws', 2.5, 'echo via @SubscribeMessage');
  echoGoal('/echo', SMALL, 'messagesPerSec', 'ws', 1.5, 'raw echo');
  echoGoal('/echo', KIB, 'messagesPerSec', 'ws', 1.5, 'raw echo');
  echoGoal('/echo', LARGE, 'megabytesPerSec', 'ws', 1.0, 'raw echo');

  // The service as users run it, held to the bench app's goals.
  serviceEchoGoal(SMALL, 'messagesPerSec', 1.5);
  serviceEchoGoal(KIB, 'messagesPerSec', 1.5);
  serviceEchoGoal(LARGE, 'megabytesPerSec', 1.0);

  // One message in flight, with and without permessage-deflate negotiated: at least the
  // references' rate, at most their latencies.
  for (const path of ['/echo', '/nest-echo'] as const) {
    for (const shape of [ONE_SMALL, ONE_KIB, ONE_SMALL_DEFLATE, ONE_KIB_DEFLATE]) {
      const cell = echoCell(results, path, shape);
      if (cell === undefined) continue;
      const size = shape.size >= 1024 ? `${shape.size / 1024} KiB` : `${shape.size} B`;
      const what = `${path} 1x1 ${size}${shape.deflate === true ? ' deflate' : ''}`;
      for (const name of ['ours', 'service'] as const) {
        if (cell[name] !== undefined)
          goals.push(...oneInFlightGoals(`${name}: ${what}`, cell, name, ['platform-ws', 'ws']));
      }
    }
  }
  for (const { measure, targets } of results.chatRoundTrip ?? []) {
    const what = measure === 'ack' ? 'message -> ack' : 'message -> other member';
    goals.push(...oneInFlightGoals(`service: chat ${what}`, targets, 'service', ['platform-ws']));
  }

  for (const { receivers, targets } of results.broadcast) {
    const n = receivers.toLocaleString('en-US');
    goals.push(
      atMost(
        `broadcast to ${n}: server CPU per delivery at max rate vs platform-ws`,
        median(targets, 'ours', 'serverCpuMicrosPerDelivery'),
        median(targets, 'platform-ws', 'serverCpuMicrosPerDelivery'),
        0.5,
        'server CPU µs per delivery, ours / platform-ws',
      ),
      atMost(
        `broadcast to ${n}: p99 latency at a fixed rate vs ws`,
        median(targets, 'ours', 'p99'),
        median(targets, 'ws', 'p99'),
        1.0,
        'p99 end-to-end latency, ours / ws',
      ),
    );
    const runs = targets.ours?.runs ?? [];
    const lost = runs.reduce((n, run) => n + run.maxRateLoss + run.fixedRateLoss, 0);
    goals.push({
      goal: `broadcast to ${n}: zero loss`,
      ratio: runs.length > 0 ? lost : Number.NaN,
      max: 0,
      pass: runs.length > 0 ? lost === 0 : null,
      detail: 'deliveries lost by ours over every run (the ratio column is the count)',
    });
  }

  goals.push(...chatFanoutGoals(results));

  const idle = [...results.idle].sort((a, b) => b.connections - a.connections)[0];
  if (idle !== undefined) {
    goals.push(
      atMost(
        `idle memory at ${idle.connections.toLocaleString('en-US')} connections vs platform-ws`,
        median(idle.targets, 'ours', 'rssPerConnectionKiB'),
        median(idle.targets, 'platform-ws', 'rssPerConnectionKiB'),
        0.5,
        'RSS per connection, ours / platform-ws',
      ),
    );
  }
  if (results.handshake?.targets.service !== undefined) {
    goals.push(
      atLeast(
        'service (connection log on): handshakes/s vs platform-ws',
        median(results.handshake.targets, 'service', 'handshakesPerSec'),
        median(results.handshake.targets, 'platform-ws', 'handshakesPerSec'),
        1.5,
        'handshakes/s, service / platform-ws',
      ),
    );
  }
  if (results.handshake !== undefined) {
    goals.push(
      atLeast(
        'handshakes/s vs platform-ws',
        median(results.handshake.targets, 'ours', 'handshakesPerSec'),
        median(results.handshake.targets, 'platform-ws', 'handshakesPerSec'),
        1.5,
        'handshakes/s, ours / platform-ws',
      ),
    );
  }
  return goals;
}
