import type { BenchContext } from '../context.js';
import { LoadPool } from '../load-pool.js';
import type { WorkerJob } from '../messages.js';
import type { BenchOptions } from '../options.js';
import { type ChatFanoutResult, type ChatFanoutRun, recordRun } from '../report/results.js';
import type { TargetName } from '../targets.js';
import { drain, type Pools } from './broadcast.js';
import { measureWindow } from './measure.js';
import { type TargetSession, withTargets } from './targets-session.js';

const ROOM = 'fanout';
/** Joining is a presence notice to the members already in the room: more time than a plain connect. */
const JOIN_MS_PER_RECEIVER = 20;
const DRAIN_MS = 5000;
/** Receivers on a busy load CPU fall behind: the drain may wait this long per delivery sent. */
const DRAIN_MICROS_PER_DELIVERY = 10;

/**
 * The service's fan-out is a chat room on `/chat`; the bench app's and ws's is `/broadcast`.
 * The raw echo server has none.
 */
export function chatFanoutTargets(options: BenchOptions): TargetName[] {
  return options.targets.filter((name) => name !== 'raw');
}

export function chatFanoutSteps(options: BenchOptions): number {
  return options.repeats * chatFanoutTargets(options).length;
}

export interface FanoutSetup {
  port: number;
  /** Receivers per load process. */
  shares: readonly number[];
  broadcastSize: number;
  connectTimeoutMs: number;
  /** The next source address (one per load process). */
  sourceAddress: () => string | undefined;
}

/** What the cell drives on `name`: the service's chat room, or the bench app's broadcast. */
export function fanoutJobs(name: TargetName, setup: FanoutSetup): { receivers: WorkerJob[]; sender: WorkerJob } {
  const chat = name === 'service';
  const endpoint = { host: '127.0.0.1', port: setup.port, path: chat ? '/chat' : '/broadcast' };
  const base = () => ({ endpoint, localAddress: setup.sourceAddress(), connectTimeoutMs: setup.connectTimeoutMs });
  const receivers = setup.shares.map((connections): WorkerJob =>
    chat
      ? { kind: 'chat-receivers', ...base(), connections, room: ROOM }
      : { kind: 'receivers', ...base(), connections },
  );
  // The sender connects last: its own copy arrives after every receiver's.
  const sender: WorkerJob = chat
    ? { kind: 'chat-sender', ...base(), room: ROOM }
    : { kind: 'sender', ...base(), size: setup.broadcastSize };
  return { receivers, sender };
}

/**
 * Issue 16's fan-out cell: N receivers (default 1,000) in one chat room of the service (`node
 * dist/main.js`, CHAT_RATE_LIMIT_PER_SECOND=0), where one more member posts stamped messages at a
 * fixed rate (default 100/s), next to the same rate broadcast to N receivers of the bench app's
 * `/broadcast` on ours, platform-ws and ws. End-to-end latency from the send time inside each
 * message, server CPU per delivery, and deliveries missing after a drain.
 */
export async function runChatFanout(context: BenchContext): Promise<ChatFanoutResult> {
  const { options } = context;
  const result: ChatFanoutResult = {
    receivers: options.chatFanoutReceivers,
    ratePerSec: options.chatFanoutRate,
    targets: {},
  };
  const names = chatFanoutTargets(options);
  // The service with the chat cell's environment; the others as the bench app.
  await withTargets(
    context,
    'chat-fanout',
    (chatTargets) =>
      withTargets(context, 'chat-fanout', async (appTargets) => {
        for (let repeat = 1; repeat <= options.repeats; repeat++) {
          for (const name of names) {
            context.progress.step(
              `chat fan-out to ${result.receivers.toLocaleString('en-US')} at ${result.ratePerSec}/s · ${name} · run ${repeat}/${options.repeats}`,
            );
            const targets = name === 'service' ? chatTargets : appTargets;
            recordRun(result.targets, name, await fanoutRun(context, targets, name));
          }
        }
      }),
    true,
  );
  return result;
}

async function fanoutRun(
  context: BenchContext,
  targets: TargetSession,
  name: TargetName,
): Promise<ChatFanoutRun | string> {
  const { options, progress } = context;
  const receivers = options.chatFanoutReceivers;
  let pools: Pools | undefined;
  try {
    const target = await targets.get(name);
    const timeout = context.connectTimeoutMs(receivers) + receivers * JOIN_MS_PER_RECEIVER;
    const jobs = fanoutJobs(name, {
      port: target.port,
      shares: context.shares(receivers),
      broadcastSize: options.broadcastSize,
      connectTimeoutMs: timeout,
      sourceAddress: () => context.sourceAddress(),
    });
    const receiverPool = await LoadPool.start(jobs.receivers, context.loadCpus, timeout);
    try {
      pools = { receivers: receiverPool, sender: await LoadPool.start([jobs.sender], context.loadCpus, timeout) };
    } catch (error) {
      await receiverPool.close();
      throw error;
    }
    pools.receivers.start(undefined, 0);
    pools.sender.start({ mode: 'rate', perSecond: options.chatFanoutRate });
    const window = await measureWindow([pools.receivers, pools.sender], target.pid, options, progress, 'deliveries');
    const [received, sender] = window.reports;
    const drainMs = DRAIN_MS + (sender.total.sent * receivers * DRAIN_MICROS_PER_DELIVERY) / 1000;
    const drained = await drain(pools, receivers, drainMs);
    const lost = drained.sent * receivers - drained.received;
    const errors = received.total.errors + sender.total.errors;
    if (errors > 0) progress.log(`  ! ${name}: ${errors} errors, last: ${received.lastError ?? sender.lastError}`);
    if (lost > 0) progress.log(`  ! ${name}: lost ${lost} deliveries`);
    const deliveries = received.window.messages;
    return {
      deliveriesPerSec: deliveries / window.seconds,
      p50: received.histogram.quantile(0.5),
      p99: received.histogram.quantile(0.99),
      serverCpu: window.serverCpu,
      serverSystemCpu: window.serverSystemCpu,
      loadCpu: window.loadCpu,
      serverCpuMicrosPerDelivery:
        deliveries > 0 ? ((window.serverCpu / 100) * window.seconds * 1e6) / deliveries : Number.NaN,
      lost,
      errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} chat fan-out: ${message}`);
    return message;
  } finally {
    await Promise.all([pools?.sender.close(), pools?.receivers.close()]);
  }
}
