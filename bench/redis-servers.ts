import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pinned } from './machine.js';

/** The distribution's binaries (apt); REDIS_SERVER and REDIS_CLI override. */
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CLI = process.env.REDIS_CLI ?? REDIS_SERVER.replace(/redis-server$/, 'redis-cli');
const START_TIMEOUT_MS = 10_000;
const CLUSTER_OK_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

/**
 * Why the bench cannot start Redis servers of its own, or undefined when it can (redis-cli
 * only for a cluster).
 */
export function redisBinariesProblem(cluster = true): string | undefined {
  const missing = (cluster ? [REDIS_SERVER, REDIS_CLI] : [REDIS_SERVER]).filter((path) => !existsSync(path));
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not found (install redis-server, or set REDIS_SERVER / REDIS_CLI)`;
}

/** A loopback port nobody listens on right now (also used by the tests' Redis helpers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One redis-server of the bench's own, without persistence, on a free loopback port. */
class RedisServer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(cpus: string | undefined, args: readonly string[]): Promise<RedisServer> {
    const port = await freePort();
    const [command, commandArgs] = pinned(cpus, REDIS_SERVER, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...args,
    ]);
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisServer(port, child);
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`redis-server on ${port} not ready within ${START_TIMEOUT_MS} ms`)),
          START_TIMEOUT_MS,
        );
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}:\n${output.slice(-2000)}`));
        });
        child.once('error', reject);
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    child.stdout?.resume();
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL by PID; resolves once the process is gone. */
  async stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

/**
 * The Redis servers of one bench run: a single one, or the primaries of a Redis Cluster
 * (no replicas: the bench measures the primaries' work). `cpus`: the taskset list they may run
 * on (the bench pins itself to the load CPUs, and children inherit that). `stop()` kills every
 * process by PID and removes the cluster's folder.
 */
export class RedisServers {
  private constructor(
    readonly servers: RedisServer[],
    readonly clustered: boolean,
    private readonly folder: string | undefined,
  ) {}

  static async single(cpus: string | undefined): Promise<RedisServers> {
    return new RedisServers([await RedisServer.start(cpus, [])], false, undefined);
  }

  static async cluster(primaries: number, cpus: string | undefined): Promise<RedisServers> {
    const folder = mkdtempSync(join(tmpdir(), 'bench-redis-cluster-'));
    const fleet = new RedisServers([], true, folder);
    try {
      for (let i = 0; i < primaries; i++) {
        fleet.servers.push(
          await RedisServer.start(cpus, [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${i}.conf`,
            '--dir',
            folder,
          ]),
        );
      }
      await runCli(['--cluster', 'create', ...fleet.servers.map(({ port }) => `127.0.0.1:${port}`), '--cluster-yes']);
      await fleet.untilClusterOk();
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  get pids(): number[] {
    return this.servers.map(({ pid }) => pid);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.servers[0].port}`;
  }

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  get nodeList(): string {
    return this.servers.map(({ port }) => `127.0.0.1:${port}`).join(',');
  }

  get seeds(): Array<{ host: string; port: number }> {
    return this.servers.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** For each server, the value of `read` on its INFO text. */
  async info<T>(section: string, read: (info: string) => T): Promise<T[]> {
    return Promise.all(
      this.servers.map(({ port }) => withRedis(port, async (redis) => read(await redis.info(section)))),
    );
  }

  /** How many of `rooms` each server holds (their hash tag's slot); all on a single Redis. */
  async roomsPerServer(rooms: readonly string[]): Promise<number[]> {
    if (!this.clustered) return [rooms.length];
    return withRedis(this.servers[0].port, async (redis) => {
      const ranges = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const counts = this.servers.map(() => 0);
      for (const room of rooms) {
        const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `{${room}}`));
        const range = ranges.find(([first, last]) => first <= slot && slot <= last);
        const index = this.servers.findIndex(({ port }) => port === Number(range?.[2][1]));
        if (index >= 0) counts[index]++;
      }
      return counts;
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
  }

  private async untilClusterOk(): Promise<void> {
    const deadline = Date.now() + CLUSTER_OK_TIMEOUT_MS;
    for (;;) {
      const views = await Promise.all(
        this.servers.map(({ port }) =>
          withRedis(port, async (redis) => String(await redis.call('CLUSTER', 'INFO'))).catch(() => ''),
        ),
      );
      if (views.every((view) => view.includes('cluster_state:ok'))) return;
      if (Date.now() >= deadline) throw new Error(`the Redis Cluster was not ok within ${CLUSTER_OK_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** Calls of `command`, and µs spent running them, in an INFO commandstats text (0 when never called). */
export function infoCommandStat(info: string, command: string): { calls: number; usec: number } {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+),usec=(\\d+)`, 'm').exec(info);
  return match === null ? { calls: 0, usec: 0 } : { calls: Number(match[1]), usec: Number(match[2]) };
}

/** A connection to the redis-server on the loopback port for `use`, closed after it (also used by the tests). */
export async function withRedis<T>(
  port: number,
  use: (redis: Redis) => Promise<T>,
  commandTimeoutMs = 5000,
): Promise<T> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, args, (error, stdout, stderr) =>
      error === null
        ? resolve()
        : reject(new Error(`redis-cli ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`)),
    );
  });
}
