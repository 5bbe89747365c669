import { performance } from 'node:perf_hooks';
import type { LoadPool, PoolReport } from '../load-pool.js';
import { cpuPercent, type CpuTimes, cpuTimes, totalCpuSeconds } from '../proc.js';
import type { Progress } from '../progress.js';

const PROGRESS_EVERY_MS = 250;

export interface MeasuredWindow {
  seconds: number;
  /** One report per pool, in the order given. */
  reports: PoolReport[];
  /** CPU use of the target over the window, % of one core. */
  serverCpu: number;
  /** The part of serverCpu spent in the kernel (syscalls, loopback TCP). */
  serverSystemCpu: number;
  /** CPU use of all load processes over the window, % of one core. */
  loadCpu: number;
}

export interface WindowTiming {
  warmupMs: number;
  measureMs: number;
}

const total = (times: CpuTimes | undefined): number | undefined =>
  times === undefined ? undefined : times.user + times.system;

/** Waits `ms`, updating the progress line with the message rate of `pools`. */
async function wait(
  ms: number,
  pools: readonly LoadPool[],
  progress: Progress,
  phase: string,
  unit: string,
): Promise<void> {
  const start = performance.now();
  let lastAt = start;
  let lastCount = pools.reduce((n, pool) => n + pool.tickedMessages, 0);
  let rate = '';
  while (performance.now() - start < ms) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(PROGRESS_EVERY_MS, ms - (performance.now() - start))));
    const now = performance.now();
    const count = pools.reduce((n, pool) => n + pool.tickedMessages, 0);
    if (now - lastAt >= PROGRESS_EVERY_MS * 2) {
      rate = ` · ${Math.round(((count - lastCount) * 1000) / (now - lastAt)).toLocaleString('en-US')} ${unit}/s`;
      lastAt = now;
      lastCount = count;
    }
    progress.update(`${phase} ${((now - start) / 1000).toFixed(1)}/${(ms / 1000).toFixed(1)}s${rate}`);
  }
}

/**
 * Warms up, then measures one window: every pool marks its counters, the target's and the load
 * processes' CPU time is read from /proc at both ends, and the pools report what happened
 * in between. Traffic must already be running.
 */
export async function measureWindow(
  pools: readonly LoadPool[],
  serverPid: number,
  timing: WindowTiming,
  progress: Progress,
  unit: string,
): Promise<MeasuredWindow> {
  const loadPids = pools.flatMap((pool) => pool.pids);
  await wait(timing.warmupMs, pools, progress, 'warm-up', unit);
  for (const pool of pools) pool.mark();
  const start = performance.now();
  const server0 = cpuTimes(serverPid);
  const load0 = totalCpuSeconds(loadPids);
  await wait(timing.measureMs, pools, progress, 'measuring', unit);
  const server1 = cpuTimes(serverPid);
  const load1 = totalCpuSeconds(loadPids);
  const seconds = (performance.now() - start) / 1000;
  const reports = await Promise.all(pools.map((pool) => pool.report()));
  return {
    seconds,
    reports,
    serverCpu: cpuPercent(total(server0), total(server1), seconds),
    serverSystemCpu: cpuPercent(server0?.system, server1?.system, seconds),
    loadCpu: cpuPercent(load0, load1, seconds),
  };
}
