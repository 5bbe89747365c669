import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as os from 'node:os';

export interface Pinning {
  /** CPU list for the target server (taskset -c). */
  server: string;
  /** CPU list for the load generator processes and the coordinator. */
  load: string;
}

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  /** Null when the server and the load generator share the CPUs (no taskset or one CPU). */
  pinning: Pinning | null;
  /** 127.0.0.x source addresses the load generator may bind; only 127.0.0.1 on some systems. */
  sourceAddresses: string[];
}

/** The CPUs this process may run on, from taskset; undefined without taskset. */
function allowedCpus(): number[] | undefined {
  const result = spawnSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  if (result.status !== 0 || typeof result.stdout !== 'string') return undefined;
  const list = result.stdout.slice(result.stdout.lastIndexOf(':') + 1).trim();
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (!Number.isInteger(from)) continue;
    for (let cpu = from; cpu <= (Number.isInteger(to) ? to : from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

function detectPinning(): Pinning | null {
  const cpus = allowedCpus();
  if (cpus === undefined || cpus.length < 2) return null;
  // Server on one CPU, everything else (load, coordinator) on the rest.
  return { server: String(cpus[0]), load: cpus.slice(1).join(',') };
}

function canListenOn(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/** Linux routes all of 127.0.0.0/8 to loopback; elsewhere only 127.0.0.1 may exist. */
async function detectSourceAddresses(count: number): Promise<string[]> {
  if (!(await canListenOn('127.0.0.2'))) return ['127.0.0.1'];
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

export async function describeMachine(): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cpus: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    pinning: detectPinning(),
    sourceAddresses: await detectSourceAddresses(16),
  };
}

/** Command and arguments that run `args` on `cpus` (or unpinned). */
export function pinned(cpus: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}

/** Moves this process onto `cpus`; false when taskset refused. */
export function pinSelf(cpus: string): boolean {
  // -a: every thread of the process (V8 and libuv threads too), not only the main one.
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

/** One line for chart titles and table headers. */
export function machineLine(machine: MachineInfo): string {
  const pinning = machine.pinning
    ? `server on CPU ${machine.pinning.server}, load on CPU ${machine.pinning.load}`
    : 'unpinned';
  return `${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node.slice(1)} (${pinning})`;
}
