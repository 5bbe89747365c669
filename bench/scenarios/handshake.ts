import type { BenchContext } from '../context.js';
import { LoadPool } from '../load-pool.js';
import type { BenchOptions } from '../options.js';
import { type ByTarget, type HandshakeRun, recordRun } from '../report/results.js';
import type { TargetName } from '../targets.js';
import { measureWindow } from './measure.js';
import { type TargetSession, withTargets } from './targets-session.js';

/** Handshakes go to the gateway a Nest user would connect to: one with @SubscribeMessage handlers. */
export const HANDSHAKE_PATH = '/nest-echo';
/** The service's lightest gateway; its connection log (two lines per connection) is on. */
export const SERVICE_HANDSHAKE_PATH = '/echo';

export function handshakeSteps(options: BenchOptions): number {
  return options.repeats * options.targets.length;
}

/**
 * Scenario D: connection set-up rate. Several load processes each run a number of lanes that
 * connect, upgrade, close (close handshake, server closes TCP) and start over.
 */
export async function runHandshake(context: BenchContext): Promise<ByTarget<HandshakeRun>> {
  const { options } = context;
  const byTarget: ByTarget<HandshakeRun> = {};
  await withTargets(context, 'handshake', async (targets) => {
    for (let repeat = 1; repeat <= options.repeats; repeat++) {
      for (const name of options.targets) {
        context.progress.step(`handshakes ${HANDSHAKE_PATH} · ${name} · run ${repeat}/${options.repeats}`);
        recordRun(byTarget, name, await handshakeRun(context, targets, name));
      }
    }
  });
  return byTarget;
}

async function handshakeRun(
  context: BenchContext,
  targets: TargetSession,
  name: TargetName,
): Promise<HandshakeRun | string> {
  const { options, progress } = context;
  let pool: LoadPool | undefined;
  try {
    const target = await targets.get(name);
    const timeout = context.connectTimeoutMs(options.handshakeConcurrency);
    pool = await LoadPool.start(
      Array.from({ length: options.handshakeWorkers }, () => ({
        kind: 'handshake' as const,
        endpoint: {
          host: '127.0.0.1',
          port: target.port,
          path: name === 'service' ? SERVICE_HANDSHAKE_PATH : HANDSHAKE_PATH,
        },
        // No explicit bind: it costs the load generator a fifth of its time per handshake, and
        // the server closes first, so client ports are free again at once.
        localAddress: undefined,
        connectTimeoutMs: timeout,
        concurrency: options.handshakeConcurrency,
      })),
      context.loadCpus,
      timeout,
    );
    pool.start();
    const window = await measureWindow([pool], target.pid, options, progress, 'handshakes');
    pool.stopSending();
    const [report] = window.reports;
    const handshakes = report.window.messages;
    if (report.total.errors > 0)
      progress.log(`  ! ${name}: ${report.total.errors} failed handshakes, last: ${report.lastError}`);
    return {
      handshakesPerSec: handshakes / window.seconds,
      serverCpu: window.serverCpu,
      serverSystemCpu: window.serverSystemCpu,
      loadCpu: window.loadCpu,
      serverCpuMicrosPerHandshake:
        handshakes > 0 ? ((window.serverCpu / 100) * window.seconds * 1e6) / handshakes : Number.NaN,
      errors: report.total.errors,
    };
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} handshakes: ${message}`);
    return message;
  } finally {
    await pool?.close();
  }
}
