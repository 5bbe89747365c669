import type { BenchContext } from '../context.js';
import { LoadPool, type PoolReport } from '../load-pool.js';
import type { SendMode } from '../messages.js';
import type { BenchOptions } from '../options.js';
import { type BroadcastResult, type BroadcastRun, recordRun } from '../report/results.js';
import type { RunningTarget, TargetName } from '../targets.js';
import { measureWindow } from './measure.js';
import { type TargetSession, withTargets } from './targets-session.js';

const PATH = '/broadcast';
const DRAIN_POLL_MS = 100;
/** A generous per-delivery cost for bounding the drain: the slowest stacks need about 10 µs. */
const DRAIN_MICROS_PER_DELIVERY = 25;

/** Batch reading period at max rate: per-socket delivery rates fall as receivers grow. */
function readEveryMs(receivers: number): number {
  return Math.min(500, Math.max(50, Math.round(receivers / 10)));
}

/**
 * The raw echo server has no fan-out, and the service's is a chat room, not the bench app's
 * `/broadcast`; broadcast compares the three WebSocket stacks.
 */
export function broadcastTargets(options: BenchOptions): TargetName[] {
  return options.targets.filter((name) => name !== 'raw' && name !== 'service');
}

export function broadcastSteps(options: BenchOptions): number {
  return options.broadcastReceivers.length * options.repeats * broadcastTargets(options).length;
}

/**
 * Scenario B: one publisher, N receivers, every message fanned out to all of them. Phase 1 at
 * max rate (the publisher keeps a few broadcasts unacknowledged): deliveries/s and server CPU
 * per delivery. Phase 2 on the same connections at a fixed rate every target sustains:
 * end-to-end latency from the send time inside each message. After each phase the publisher
 * stops and the receivers drain; whatever did not arrive is counted as lost.
 */
export async function runBroadcast(context: BenchContext): Promise<BroadcastResult[]> {
  const { options } = context;
  const names = broadcastTargets(options);
  const results: BroadcastResult[] = options.broadcastReceivers.map((receivers) => ({ receivers, targets: {} }));
  await withTargets(context, 'broadcast', async (targets) => {
    for (const [i, receivers] of options.broadcastReceivers.entries()) {
      for (let repeat = 1; repeat <= options.repeats; repeat++) {
        for (const name of names) {
          context.progress.step(
            `broadcast to ${receivers.toLocaleString('en-US')} · ${name} · run ${repeat}/${options.repeats}`,
          );
          recordRun(results[i].targets, name, await broadcastRun(context, targets, name, receivers));
        }
      }
    }
  });
  return results;
}

export interface Pools {
  receivers: LoadPool;
  sender: LoadPool;
}

async function openPools(context: BenchContext, target: RunningTarget, receivers: number): Promise<Pools> {
  const endpoint = { host: '127.0.0.1', port: target.port, path: PATH };
  const timeout = context.connectTimeoutMs(receivers);
  const receiverPool = await LoadPool.start(
    context.shares(receivers).map((connections) => ({
      kind: 'receivers' as const,
      endpoint,
      localAddress: context.sourceAddress(),
      connectTimeoutMs: timeout,
      connections,
    })),
    context.loadCpus,
    timeout,
  );
  try {
    // The sender connects last, so the server's fan-out loop reaches it after every receiver.
    const sender = await LoadPool.start(
      [
        {
          kind: 'sender',
          endpoint,
          localAddress: context.sourceAddress(),
          connectTimeoutMs: timeout,
          size: context.options.broadcastSize,
        },
      ],
      context.loadCpus,
      timeout,
    );
    return { receivers: receiverPool, sender };
  } catch (error) {
    await receiverPool.close();
    throw error;
  }
}

export interface Drained {
  sent: number;
  received: number;
}

/** Stops the sender and waits (bounded) until every delivery of what it sent has arrived. */
export async function drain(pools: Pools, receivers: number, timeoutMs: number): Promise<Drained> {
  pools.sender.stopSending();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Ask the sender after it has processed 'stop-sending' (IPC keeps order).
    const [sender, received]: [PoolReport, PoolReport] = await Promise.all([
      pools.sender.report(),
      pools.receivers.report(),
    ]);
    const drained = { sent: sender.total.sent, received: received.total.messages };
    if (drained.received >= drained.sent * receivers || Date.now() >= deadline) return drained;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

async function broadcastRun(
  context: BenchContext,
  targets: TargetSession,
  name: TargetName,
  receivers: number,
): Promise<BroadcastRun | string> {
  const { options, progress } = context;
  // At max rate up to `window` fan-outs are queued in the server when the publisher stops.
  const drainTimeout = 3000 + (options.broadcastWindow * receivers * DRAIN_MICROS_PER_DELIVERY) / 1000;
  let pools: Pools | undefined;
  try {
    const target = await targets.get(name);
    pools = await openPools(context, target, receivers);
    const both = [pools.receivers, pools.sender];

    const maxMode: SendMode = { mode: 'max', window: options.broadcastWindow };
    pools.receivers.start(undefined, readEveryMs(receivers));
    pools.sender.start(maxMode);
    const max = await measureWindow(both, target.pid, options, progress, 'deliveries');
    const [maxReceived, maxSender] = max.reports;
    const afterMax = await drain(pools, receivers, drainTimeout);
    const maxLoss = afterMax.sent * receivers - afterMax.received;

    const perSecond = options.broadcastFixedDeliveries / receivers;
    pools.receivers.start(undefined, 0);
    pools.sender.start({ mode: 'rate', perSecond });
    const fixed = await measureWindow(both, target.pid, options, progress, 'deliveries');
    const [fixedReceived] = fixed.reports;
    const afterFixed = await drain(pools, receivers, drainTimeout);
    const fixedLoss = (afterFixed.sent - afterMax.sent) * receivers - (afterFixed.received - afterMax.received);

    const errors = fixedReceived.total.errors + fixed.reports[1].total.errors;
    if (errors > 0) {
      progress.log(`  ! ${name}: ${errors} errors, last: ${fixedReceived.lastError ?? fixed.reports[1].lastError}`);
    }
    if (maxLoss > 0 || fixedLoss > 0)
      progress.log(`  ! ${name}: lost ${maxLoss} (max rate) and ${fixedLoss} (fixed rate) deliveries`);
    const serverDeliveries = maxSender.window.messages * receivers;
    return {
      deliveriesPerSec: serverDeliveries / max.seconds,
      receivedPerSec: maxReceived.window.messages / max.seconds,
      serverCpu: max.serverCpu,
      serverSystemCpu: max.serverSystemCpu,
      loadCpu: max.loadCpu,
      serverCpuMicrosPerDelivery:
        serverDeliveries > 0 ? ((max.serverCpu / 100) * max.seconds * 1e6) / serverDeliveries : Number.NaN,
      maxRateLoss: maxLoss,
      fixedRatePerSec: fixedReceived.window.messages / fixed.seconds,
      p50: fixedReceived.histogram.quantile(0.5),
      p99: fixedReceived.histogram.quantile(0.99),
      fixedRateServerCpu: fixed.serverCpu,
      fixedRateLoss: fixedLoss,
      errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} broadcast to ${receivers}: ${message}`);
    return message;
  } finally {
    await Promise.all([pools?.sender.close(), pools?.receivers.close()]);
  }
}
