import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built service, as the README starts it: `node dist/main.js`. */
export const SERVICE_MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

const LISTENING = /listening on http:\/\/[^:/]+:(\d+)\//;
const POLL_MS = 50;

/**
 * The service's environment in a bench cell: its defaults (no variable of the bench's own
 * environment reaches it) but a free port, and what the cell needs on top.
 */
export function serviceEnvironment(cell: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, PORT: '0', ...cell };
}

/**
 * Where the service writes its log (stdout), a file as in a deployment: the connection log
 * costs the service what it costs there, and the bench reads the port from it.
 */
export class ServiceLog {
  readonly fd: number;
  private readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'bench-service-'));
    this.fd = openSync(join(this.dir, 'stdout.log'), 'w');
  }

  /** The port of the service's "listening on http://host:port/" line, once it is written. */
  async port(alive: () => boolean, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = LISTENING.exec(readFileSync(join(this.dir, 'stdout.log'), 'utf8'));
      if (match !== null) return Number(match[1]);
      if (!alive()) throw new Error('the service exited before listening');
      if (Date.now() > deadline) throw new Error(`the service did not listen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  remove(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
