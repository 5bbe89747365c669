import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './child.js';
import type { TargetCommand, TargetMessage } from './messages.js';
import { rssBytes } from './proc.js';

export const TARGET_NAMES = ['ours', 'platform-ws', 'ws', 'raw'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  ours: 'ours (Rfc6455Adapter)',
  'platform-ws': '@nestjs/platform-ws',
  ws: 'bare ws',
  raw: 'raw net echo',
};

const script = (name: string): string => fileURLToPath(new URL(`./targets/${name}.js`, import.meta.url));

const LAUNCH: Record<TargetName, { script: string; args: string[] }> = {
  ours: { script: script('nest-target'), args: ['--adapter', 'ours'] },
  'platform-ws': { script: script('nest-target'), args: ['--adapter', 'platform-ws'] },
  ws: { script: script('ws-target'), args: [] },
  raw: { script: script('raw-target'), args: [] },
};

const START_TIMEOUT_MS = 30_000;
const GC_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

export interface ProfileOptions {
  /** Directory for `--cpu-prof` output. */
  cpuDir?: string;
  /** Directory for allocation sampling output (slows the target down: never with cpuDir). */
  allocationDir?: string;
  /** Distinguishes the files of several runs. */
  tag: string;
}

/** A target server process, pinned to the server CPU. */
export class RunningTarget {
  private constructor(
    readonly name: TargetName,
    readonly port: number,
    private readonly child: Child<TargetCommand, TargetMessage>,
  ) {}

  static async start(name: TargetName, cpus: string | undefined, profile?: ProfileOptions): Promise<RunningTarget> {
    const { script: entry, args } = LAUNCH[name];
    const nodeArgs = ['--expose-gc'];
    const env = { ...process.env };
    const base = `${name}-${profile?.tag ?? 'run'}`;
    if (profile?.cpuDir !== undefined) {
      mkdirSync(profile.cpuDir, { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profile.cpuDir}`, `--cpu-prof-name=${base}.cpuprofile`);
    }
    if (profile?.allocationDir !== undefined) {
      mkdirSync(profile.allocationDir, { recursive: true });
      env.BENCH_HEAP_PROFILE = join(profile.allocationDir, `${base}.heapprofile`);
    }
    const child = new Child<TargetCommand, TargetMessage>(entry, {
      cpus,
      nodeArgs,
      args,
      env,
      label: `target ${name}`,
    });
    try {
      const ready = await child.next('ready', START_TIMEOUT_MS, 'failed');
      return new RunningTarget(name, ready.port, child);
    } catch (error) {
      await child.stop(undefined, EXIT_TIMEOUT_MS);
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.alive;
  }

  /** Full GC in the target, then its RSS from /proc. */
  async settledRss(): Promise<number | undefined> {
    this.child.send({ type: 'gc' });
    await this.child.next('gc-done', GC_TIMEOUT_MS);
    return rssBytes(this.pid);
  }

  async stop(): Promise<void> {
    await this.child.stop({ type: 'exit' }, EXIT_TIMEOUT_MS);
  }
}
