import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Process accounting read from outside the process, through /proc (Linux). Everything returns
 * undefined where /proc is not available, and the reports then show "n/a" instead of guessing.
 */

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface CpuTimes {
  user: number;
  system: number;
}

/** User and system CPU seconds the process (all its threads) has used so far. */
export function cpuTimes(pid: number): CpuTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of proc(5); `fields` starts at field 3.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  const hz = clockTicksPerSecond();
  return { user: user / hz, system: system / hz };
}

/** User + system CPU seconds. */
export function cpuSeconds(pid: number): number | undefined {
  const times = cpuTimes(pid);
  return times === undefined ? undefined : times.user + times.system;
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const line = status.split('\n').find((entry) => entry.startsWith('VmRSS:'));
  if (line === undefined) return undefined;
  const kib = Number(line.slice('VmRSS:'.length).trim().split(/\s+/)[0]);
  return Number.isFinite(kib) ? kib * 1024 : undefined;
}

/** CPU use between two readings, as a percentage of one core; NaN when unknown. */
export function cpuPercent(before: number | undefined, after: number | undefined, seconds: number): number {
  if (before === undefined || after === undefined || seconds <= 0) return Number.NaN;
  return ((after - before) / seconds) * 100;
}

/** Sums cpuSeconds over several processes; undefined if any is unreadable. */
export function totalCpuSeconds(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const seconds = cpuSeconds(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}
