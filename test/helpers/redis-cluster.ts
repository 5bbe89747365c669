import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { withRedis as withRedisOn } from '../../bench/redis-servers.js';
import { REDIS_SERVER_PATH, RedisServerProcess } from './redis-server.js';
import { eventually } from './waiting.js';

/** The distribution's redis-cli (apt), next to redis-server; REDIS_CLI overrides. */
const REDIS_CLI_PATH = process.env.REDIS_CLI ?? REDIS_SERVER_PATH.replace(/redis-server$/, 'redis-cli');

/** How long a primary may be silent before its replica takes over (cluster-node-timeout). */
export const NODE_TIMEOUT_MS = 1000;

/**
 * A Redis Cluster of the test's own: `primaries` redis-server processes with `replicas` each,
 * on free loopback ports, without persistence, in a temporary folder removed by `stop()`.
 * Nodes are killed by PID (a crash) and the cluster's view is read with CLUSTER commands.
 */
export class RedisClusterProcesses {
  private constructor(
    readonly servers: RedisServerProcess[],
    private readonly folder: string,
  ) {}

  static async start(primaries = 3, replicas = 1): Promise<RedisClusterProcesses> {
    const folder = mkdtempSync(join(tmpdir(), 'chat-redis-cluster-'));
    const servers: RedisServerProcess[] = [];
    const cluster = new RedisClusterProcesses(servers, folder);
    try {
      for (let i = 0; i < primaries * (1 + replicas); i++) {
        servers.push(
          await RedisServerProcess.create(true, [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${i}.conf`,
            '--cluster-node-timeout',
            String(NODE_TIMEOUT_MS),
            '--cluster-replica-validity-factor',
            '0',
            '--dir',
            folder,
          ]),
        );
      }
      await run(REDIS_CLI_PATH, [
        '--cluster',
        'create',
        ...servers.map(({ port }) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.untilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  get nodeList(): string {
    return this.servers.map(({ port }) => `127.0.0.1:${port}`).join(',');
  }

  get seeds(): Array<{ host: string; port: number }> {
    return this.servers.map(({ port }) => ({ host: '127.0.0.1', port }));
  }

  /** The port of the primary serving `key`'s slot now. */
  async primaryOf(key: string): Promise<number> {
    return this.ask(async (redis) => {
      const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const range = ranges.find(([first, last]) => first <= slot && slot <= last);
      if (range === undefined) throw new Error(`no primary serves slot ${slot}`);
      return Number(range[2][1]);
    });
  }

  /** SIGKILL of the server on `port` (a crash). */
  async kill(port: number): Promise<void> {
    const server = this.servers.find((candidate) => candidate.port === port);
    if (server === undefined) throw new Error(`no node of this cluster on ${port}`);
    await server.kill();
  }

  /**
   * Resolves once every live node says the cluster is ok and every primary has its replicas
   * in sync (so that a primary can be killed without losing what it acknowledged).
   */
  async untilHealthy(timeoutMs = 30_000): Promise<void> {
    let healthy = false;
    const probe = async () => {
      healthy = await this.isHealthy().catch(() => false);
      if (!healthy) setTimeout(() => void probe(), 100).unref();
    };
    await probe();
    await eventually(() => healthy, 'the Redis Cluster to be ok with replicas in sync', timeoutMs);
  }

  /** Removes every key under `prefix` from every primary (SCAN, one UNLINK per key: keys of many slots). */
  async deleteKeys(prefix: string): Promise<void> {
    for (const server of this.servers) {
      if (server.pid === undefined) continue;
      await withRedis(server.port, async (redis) => {
        if ((await redis.info('replication')).includes('role:slave')) return;
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(
            cursor,
            'MATCH',
            `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
            'COUNT',
            500,
          );
          cursor = next;
          for (const key of keys) await redis.unlink(key);
        } while (cursor !== '0');
      });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async isHealthy(): Promise<boolean> {
    for (const server of this.servers) {
      if (server.pid === undefined) continue;
      const ok = await withRedis(server.port, async (redis) => {
        const info = String(await redis.call('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok')) return false;
        const replication = await redis.info('replication');
        return !replication.includes('role:slave') || replication.includes('master_link_status:up');
      });
      if (!ok) return false;
    }
    return true;
  }

  private async ask<T>(question: (redis: Redis) => Promise<T>): Promise<T> {
    const alive = this.servers.find((server) => server.pid !== undefined);
    if (alive === undefined) throw new Error('no node of the cluster is running');
    return withRedis(alive.port, question);
  }
}

/** Commands of the cluster's checks fail fast: the checks are polled. */
function withRedis<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  return withRedisOn(port, use, 2000);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}
