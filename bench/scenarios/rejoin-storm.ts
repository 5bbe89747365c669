import { performance } from 'node:perf_hooks';
import { Child } from '../child.js';
import type { BenchContext } from '../context.js';
import { LoadPool, type PoolReport } from '../load-pool.js';
import type { TargetCommand, TargetMessage } from '../messages.js';
import { cpuSeconds } from '../proc.js';
import { recordRun, type StormResult, type StormRun } from '../report/results.js';
import { CHAT_TARGET, EXIT_TIMEOUT_MS, START_TIMEOUT_MS } from './chat-instance.js';

const PATH = '/chat';
const ROOM = 'storm';
/** The joins are sent within this long: a restarted instance's clients coming back. */
const SPREAD_MS = 1000;
const POLL_MS = 50;
/** Presence has settled once no frame arrived for this long (well past the presence window). */
const QUIET_MS = 1000;
const STORM_TIMEOUT_MS = 120_000;

type Target = Child<TargetCommand, TargetMessage>;

export function rejoinStormSteps(options: BenchContext['options']): number {
  return 2 * options.repeats;
}

/**
 * A reconnect storm against one instance of the real service (createApp, in-memory bus, its
 * default presence settings): N clients, connected beforehand, all join within a second, into
 * one room, then (a fresh instance) each into a room of its own. Reports the time until every
 * client has its `joined` reply, the server's CPU until presence has settled, and the presence
 * frames delivered. Issue 15's target: one room costs at most 2x the rooms of one.
 */
export async function runRejoinStorm(context: BenchContext): Promise<StormResult> {
  const { options, progress } = context;
  const result: StormResult = { clients: options.stormClients, spreadMs: SPREAD_MS, oneRoom: {}, roomsOfOne: {} };
  const n = options.stormClients.toLocaleString('en-US');
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    progress.step(`rejoin storm: ${n} clients into one room · run ${repeat}/${options.repeats}`);
    recordRun(result.oneRoom, 'ours', await stormRun(context, ROOM));
    progress.step(`rejoin storm: ${n} clients into ${n} rooms of one · run ${repeat}/${options.repeats}`);
    recordRun(result.roomsOfOne, 'ours', await stormRun(context, undefined));
  }
  return result;
}

function startTarget(context: BenchContext): Target {
  return new Child<TargetCommand, TargetMessage>(CHAT_TARGET, {
    cpus: context.serverCpus,
    nodeArgs: ['--expose-gc'],
    env: {
      ...process.env,
      BUS: 'memory',
      AUTH_JWT_SECRET: '',
      // Thousands of clients from a few addresses, each creating a room in the rooms-of-one storm.
      CHAT_RATE_LIMIT_PER_SECOND: '0',
      CHAT_ROOM_CREATE_PER_MINUTE: '0',
    },
    label: 'chat instance',
  });
}

async function stormRun(context: BenchContext, room: string | undefined): Promise<StormRun | string> {
  const { options, progress } = context;
  const target = startTarget(context);
  let pool: LoadPool | undefined;
  try {
    const { port } = await target.next('ready', START_TIMEOUT_MS, 'failed');
    const timeout = context.connectTimeoutMs(options.stormClients);
    const shares = context.shares(options.stormClients);
    pool = await LoadPool.start(
      shares.map((connections, worker) => ({
        kind: 'chat-storm' as const,
        endpoint: { host: '127.0.0.1', port, path: PATH },
        localAddress: context.sourceAddress(),
        connectTimeoutMs: timeout,
        connections,
        room,
        roomPrefix: `storm-${worker}-`,
        spreadMs: SPREAD_MS,
      })),
      context.loadCpus,
      timeout,
    );
    const cpu0 = cpuSeconds(target.pid) ?? Number.NaN;
    const start = performance.now();
    pool.start();
    let report: PoolReport = await pool.report();
    let allJoinedMs: number | undefined;
    let lastPresence = -1;
    let quietSince = performance.now();
    while (performance.now() - start < STORM_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      report = await pool.report();
      const now = performance.now();
      if (allJoinedMs === undefined && report.total.messages >= options.stormClients) allJoinedMs = now - start;
      if (report.total.presence !== lastPresence) {
        lastPresence = report.total.presence;
        quietSince = now;
      }
      progress.update(
        `${report.total.messages.toLocaleString('en-US')} joined · ${report.total.presence.toLocaleString('en-US')} presence`,
      );
      if (allJoinedMs !== undefined && now - quietSince >= QUIET_MS) break;
      if (report.total.errors > 0) break;
    }
    // The quiet tail is waiting, not work: the CPU reading covers it, the time does not matter.
    const serverCpuSeconds = (cpuSeconds(target.pid) ?? Number.NaN) - cpu0;
    if (allJoinedMs === undefined) {
      return `${report.total.messages} of ${options.stormClients} joined${report.lastError ? `; last error: ${report.lastError}` : ''}`;
    }
    return {
      allJoinedMs,
      serverCpuSeconds,
      presenceDeliveries: report.total.presence,
      errors: report.total.errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! rejoin storm: ${message}`);
    return message;
  } finally {
    await pool?.close();
    await target.stop({ type: 'exit' }, EXIT_TIMEOUT_MS);
  }
}
