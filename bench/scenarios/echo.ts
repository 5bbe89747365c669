import type { BenchContext } from '../context.js';
import { LoadPool } from '../load-pool.js';
import type { BenchOptions, EchoCell } from '../options.js';
import type { Progress } from '../progress.js';
import { type EchoResult, type EchoRun, recordRun } from '../report/results.js';
import { servesPath, type TargetName } from '../targets.js';
import { type MeasuredWindow, measureWindow } from './measure.js';
import { type TargetSession, withTargets } from './targets-session.js';

export function echoCellLabel(cell: EchoCell): string {
  return `${cell.path} ${cell.connections}x${cell.inFlight} ${formatSize(cell.size)}${cell.deflate === true ? ' deflate' : ''}`;
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/**
 * The targets that serve the cell's path (the service has `/echo`, not the bench app's
 * `/nest-echo`); with `+deflate` those that negotiate permessage-deflate (not the raw echo).
 */
function cellTargets(options: BenchOptions, cell: EchoCell): TargetName[] {
  return options.targets.filter((name) => servesPath(name, cell.path) && (cell.deflate !== true || name !== 'raw'));
}

export function echoSteps(options: BenchOptions): number {
  return options.echoCells.reduce((steps, cell) => steps + options.repeats * cellTargets(options, cell).length, 0);
}

/**
 * Scenario A: closed-loop echo over the grid of connections x in-flight x size, on `/nest-echo`
 * (@SubscribeMessage) and `/echo` (raw gateway). Every target runs each cell in turn within a
 * repeat, so drift on a busy machine hits them alike. The raw echo target is the load
 * generator's ceiling.
 */
export async function runEcho(context: BenchContext): Promise<EchoResult[]> {
  const { options } = context;
  const results: EchoResult[] = options.echoCells.map((cell) => ({ cell, targets: {} }));
  await withTargets(context, 'echo', async (targets) => {
    for (const [i, cell] of options.echoCells.entries()) {
      for (let repeat = 1; repeat <= options.repeats; repeat++) {
        for (const name of cellTargets(options, cell)) {
          context.progress.step(`echo ${echoCellLabel(cell)} · ${name} · run ${repeat}/${options.repeats}`);
          recordRun(results[i].targets, name, await echoRun(context, targets, name, cell));
        }
      }
    }
  });
  return results;
}

async function echoRun(
  context: BenchContext,
  targets: TargetSession,
  name: TargetName,
  cell: EchoCell,
): Promise<EchoRun | string> {
  const { options, progress } = context;
  let pool: LoadPool | undefined;
  try {
    const target = await targets.get(name);
    pool = await LoadPool.start(
      [
        {
          kind: 'echo',
          endpoint: { host: '127.0.0.1', port: target.port, path: cell.path },
          localAddress: context.sourceAddress(),
          connectTimeoutMs: context.connectTimeoutMs(cell.connections),
          connections: cell.connections,
          inFlight: cell.inFlight,
          size: cell.size,
          json: cell.path === '/nest-echo',
          deflate: cell.deflate === true,
        },
      ],
      context.loadCpus,
      context.connectTimeoutMs(cell.connections),
    );
    pool.start();
    const window = await measureWindow([pool], target.pid, options, progress, 'msg');
    return closedLoopRun(window, progress, target.name);
  } catch (error) {
    const message = (error as Error).message;
    progress.log(`  ! ${name} ${echoCellLabel(cell)}: ${message}`);
    return message;
  } finally {
    await pool?.close();
  }
}

/** A closed-loop window's figures (echo, chat round trip): messages are round trips. */
export function closedLoopRun(window: MeasuredWindow, progress: Progress, name: TargetName): EchoRun {
  const [report] = window.reports;
  const messages = report.window.messages;
  if (report.total.errors > 0) progress.log(`  ! ${name}: ${report.total.errors} errors, last: ${report.lastError}`);
  return {
    messagesPerSec: messages / window.seconds,
    megabytesPerSec: report.window.bytes / window.seconds / 1e6,
    p50: report.histogram.quantile(0.5),
    p99: report.histogram.quantile(0.99),
    serverCpu: window.serverCpu,
    serverSystemCpu: window.serverSystemCpu,
    loadCpu: window.loadCpu,
    serverCpuMicrosPerMessage: messages > 0 ? ((window.serverCpu / 100) * window.seconds * 1e6) / messages : Number.NaN,
    errors: report.total.errors,
  };
}
