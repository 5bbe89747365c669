import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../bench/redis-servers.js';
import { within } from './chat-clients.js';

/** The distribution's redis-server (apt); REDIS_SERVER overrides. */
export const REDIS_SERVER_PATH = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export const redisServerInstalled = existsSync(REDIS_SERVER_PATH);

/**
 * `describe` when a private redis-server can be started. Without the binary the suite fails
 * under CI and is skipped with a visible notice elsewhere.
 */
export function describeWithRedisServer(name: string, body: () => void): void {
  if (redisServerInstalled) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`redis-server not found at ${REDIS_SERVER_PATH} (install redis-server or set REDIS_SERVER)`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": redis-server not found at ${REDIS_SERVER_PATH}; install it or set REDIS_SERVER.`);
    describe.skip(name, body);
  }
}

/**
 * A redis-server of the test's own, without persistence, on a port of its own: the test can
 * kill it (as a crash would) and start it again on the same port, empty.
 */
export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  /**
   * A server on a free port; not started until `start()` unless `started` is true. `extraArgs`
   * are added to its command line (a cluster node's settings).
   */
  static async create(started = true, extraArgs: readonly string[] = []): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort(), extraArgs);
    if (started) await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(timeoutMs = 5000): Promise<void> {
    if (this.child !== undefined) throw new Error(`redis-server on ${this.port} is already running`);
    const child = spawn(
      REDIS_SERVER_PATH,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'notice',
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
      child.once('error', reject);
    });
    try {
      await within(ready, `redis-server to accept connections on ${this.port}`, timeoutMs);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** SIGSTOP: the server keeps its connections but answers nothing until `thaw` (a hung Redis). */
  freeze(): void {
    process.kill(this.running().pid!, 'SIGSTOP');
  }

  /** SIGCONT: the server runs again and executes what it received meanwhile. */
  thaw(): void {
    process.kill(this.running().pid!, 'SIGCONT');
  }

  private running(): ChildProcess {
    if (this.child === undefined) throw new Error(`redis-server on ${this.port} is not running`);
    return this.child;
  }

  /** SIGKILL by PID, as a crash: no goodbye to clients. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    await within(this.exited, `redis-server ${child.pid} to exit`);
  }
}
