import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** The distribution's redis-server; REDIS_SERVER overrides. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the bench's own (no persistence, loopback, a free port), so what it
 * measures is not shared with anything else; stopped by its PID.
 */
export class OwnRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Why it cannot run here, or undefined. */
  static problem(): string | undefined {
    return existsSync(REDIS_SERVER) ? undefined : `no redis-server at ${REDIS_SERVER} (set REDIS_SERVER)`;
  }

  static async start(timeoutMs = 10_000): Promise<OwnRedis> {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`redis-server did not start within ${timeoutMs} ms: ${output.slice(-300)}`));
      }, timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-300)}`));
      });
    });
    return new OwnRedis(child, port);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(this.child.pid!, 'SIGTERM');
    await exited;
  }
}
