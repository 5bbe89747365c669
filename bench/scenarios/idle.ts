import type { BenchContext } from '../context.js';
import { LoadPool } from '../load-pool.js';
import type { BenchOptions } from '../options.js';
import { type IdleResult, type IdleRun, recordRun } from '../report/results.js';
import type { RunningTarget, TargetName } from '../targets.js';
import { HANDSHAKE_PATH } from './handshake.js';

/** Connections opened and closed before the baseline, so lazy code paths are loaded by then. */
const WARM_CONNECTIONS = 200;
/** Time for the server to finish its side of connects/resets before memory is read. */
const SETTLE_MS = 500;
const OPEN_CONCURRENCY = 64;
const MIB = 1024 * 1024;

/** Memory is read after a full GC the target runs on request: the service takes no requests. */
function idleTargets(options: BenchOptions): TargetName[] {
  return options.targets.filter((name) => name !== 'service');
}

export function idleSteps(options: BenchOptions): number {
  return options.repeats * idleTargets(options).length;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/**
 * Scenario C: memory per idle connection. A fresh target per run: warm it up, take the
 * baseline RSS after a full GC, then open connections up to each count (spread over several
 * load processes and 127.0.0.x source addresses) and read the RSS again after a full GC.
 */
export async function runIdle(context: BenchContext): Promise<IdleResult[]> {
  const { options } = context;
  const counts = [...options.idleConnections].sort((a, b) => a - b);
  const results: IdleResult[] = counts.map((connections) => ({ connections, targets: {} }));
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    for (const name of idleTargets(options)) {
      context.progress.step(`idle ${counts.join('/')} connections · ${name} · run ${repeat}/${options.repeats}`);
      const runs = await idleRun(context, name, counts);
      runs.forEach((run, i) => recordRun(results[i].targets, name, run));
    }
  }
  return results;
}

async function idleRun(
  context: BenchContext,
  name: TargetName,
  counts: readonly number[],
): Promise<Array<IdleRun | string>> {
  const { progress } = context;
  const pools: LoadPool[] = [];
  let target: RunningTarget | undefined;
  const runs: Array<IdleRun | string> = [];
  try {
    target = await context.startTarget(name, 'idle');
    const open = async (connections: number): Promise<void> => {
      const shares = context.shares(connections, 2);
      const timeout = context.connectTimeoutMs(connections);
      pools.push(
        await LoadPool.start(
          shares.map((share) => ({
            kind: 'idle' as const,
            endpoint: { host: '127.0.0.1', port: target!.port, path: HANDSHAKE_PATH },
            localAddress: context.sourceAddress(),
            connectTimeoutMs: timeout,
            connections: share,
            concurrency: OPEN_CONCURRENCY,
          })),
          context.loadCpus,
          timeout,
        ),
      );
    };

    progress.update('warming up');
    await open(WARM_CONNECTIONS);
    await pools.pop()!.close();
    await settle();
    const baseline = await target.settledRss();
    if (baseline === undefined) throw new Error('no /proc: cannot read the RSS');

    let opened = 0;
    for (const count of counts) {
      progress.update(`opening ${count.toLocaleString('en-US')} connections`);
      await open(count - opened);
      opened = count;
      await settle();
      progress.update(`${count.toLocaleString('en-US')} open · full GC`);
      const rss = await target.settledRss();
      const reports = await Promise.all(pools.map((pool) => pool.report()));
      const stillOpen = reports.reduce((n, report) => n + report.open, 0);
      if (rss === undefined) throw new Error('no /proc: cannot read the RSS');
      if (stillOpen !== count)
        throw new Error(`${count - stillOpen} of ${count} connections were closed by the server`);
      runs.push({
        rssPerConnectionKiB: (rss - baseline) / count / 1024,
        rssMiB: rss / MIB,
        baselineRssMiB: baseline / MIB,
      });
    }
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} idle: ${message}`);
    while (runs.length < counts.length) runs.push(message);
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    await target?.stop();
  }
  return runs;
}
