import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Child } from '../child.js';
import type { BenchContext } from '../context.js';
import { Histogram } from '../histogram.js';
import { LoadPool, type PoolReport } from '../load-pool.js';
import type { TargetCommand, TargetMessage } from '../messages.js';
import { cpuPercent, cpuSeconds, totalCpuSeconds } from '../proc.js';
import { recordRun, type RedisBroadcastResult, type RedisBroadcastRun } from '../report/results.js';
import { deleteKeys, redisProblem } from './redis-keys.js';
import { RestPublisher } from './rest-publisher.js';
import { CHAT_TARGET, EXIT_TIMEOUT_MS, PROGRESS_EVERY_MS, START_TIMEOUT_MS } from './chat-instance.js';

const ROOM = 'bench';
const PATH = '/chat';
const REDIS_PING_TIMEOUT_MS = 1000;
const DRAIN_POLL_MS = 100;
const DRAIN_TIMEOUT_MS = 5000;
/**
 * Every join is a presence notice to every member on both instances (through Redis), so
 * joining N receivers costs O(N²) deliveries: a longer deadline than plain connections get.
 */
const JOIN_MS_PER_CONNECTION = 200;

type Instance = Child<TargetCommand, TargetMessage>;

export function redisBroadcastSteps(options: BenchContext['options']): number {
  return options.repeats;
}

/**
 * Two instances of the real service (createApp, BUS=redis, one fresh key prefix) share one
 * room: half the receivers join it on each instance, and a publisher POSTs stamped messages at
 * a fixed rate to instance A, so every message reaches B's receivers through Redis. Reports
 * deliveries/s, end-to-end latency, losses and duplicates after a drain, and each instance's
 * CPU per delivery to its own receivers. Skipped when Redis does not answer.
 */
export async function runRedisBroadcast(context: BenchContext): Promise<RedisBroadcastResult> {
  const { options, progress } = context;
  const result: RedisBroadcastResult = {
    receivers: options.redisReceivers,
    ratePerSec: options.redisRate,
    targets: {},
  };
  const problem = await redisProblem(options.redisUrl, REDIS_PING_TIMEOUT_MS);
  if (problem !== undefined) {
    result.skipped = `Redis at ${options.redisUrl} does not answer (${problem})`;
    progress.log(`  ! redis-broadcast skipped: ${result.skipped}`);
    for (let repeat = 1; repeat <= options.repeats; repeat++) progress.step('redis broadcast · skipped');
    return result;
  }
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    progress.step(
      `redis broadcast to ${options.redisReceivers.toLocaleString('en-US')} over 2 instances · run ${repeat}/${options.repeats}`,
    );
    recordRun(result.targets, 'ours', await redisRun(context));
  }
  return result;
}

function startInstance(context: BenchContext, label: string, prefix: string): Instance {
  const { options } = context;
  const env = {
    ...process.env,
    BUS: 'redis',
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: prefix,
    AUTH_JWT_SECRET: '',
    // The REST publisher posts 200 messages/s from one address.
    CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
  };
  return new Child<TargetCommand, TargetMessage>(CHAT_TARGET, {
    cpus: context.serverCpus,
    nodeArgs: ['--expose-gc'],
    env,
    label,
  });
}

async function receiversOn(context: BenchContext, port: number, connections: number): Promise<LoadPool> {
  const timeout = context.connectTimeoutMs(connections) + connections * JOIN_MS_PER_CONNECTION;
  return LoadPool.start(
    context.shares(connections).map((share) => ({
      kind: 'chat-receivers' as const,
      endpoint: { host: '127.0.0.1', port, path: PATH },
      localAddress: context.sourceAddress(),
      connectTimeoutMs: timeout,
      connections: share,
      room: ROOM,
    })),
    context.loadCpus,
    timeout,
  );
}

async function wait(ms: number, context: BenchContext, pools: readonly LoadPool[], phase: string): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(PROGRESS_EVERY_MS, ms - (performance.now() - start))));
    const delivered = pools.reduce((n, pool) => n + pool.tickedMessages, 0);
    context.progress.update(
      `${phase} ${((performance.now() - start) / 1000).toFixed(1)}/${(ms / 1000).toFixed(1)}s · ${delivered.toLocaleString('en-US')} delivered`,
    );
  }
}

async function reportBoth(pools: readonly LoadPool[]): Promise<[PoolReport, PoolReport]> {
  const [a, b] = await Promise.all(pools.map((pool) => pool.report()));
  return [a, b];
}

async function redisRun(context: BenchContext): Promise<RedisBroadcastRun | string> {
  const { options, progress } = context;
  const prefix = `bench:${randomBytes(6).toString('hex')}:`;
  const instances = [startInstance(context, 'instance A', prefix), startInstance(context, 'instance B', prefix)];
  const pools: LoadPool[] = [];
  let publisher: RestPublisher | undefined;
  try {
    const ports = await Promise.all(
      instances.map(async (instance) => (await instance.next('ready', START_TIMEOUT_MS, 'failed')).port),
    );
    const half = Math.floor(options.redisReceivers / 2);
    pools.push(await receiversOn(context, ports[0], half));
    pools.push(await receiversOn(context, ports[1], options.redisReceivers - half));
    for (const pool of pools) pool.start();

    publisher = new RestPublisher('127.0.0.1', ports[0], ROOM, 'bench-publisher');
    publisher.start(options.redisRate);
    await wait(options.warmupMs, context, pools, 'warm-up');
    for (const pool of pools) pool.mark();
    const loadPids = pools.flatMap((pool) => pool.pids);
    const start = performance.now();
    const cpu0 = instances.map((instance) => cpuSeconds(instance.pid));
    const load0 = totalCpuSeconds(loadPids);
    const accepted0 = publisher.accepted;
    await wait(options.measureMs, context, pools, 'measuring');
    const cpu1 = instances.map((instance) => cpuSeconds(instance.pid));
    const load1 = totalCpuSeconds(loadPids);
    const seconds = (performance.now() - start) / 1000;
    const accepted = publisher.accepted - accepted0;
    const window = await reportBoth(pools);

    publisher.stop();
    const settled = await publisher.settled(DRAIN_TIMEOUT_MS);
    const expected = publisher.accepted * options.redisReceivers;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let final = await reportBoth(pools);
    while (final[0].total.messages + final[1].total.messages < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      final = await reportBoth(pools);
    }
    const received = final[0].total.messages + final[1].total.messages;
    const duplicates = final[0].total.duplicates + final[1].total.duplicates;
    const receiverErrors = final[0].total.errors + final[1].total.errors;
    const errors =
      publisher.failed + receiverErrors + (settled ? 0 : publisher.sent - publisher.accepted - publisher.failed);
    if (errors > 0) {
      progress.log(
        `  ! redis broadcast: ${errors} errors, last: ${publisher.lastError ?? final[0].lastError ?? final[1].lastError ?? 'requests unanswered'}`,
      );
    }
    const lost = expected - received;
    if (lost !== 0 || duplicates > 0)
      progress.log(`  ! redis broadcast: lost ${lost}, duplicated ${duplicates} deliveries`);

    const cpuOf = (i: number): number => cpuPercent(cpu0[i], cpu1[i], seconds);
    const perDelivery = (i: number): number => {
      const deliveries = window[i].window.messages;
      return deliveries > 0 ? ((cpuOf(i) / 100) * seconds * 1e6) / deliveries : Number.NaN;
    };
    const histogram = Histogram.from([window[0].histogram.snapshot(), window[1].histogram.snapshot()]);
    return {
      deliveriesPerSec: (window[0].window.messages + window[1].window.messages) / seconds,
      publishedPerSec: accepted / seconds,
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      lost,
      duplicates,
      instanceACpu: cpuOf(0),
      instanceBCpu: cpuOf(1),
      instanceACpuMicrosPerDelivery: perDelivery(0),
      instanceBCpuMicrosPerDelivery: perDelivery(1),
      loadCpu: cpuPercent(load0, load1, seconds),
      errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! redis broadcast: ${message}`);
    return message;
  } finally {
    publisher?.close();
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(instances.map((instance) => instance.stop({ type: 'exit' }, EXIT_TIMEOUT_MS)));
    try {
      await deleteKeys(options.redisUrl, prefix);
    } catch (error) {
      progress.log(`  ! could not delete the Redis keys under ${prefix}: ${(error as Error).message}`);
    }
  }
}
