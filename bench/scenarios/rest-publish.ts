import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type WebSocket from 'ws';
import { Child } from '../child.js';
import type { BenchContext } from '../context.js';
import type { TargetCommand, TargetMessage } from '../messages.js';
import { cpuPercent, cpuSeconds } from '../proc.js';
import {
  type ExpressFloorRun,
  type PublishPath,
  type PublishResult,
  type PublishRun,
  recordRun,
} from '../report/results.js';
import { joinRooms, openChat, PublishReceiver } from './publish-receiver.js';
import { keepAliveAgent, RestSender, type Sender, Sequence, WsSender } from './publish-senders.js';
import { deleteKeys, redisProblem } from './redis-keys.js';
import { CHAT_TARGET, EXIT_TIMEOUT_MS, PROGRESS_EVERY_MS, START_TIMEOUT_MS } from './chat-instance.js';

const EXPRESS_TARGET = fileURLToPath(new URL('../targets/express-post-target.js', import.meta.url));
const REDIS_PING_TIMEOUT_MS = 1000;
/** Rooms, one per publisher; the WebSocket publishers are their members. */
const ROOMS = 16;
/** Batches of this many messages, from fewer publishers: as many messages in flight on every path. */
const BATCH_SIZE = 8;
const PUBLISHERS: Record<PublishPath, number> = { ws: ROOMS, rest: ROOMS, batch: ROOMS / BATCH_SIZE };
export const PUBLISH_PATHS: readonly PublishPath[] = ['ws', 'rest', 'batch'];

type Target = Child<TargetCommand, TargetMessage>;

export function restPublishSteps(options: BenchContext['options']): number {
  // The three paths, then the Express floor.
  return (PUBLISH_PATHS.length + 1) * options.repeats;
}

/**
 * Publishing into rooms of one instance of the real service (createApp; BUS=redis with a fresh
 * key prefix when Redis answers, else the in-memory bus; rate limits off), three ways in turn
 * on the same instance, each closed loop with one request in flight per publisher:
 * - `ws`: a member of each of 16 rooms sends `message` with a `ref`, the next on its `ack`;
 * - `rest`: 16 publishers POST one message each over 16 keep-alive connections;
 * - `batch`: 2 publishers POST batches of 8 over keep-alive connections (16 messages in flight,
 *   as on the other paths).
 * Every room has its WebSocket member and one receiver, a member of all 16 rooms, which
 * measures the publish-to-delivery latency. Issue 15: REST at least 0.5x the WebSocket
 * throughput, at most 2x its p99. Then, as a reference, the same 16 REST publishers against
 * Express alone (express-post-target.ts): what a Nest app on Express pays per request before
 * any work of its own.
 */
export async function runRestPublish(context: BenchContext): Promise<PublishResult> {
  const { options } = context;
  const redisDown = await redisProblem(options.redisUrl, REDIS_PING_TIMEOUT_MS);
  const result: PublishResult = {
    bus: redisDown === undefined ? 'redis' : 'memory',
    publishers: PUBLISHERS,
    batchSize: BATCH_SIZE,
    paths: { ws: {}, rest: {}, batch: {} },
    expressFloor: {},
  };
  if (redisDown !== undefined) context.progress.log(`  ! rest-publish on the in-memory bus: ${redisDown}`);
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    const runs = await publishRuns(context, result.bus, repeat);
    for (const path of PUBLISH_PATHS) recordRun(result.paths[path], 'ours', runs[path]);
    context.progress.step(
      `rest publish: ${PUBLISHERS.rest} REST publishers against Express alone · run ${repeat}/${options.repeats}`,
    );
    recordRun(result.expressFloor!, 'ours', await expressFloorRun(context));
  }
  return result;
}

/** The 16 single-message REST publishers against a bare Express route: requests/s and CPU per request. */
async function expressFloorRun(context: BenchContext): Promise<ExpressFloorRun | string> {
  const target = new Child<TargetCommand, TargetMessage>(EXPRESS_TARGET, {
    cpus: context.serverCpus,
    env: { ...process.env },
    label: 'express floor',
  });
  const agent = keepAliveAgent(ROOMS);
  try {
    const { port } = await target.next('ready', START_TIMEOUT_MS, 'failed');
    const endpoint = { host: '127.0.0.1', port, agent };
    const sequence = new Sequence();
    const senders = Array.from({ length: ROOMS }, (_, i) => new RestSender(`publish-${i}`, sequence, endpoint, 1));
    const window = await measureWindow(context, target.pid, senders, () => answered(senders), 'answered');
    if (window.count === 0) return `nothing answered${failedRequests(window.errors)}`;
    return {
      requestsPerSec: window.count / window.seconds,
      serverCpu: window.serverCpu,
      serverCpuMicrosPerRequest: window.serverCpuMicros / window.count,
      loadCpu: window.loadCpu,
      errors: window.errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    context.progress.log(`  ! rest publish, Express floor: ${message}`);
    return message;
  } finally {
    agent.destroy();
    await target.stop({ type: 'exit' }, EXIT_TIMEOUT_MS);
  }
}

function answered(senders: Sender[]): number {
  return senders.reduce((n, sender) => n + sender.accepted, 0);
}

function startTarget(context: BenchContext, bus: PublishResult['bus'], prefix: string): Target {
  return new Child<TargetCommand, TargetMessage>(CHAT_TARGET, {
    cpus: context.serverCpus,
    nodeArgs: ['--expose-gc'],
    env: {
      ...process.env,
      BUS: bus,
      REDIS_URL: context.options.redisUrl,
      REDIS_PREFIX: prefix,
      AUTH_JWT_SECRET: '',
      // Every publisher sends as fast as its answers come back, from one address.
      CHAT_RATE_LIMIT_PER_SECOND: '0',
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
      CHAT_ROOM_CREATE_PER_MINUTE: '0',
    },
    label: 'chat instance',
  });
}

async function publishRuns(
  context: BenchContext,
  bus: PublishResult['bus'],
  repeat: number,
): Promise<Record<PublishPath, PublishRun | string>> {
  const { options, progress } = context;
  const prefix = `bench:${randomBytes(6).toString('hex')}:`;
  const target = startTarget(context, bus, prefix);
  const sockets: WebSocket[] = [];
  const agent = keepAliveAgent(ROOMS);
  const runs = {} as Record<PublishPath, PublishRun | string>;
  try {
    const { port } = await target.next('ready', START_TIMEOUT_MS, 'failed');
    const url = `ws://127.0.0.1:${port}/chat`;
    const rooms = Array.from({ length: ROOMS }, (_, i) => `publish-${i}`);
    for (const room of rooms) {
      const socket = await openChat(url);
      sockets.push(socket);
      await joinRooms(socket, [room]);
    }
    const receiverSocket = await openChat(url);
    sockets.push(receiverSocket);
    await joinRooms(receiverSocket, rooms);
    const receiver = new PublishReceiver(receiverSocket);
    const sequence = new Sequence();
    const endpoint = { host: '127.0.0.1', port, agent };
    const sendersOf: Record<PublishPath, () => Sender[]> = {
      ws: () => rooms.map((room, i) => new WsSender(room, sequence, sockets[i])),
      rest: () => rooms.map((room) => new RestSender(room, sequence, endpoint, 1)),
      batch: () => rooms.slice(0, PUBLISHERS.batch).map((room) => new RestSender(room, sequence, endpoint, BATCH_SIZE)),
    };
    for (const path of PUBLISH_PATHS) {
      progress.step(`rest publish: ${describePath(path)} · run ${repeat}/${options.repeats}`);
      runs[path] = await pathRun(context, target.pid, receiver, sendersOf[path]());
    }
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! rest publish: ${message}`);
    for (const path of PUBLISH_PATHS) runs[path] ??= message;
  } finally {
    agent.destroy();
    for (const socket of sockets) socket.terminate();
    await target.stop({ type: 'exit' }, EXIT_TIMEOUT_MS);
    if (bus === 'redis') {
      await deleteKeys(options.redisUrl, prefix).catch((error: unknown) =>
        progress.log(`  ! could not delete the Redis keys under ${prefix}: ${(error as Error).message}`),
      );
    }
  }
  return runs;
}

function describePath(path: PublishPath): string {
  if (path === 'ws') return `${PUBLISHERS.ws} WebSocket publishers`;
  if (path === 'rest') return `${PUBLISHERS.rest} REST publishers (keep-alive)`;
  return `${PUBLISHERS.batch} REST batch publishers x ${BATCH_SIZE}`;
}

async function pathRun(
  context: BenchContext,
  pid: number,
  receiver: PublishReceiver,
  senders: Sender[],
): Promise<PublishRun | string> {
  const delivered = (): number => receiver.messages;
  const window = await measureWindow(context, pid, senders, delivered, 'delivered', () => receiver.mark());
  if (window.errors > 0) {
    const last = senders.find((sender) => sender.lastError !== undefined)?.lastError;
    context.progress.log(`  ! rest publish: ${window.errors} failed requests, last: ${last}`);
  }
  if (window.count === 0) return `nothing delivered${failedRequests(window.errors)}`;
  return {
    messagesPerSec: window.count / window.seconds,
    p50: receiver.histogram.quantile(0.5),
    p99: receiver.histogram.quantile(0.99),
    serverCpu: window.serverCpu,
    serverCpuMicrosPerMessage: window.serverCpuMicros / window.count,
    loadCpu: window.loadCpu,
    errors: window.errors,
  };
}

interface MeasuredWindow {
  /** What `count` went up by while measuring. */
  count: number;
  seconds: number;
  /** % of one core, and in total (µs). */
  serverCpu: number;
  serverCpuMicros: number;
  /** This process: the publishers (and the receiver). */
  loadCpu: number;
  /** Failed requests while measuring. */
  errors: number;
}

/** Starts the senders, warms up, measures (`startMeasuring` first), and stops them. */
async function measureWindow(
  context: BenchContext,
  pid: number,
  senders: Sender[],
  count: () => number,
  what: string,
  startMeasuring: () => void = () => {},
): Promise<MeasuredWindow> {
  const { options } = context;
  const errorsSoFar = (): number => senders.reduce((n, sender) => n + sender.errors, 0);
  for (const sender of senders) sender.start();
  try {
    await sleepWithProgress(context, options.warmupMs, 'warm-up', count, what);
    startMeasuring();
    const count0 = count();
    const errors0 = errorsSoFar();
    const cpu0 = cpuSeconds(pid);
    const load0 = process.cpuUsage();
    const start = performance.now();
    await sleepWithProgress(context, options.measureMs, 'measuring', count, what);
    const cpu1 = cpuSeconds(pid);
    const load = process.cpuUsage(load0);
    const seconds = (performance.now() - start) / 1000;
    const serverCpu = cpuPercent(cpu0, cpu1, seconds);
    return {
      count: count() - count0,
      seconds,
      serverCpu,
      serverCpuMicros: (serverCpu / 100) * seconds * 1e6,
      loadCpu: ((load.user + load.system) / 1e6 / seconds) * 100,
      errors: errorsSoFar() - errors0,
    };
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
  }
}

function failedRequests(errors: number): string {
  return errors > 0 ? ` (${errors} failed requests)` : '';
}

async function sleepWithProgress(
  context: BenchContext,
  ms: number,
  phase: string,
  count: () => number,
  what: string,
): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(PROGRESS_EVERY_MS, ms - (performance.now() - start))));
    context.progress.update(
      `${phase} ${((performance.now() - start) / 1000).toFixed(1)}/${(ms / 1000).toFixed(1)}s · ${count().toLocaleString('en-US')} ${what}`,
    );
  }
}
