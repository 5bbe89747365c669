import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Child } from '../child.js';
import type { BenchContext } from '../context.js';
import { Histogram } from '../histogram.js';
import { LoadPool, type PoolReport } from '../load-pool.js';
import type { TargetCommand, TargetMessage } from '../messages.js';
import { cpuPercent, cpuSeconds, totalCpuSeconds } from '../proc.js';
import { redisBinariesProblem, RedisServers } from '../redis-servers.js';
import { type ClusterBroadcastRun, recordRun, type RedisClusterResult } from '../report/results.js';
import { expectedDeliveries, membersPerRoom, microsPerMessage, roomNames } from './cluster-rooms.js';
import { RestPublisher } from './rest-publisher.js';
import { storeCapacityRun } from './store-capacity.js';
import { CHAT_TARGET, EXIT_TIMEOUT_MS, PROGRESS_EVERY_MS, START_TIMEOUT_MS } from './chat-instance.js';

const PRIMARIES = 3;
const PATH = '/chat';
const DRAIN_POLL_MS = 100;
const DRAIN_TIMEOUT_MS = 5000;
/** A join is a presence notice to the room's members on both instances (through Redis). */
const JOIN_MS_PER_CONNECTION = 50;

type Instance = Child<TargetCommand, TargetMessage>;

/** Per repeat: end to end over the cluster and over one Redis, then capacity of each. */
export function redisClusterSteps(options: BenchContext['options']): number {
  return options.repeats * 4;
}

/**
 * A Redis Cluster of 3 primaries (redis-server processes of its own, on free loopback ports)
 * against one redis-server of its own, each measured twice: end to end (two instances of the
 * service over it, receivers spread over many rooms and both instances, publishers at a fixed
 * total rate) and in Redis alone (the store path driven until Redis, or the client, saturates).
 * Skipped with a message when redis-server or redis-cli is missing.
 */
export async function runRedisCluster(context: BenchContext): Promise<RedisClusterResult> {
  const { options, progress } = context;
  const rooms = roomNames(options.clusterRooms);
  const result: RedisClusterResult = {
    primaries: PRIMARIES,
    rooms: rooms.length,
    roomsPerShard: [],
    receivers: options.redisReceivers,
    ratePerSec: options.redisRate,
    capacityConnections: options.capacityConnections,
    capacityInFlight: options.capacityInFlight,
    endToEndCluster: {},
    endToEndSingle: {},
    capacityCluster: {},
    capacitySingle: {},
  };
  const problem = redisBinariesProblem();
  if (problem !== undefined) {
    result.skipped = problem;
    progress.log(`  ! redis-cluster skipped: ${problem}`);
    for (let step = 0; step < redisClusterSteps(options); step++) progress.step('redis cluster · skipped');
    return result;
  }
  const cores = cpus().length;
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    const of = `run ${repeat}/${options.repeats}, ${cores} cores`;
    for (const clustered of [true, false]) {
      const what = clustered ? `${PRIMARIES}-primary cluster` : 'one Redis';
      progress.step(`redis cluster: end to end over ${what} · ${of}`);
      const e2e = await withServers(context, clustered, async (servers) => {
        if (clustered && result.roomsPerShard.length === 0) result.roomsPerShard = await servers.roomsPerServer(rooms);
        return endToEndRun(context, servers, rooms);
      });
      recordRun(clustered ? result.endToEndCluster : result.endToEndSingle, 'ours', e2e);
      progress.step(`redis cluster: store capacity of ${what} · ${of}`);
      const capacity = await withServers(context, clustered, (servers) =>
        storeCapacityRun(context, servers, rooms, `capacity of ${what}`),
      );
      recordRun(clustered ? result.capacityCluster : result.capacitySingle, 'ours', capacity);
    }
  }
  return result;
}

/**
 * Fresh servers for one run, on every CPU (as Redis runs next to the service), killed by PID
 * afterwards; a failure to start is the run's failure.
 */
async function withServers<R>(
  context: BenchContext,
  clustered: boolean,
  use: (servers: RedisServers) => Promise<R | string>,
): Promise<R | string> {
  const pinning = context.machine.pinning;
  const cpus = pinning === null ? undefined : `${pinning.server},${pinning.load}`;
  let servers: RedisServers | undefined;
  try {
    servers = clustered ? await RedisServers.cluster(PRIMARIES, cpus) : await RedisServers.single(cpus);
    return await use(servers);
  } catch (error) {
    return `starting Redis: ${(error as Error).message}`;
  } finally {
    await servers?.stop();
  }
}

function startInstance(context: BenchContext, label: string, servers: RedisServers): Instance {
  const env = {
    ...process.env,
    BUS: 'redis',
    REDIS_URL: servers.url,
    REDIS_CLUSTER_NODES: servers.clustered ? servers.nodeList : '',
    REDIS_PREFIX: 'bench:',
    AUTH_JWT_SECRET: '',
    CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
  };
  return new Child<TargetCommand, TargetMessage>(CHAT_TARGET, { cpus: context.serverCpus, env, label });
}

async function receiversOn(
  context: BenchContext,
  port: number,
  shares: number[],
  rooms: readonly string[],
): Promise<LoadPool> {
  const connections = shares.reduce((a, b) => a + b, 0);
  const timeout = context.connectTimeoutMs(connections) + connections * JOIN_MS_PER_CONNECTION;
  return LoadPool.start(
    shares.map((share) => ({
      kind: 'chat-receivers' as const,
      endpoint: { host: '127.0.0.1', port, path: PATH },
      localAddress: context.sourceAddress(),
      connectTimeoutMs: timeout,
      connections: share,
      room: rooms[0],
      rooms: [...rooms],
    })),
    context.loadCpus,
    timeout,
  );
}

async function endToEndRun(
  context: BenchContext,
  servers: RedisServers,
  rooms: readonly string[],
): Promise<ClusterBroadcastRun | string> {
  const { options, progress } = context;
  const instances = [startInstance(context, 'instance A', servers), startInstance(context, 'instance B', servers)];
  const pools: LoadPool[] = [];
  const publishers: RestPublisher[] = [];
  try {
    const ports = await Promise.all(
      instances.map(async (instance) => (await instance.next('ready', START_TIMEOUT_MS, 'failed')).port),
    );
    const half = Math.floor(options.redisReceivers / 2);
    const shares = [context.shares(half), context.shares(options.redisReceivers - half)];
    for (let i = 0; i < 2; i++) pools.push(await receiversOn(context, ports[i], shares[i], rooms));
    for (const pool of pools) pool.start();
    const members = membersPerRoom(shares.flat(), rooms.length);

    // Each room is published into on one instance, alternating, so both instances publish.
    for (const [i, room] of rooms.entries()) {
      const publisher = new RestPublisher('127.0.0.1', ports[i % 2], room, `publisher-${i}`);
      publisher.start(options.redisRate / rooms.length);
      publishers.push(publisher);
    }
    const accepted = (): number => publishers.reduce((n, publisher) => n + publisher.accepted, 0);
    await wait(options.warmupMs, context, pools, 'warm-up');
    for (const pool of pools) pool.mark();
    const loadPids = pools.flatMap((pool) => pool.pids);
    const start = performance.now();
    const cpu0 = instances.map((instance) => cpuSeconds(instance.pid));
    const redis0 = totalCpuSeconds(servers.pids);
    const redisEach0 = servers.pids.map(cpuSeconds);
    const load0 = totalCpuSeconds(loadPids);
    const accepted0 = accepted();
    await wait(options.measureMs, context, pools, 'measuring');
    const cpu1 = instances.map((instance) => cpuSeconds(instance.pid));
    const redis1 = totalCpuSeconds(servers.pids);
    const redisEach1 = servers.pids.map(cpuSeconds);
    const load1 = totalCpuSeconds(loadPids);
    const seconds = (performance.now() - start) / 1000;
    const published = accepted() - accepted0;
    const window = await Promise.all(pools.map((pool) => pool.report()));

    for (const publisher of publishers) publisher.stop();
    const settled = await Promise.all(publishers.map((publisher) => publisher.settled(DRAIN_TIMEOUT_MS)));
    const expected = expectedDeliveries(
      publishers.map((publisher) => publisher.accepted),
      members,
    );
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let final = await Promise.all(pools.map((pool) => pool.report()));
    while (received(final) < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      final = await Promise.all(pools.map((pool) => pool.report()));
    }
    const duplicates = final.reduce((n, report) => n + report.total.duplicates, 0);
    const unanswered = publishers.reduce(
      (n, publisher, i) => n + (settled[i] ? 0 : publisher.sent - publisher.accepted - publisher.failed),
      0,
    );
    const errors =
      publishers.reduce((n, publisher) => n + publisher.failed, 0) +
      final.reduce((n, report) => n + report.total.errors, 0) +
      unanswered;
    if (errors > 0) {
      const last =
        publishers.find((publisher) => publisher.lastError)?.lastError ?? final.find((r) => r.lastError)?.lastError;
      progress.log(`  ! redis cluster end to end: ${errors} errors, last: ${last ?? 'requests unanswered'}`);
    }
    const lost = expected - received(final);
    if (lost !== 0 || duplicates > 0)
      progress.log(`  ! redis cluster end to end: lost ${lost}, duplicated ${duplicates} deliveries`);

    const redisEach = redisEach0.map((before, i) =>
      before === undefined || redisEach1[i] === undefined ? 0 : redisEach1[i]! - before,
    );
    const histogram = Histogram.from(window.map((report) => report.histogram.snapshot()));
    return {
      deliveriesPerSec: window.reduce((n, report) => n + report.window.messages, 0) / seconds,
      publishedPerSec: published / seconds,
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      lost,
      duplicates,
      instanceACpu: cpuPercent(cpu0[0], cpu1[0], seconds),
      instanceBCpu: cpuPercent(cpu0[1], cpu1[1], seconds),
      redisCpu: cpuPercent(redis0, redis1, seconds),
      busiestRedisCpu: (Math.max(...redisEach) / seconds) * 100,
      redisMicrosPerMessage: microsPerMessage(
        redis0 === undefined || redis1 === undefined ? undefined : redis1 - redis0,
        published,
      ),
      loadCpu: cpuPercent(load0, load1, seconds),
      errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! redis cluster end to end: ${message}`);
    return message;
  } finally {
    for (const publisher of publishers) publisher.close();
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(instances.map((instance) => instance.stop({ type: 'exit' }, EXIT_TIMEOUT_MS)));
  }
}

function received(reports: readonly PoolReport[]): number {
  return reports.reduce((n, report) => n + report.total.messages, 0);
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
