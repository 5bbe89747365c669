import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './child.js';
import type { TargetCommand, TargetMessage } from './messages.js';
import { rssBytes } from './proc.js';
import { SERVICE_MAIN, ServiceLog, serviceEnvironment } from './service-process.js';

export const TARGET_NAMES = ['ours', 'service', 'platform-ws', 'ws', 'raw'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  ours: 'ours (Rfc6455Adapter)',
  service: 'the service (node dist/main.js, default environment)',
  'platform-ws': '@nestjs/platform-ws',
  ws: 'bare ws',
  raw: 'raw net echo',
};

const script = (name: string): string => fileURLToPath(new URL(`./targets/${name}.js`, import.meta.url));

/** The paths of the service's gateways the bench drives (its defaults: ECHO_PATHS, CHAT_JSON_PATHS). */
const SERVICE_PATHS = new Set(['/echo', '/chat']);

/** Whether `name` serves `path`: the bench app's targets serve every bench path, the service its own. */
export function servesPath(name: TargetName, path: string): boolean {
  return name === 'service' ? SERVICE_PATHS.has(path) : path !== '/chat';
}

const LAUNCH: Record<Exclude<TargetName, 'service'>, { script: string; args: string[] }> = {
  ours: { script: script('nest-target'), args: ['--adapter', 'ours'] },
  'platform-ws': { script: script('nest-target'), args: ['--adapter', 'platform-ws'] },
  ws: { script: script('ws-target'), args: [] },
  raw: { script: script('raw-target'), args: [] },
};

/** What the chat round trip needs of the environment: no per-client message rate limit. */
const CHAT_CELL_ENV = { CHAT_RATE_LIMIT_PER_SECOND: '0' };

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

function profileArgs(name: TargetName, profile: ProfileOptions | undefined): string[] {
  if (profile?.cpuDir === undefined) return [];
  mkdirSync(profile.cpuDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profile.cpuDir}`, `--cpu-prof-name=${name}-${profile.tag}.cpuprofile`];
}

/** A target server process, pinned to the server CPU. */
export class RunningTarget {
  private constructor(
    readonly name: TargetName,
    readonly port: number,
    private readonly child: Child<TargetCommand, TargetMessage>,
    private readonly serviceLog?: ServiceLog,
  ) {}

  /**
   * With `chat`, the chat round trip's targets: the service without its per-client message
   * rate limit (one message in flight sends as fast as the round trip allows), and the service's
   * modules on platform-ws with the same environment.
   */
  static async start(
    name: TargetName,
    cpus: string | undefined,
    profile?: ProfileOptions,
    chat = false,
  ): Promise<RunningTarget> {
    if (name === 'service') return RunningTarget.startService(cpus, profile, chat ? CHAT_CELL_ENV : {});
    const { script: entry, args } =
      chat && name === 'platform-ws' ? { script: script('chat-platform-ws-target'), args: [] } : LAUNCH[name];
    const nodeArgs = ['--expose-gc', ...profileArgs(name, profile)];
    const env = chat ? serviceEnvironment(CHAT_CELL_ENV) : { ...process.env };
    if (profile?.allocationDir !== undefined) {
      mkdirSync(profile.allocationDir, { recursive: true });
      env.BENCH_HEAP_PROFILE = join(profile.allocationDir, `${name}-${profile.tag}.heapprofile`);
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

  /**
   * The service started as the README starts it (`node dist/main.js`, its default environment
   * but PORT=0), its log in a file: no IPC of the bench's, stopped by SIGTERM like a deployment.
   */
  private static async startService(
    cpus: string | undefined,
    profile: ProfileOptions | undefined,
    cell: Record<string, string>,
  ): Promise<RunningTarget> {
    if (!existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: run npm run build first`);
    const log = new ServiceLog();
    const child = new Child<TargetCommand, TargetMessage>(SERVICE_MAIN, {
      cpus,
      nodeArgs: profileArgs('service', profile),
      env: serviceEnvironment(cell),
      stdout: log.fd,
      label: 'target service',
    });
    try {
      const port = await log.port(() => child.alive, START_TIMEOUT_MS);
      return new RunningTarget('service', port, child, log);
    } catch (error) {
      await child.stop(undefined, EXIT_TIMEOUT_MS);
      log.remove();
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.alive;
  }

  /** Full GC in the target, then its RSS from /proc (not the service's: it takes no orders). */
  async settledRss(): Promise<number | undefined> {
    if (this.serviceLog !== undefined) throw new Error('the service cannot be asked for a full GC');
    this.child.send({ type: 'gc' });
    await this.child.next('gc-done', GC_TIMEOUT_MS);
    return rssBytes(this.pid);
  }

  async stop(): Promise<void> {
    // The service exits 0 on SIGTERM after its graceful shutdown (profiles are written on exit).
    await this.child.stop(this.serviceLog === undefined ? { type: 'exit' } : undefined, EXIT_TIMEOUT_MS);
    this.serviceLog?.remove();
  }
}
