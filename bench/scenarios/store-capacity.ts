import { performance } from 'node:perf_hooks';
import { Cluster, Redis } from 'ioredis';
import { resolveIdempotencyWindow } from '../../src/chat/bus/idempotency-window.js';
import { RedisChatStore } from '../../src/chat/bus/redis/redis-chat-store.js';
import { RedisKeys } from '../../src/chat/bus/redis/redis-keys.js';
import { messageEnvelope } from '../../src/chat/bus/redis/redis-wire.js';
import type { BenchContext } from '../context.js';
import { cpuSeconds } from '../proc.js';
import type { RedisServers } from '../redis-servers.js';
import { infoCommandStat } from '../redis-servers.js';
import type { StoreCapacityRun } from '../report/results.js';
import { microsPerMessage } from './cluster-rooms.js';

const PREFIX = 'bench:';
const TEXT = 'x'.repeat(64);
/** As the service stores them (RedisChatBus defaults). */
const LIMITS = { maxLength: 100, ttlMs: 7 * 24 * 3600 * 1000, window: resolveIdempotencyWindow() };
const PROGRESS_EVERY_MS = 250;

/**
 * Redis' side of publishing, without the service: `connections` clients (auto-pipelining: the
 * calls of one event-loop turn leave in one write) each keep `inFlight`
 * RedisChatStore.publish calls (the `chatStore` script, with an idempotency key as a client's
 * acknowledged message has) in flight, round robin over `rooms`, for the warm-up and the
 * measured window. Reports messages/s, each server's CPU (from /proc) and its CPU per message
 * stored (its share of the rooms: they are published to round robin), and the time Redis spent running
 * the script per call (commandstats usec: without the network reads and writes around it).
 */
export async function storeCapacityRun(
  context: BenchContext,
  servers: RedisServers,
  rooms: readonly string[],
  label: string,
): Promise<StoreCapacityRun | string> {
  const { options, progress } = context;
  const keys = new RedisKeys(PREFIX, servers.clustered);
  const clients: Array<Redis | Cluster> = [];
  let stopped = false;
  let done = 0;
  let errors = 0;
  let lastError: string | undefined;
  try {
    for (let i = 0; i < options.capacityConnections; i++) {
      const client = servers.clustered
        ? new Cluster(servers.seeds, { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 0 } })
        : new Redis(servers.url, { enableAutoPipelining: true, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      clients.push(client);
    }
    const stores = clients.map((client, i) => new RedisChatStore(client, keys, `bench-${i}`));
    let next = 0;
    const publishing = stores.flatMap((store, client) =>
      Array.from({ length: options.capacityInFlight }, async () => {
        while (!stopped) {
          const seq = next++;
          const message = {
            room: rooms[seq % rooms.length],
            from: 'bench',
            fromId: `client-${client}`,
            text: TEXT,
            ref: seq,
          };
          try {
            await store.publish(message, messageEnvelope(store.node, message), LIMITS);
            done++;
          } catch (error) {
            errors++;
            lastError = (error as Error).message;
          }
        }
      }),
    );
    // Messages go to the rooms round robin: each server stores its share of the rooms' messages.
    const roomsPerServer = await servers.roomsPerServer(rooms);
    await wait(context, options.warmupMs, () => done, `${label} warm-up`);
    const calls0 = await scriptCalls(servers);
    const cpu0 = servers.pids.map(cpuSeconds);
    const client0 = process.cpuUsage();
    const done0 = done;
    const start = performance.now();
    await wait(context, options.measureMs, () => done, `${label} measuring`);
    const seconds = (performance.now() - start) / 1000;
    const clientUsage = process.cpuUsage(client0);
    const cpu1 = servers.pids.map(cpuSeconds);
    const calls1 = await scriptCalls(servers);
    const messages = done - done0;
    stopped = true;
    await Promise.all(publishing);
    if (errors > 0) progress.log(`  ! ${label}: ${errors} failed publishes, last: ${lastError}`);

    const used = cpu0.map((before, i) =>
      before === undefined || cpu1[i] === undefined ? undefined : cpu1[i]! - before,
    );
    const known = used.filter((value): value is number => value !== undefined);
    const total = known.length === used.length ? known.reduce((a, b) => a + b, 0) : undefined;
    const perServer = used.map((cpu, i) => microsPerMessage(cpu, (messages * roomsPerServer[i]) / rooms.length));
    const scriptCallCount = calls1.reduce((n, after, i) => n + after.calls - calls0[i].calls, 0);
    const scriptUsec = calls1.reduce((n, after, i) => n + after.usec - calls0[i].usec, 0);
    return {
      messagesPerSec: messages / seconds,
      redisCpu: total === undefined ? Number.NaN : (total / seconds) * 100,
      busiestRedisCpu: known.length > 0 ? (Math.max(...known) / seconds) * 100 : Number.NaN,
      redisMicrosPerMessage: microsPerMessage(total, messages),
      busiestMicrosPerMessage: Math.max(...perServer.filter((value) => Number.isFinite(value))),
      scriptMicrosPerMessage: scriptCallCount > 0 ? scriptUsec / scriptCallCount : Number.NaN,
      clientCpu: ((clientUsage.user + clientUsage.system) / 1e6 / seconds) * 100,
      errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${label}: ${message}`);
    return message;
  } finally {
    stopped = true;
    for (const client of clients) client.disconnect();
  }
}

/**
 * The script calls each server has run so far (EVALSHA, and EVAL when a script was not loaded
 * yet), and the µs it spent running them.
 */
async function scriptCalls(servers: RedisServers): Promise<Array<{ calls: number; usec: number }>> {
  return servers.info('commandstats', (info) => {
    const [evalsha, evalScript] = [infoCommandStat(info, 'evalsha'), infoCommandStat(info, 'eval')];
    return { calls: evalsha.calls + evalScript.calls, usec: evalsha.usec + evalScript.usec };
  });
}

async function wait(context: BenchContext, ms: number, done: () => number, phase: string): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(PROGRESS_EVERY_MS, ms - (performance.now() - start))));
    context.progress.update(
      `${phase} ${((performance.now() - start) / 1000).toFixed(1)}/${(ms / 1000).toFixed(1)}s · ${done().toLocaleString('en-US')} stored`,
    );
  }
}
