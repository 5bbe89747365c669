import { type ChildProcess, spawn } from 'node:child_process';
import { pinned } from './machine.js';

/** Last bytes of a child's stderr kept for error messages. */
const STDERR_TAIL = 4096;

export interface SpawnOptions {
  /** taskset CPU list, or undefined to run unpinned. */
  cpus: string | undefined;
  nodeArgs?: readonly string[];
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** File descriptor for the child's stdout (a log file); default: the bench's own stdout. */
  stdout?: number;
  /** Name used in error messages. */
  label: string;
}

/**
 * A Node child process with an IPC channel, started through taskset when pinning is available.
 * Replies are awaited by message type with a deadline; a child that dies fails every wait at once.
 */
export class Child<In extends { type: string }, Out extends { type: string }> {
  readonly process: ChildProcess;
  readonly label: string;
  private readonly queue: Out[] = [];
  private readonly waiters: Array<{ type: string; resolve: (message: Out) => void; reject: (error: Error) => void }> =
    [];
  private stderrTail = '';
  private exited: string | undefined;
  private readonly exitPromise: Promise<void>;
  private readonly listeners: Array<(message: Out) => void> = [];

  constructor(script: string, options: SpawnOptions) {
    this.label = options.label;
    const [command, args] = pinned(options.cpus, process.execPath, [
      ...(options.nodeArgs ?? []),
      script,
      ...(options.args ?? []),
    ]);
    this.process = spawn(command, args, {
      stdio: ['ignore', options.stdout ?? 'inherit', 'pipe', 'ipc'],
      env: options.env ?? process.env,
    });
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    this.process.on('message', (message: Out) => this.deliver(message));
    this.exitPromise = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
        for (const waiter of this.waiters.splice(0))
          waiter.reject(this.failure(`${this.exited} while waiting for '${waiter.type}'`));
        resolve();
      });
      this.process.once('error', (error) => {
        this.exited = `could not start: ${error.message}`;
        for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure(this.exited));
        resolve();
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  send(message: In): void {
    if (this.exited === undefined && this.process.connected) this.process.send(message);
  }

  /** Called for every message, besides the waits (progress ticks). */
  onMessage(listener: (message: Out) => void): void {
    this.listeners.push(listener);
  }

  /** The next message of `type` (queued ones first); rejects after `timeoutMs` or on exit. */
  next<T extends Out['type']>(type: T, timeoutMs: number, failType?: string): Promise<Extract<Out, { type: T }>> {
    const index = this.queue.findIndex((message) => message.type === type || message.type === failType);
    if (index !== -1) return this.settle(this.queue.splice(index, 1)[0], type);
    if (this.exited !== undefined) return Promise.reject(this.failure(`${this.exited} before '${type}'`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(waiter.resolve);
        reject(this.failure(`no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (message: Out) => {
          clearTimeout(timer);
          this.settle(message, type).then(resolve, reject);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
      if (failType !== undefined) this.waiters.push({ ...waiter, type: failType });
    });
  }

  /** Asks the child to exit with `message`, then kills it if it has not gone within `timeoutMs`. */
  async stop(message: In | undefined, timeoutMs: number): Promise<void> {
    if (this.exited !== undefined) return;
    if (message !== undefined) this.send(message);
    else this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  private deliver(message: Out): void {
    for (const listener of this.listeners) listener(message);
    const index = this.waiters.findIndex((waiter) => waiter.type === message.type);
    if (index === -1) {
      if (message.type !== 'tick') this.queue.push(message);
      return;
    }
    const waiter = this.waiters[index];
    this.forget(waiter.resolve);
    waiter.resolve(message);
  }

  /** Removes a wait; one registered under two types (reply or failure) goes under both. */
  private forget(resolve: (message: Out) => void): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].resolve === resolve) this.waiters.splice(i, 1);
    }
  }

  private settle<T extends Out['type']>(message: Out, type: T): Promise<Extract<Out, { type: T }>> {
    if (message.type !== type) {
      const detail = (message as { message?: string }).message ?? message.type;
      return Promise.reject(this.failure(detail));
    }
    return Promise.resolve(message as Extract<Out, { type: T }>);
  }

  private failure(message: string): Error {
    const tail = this.stderrTail.trim();
    return new Error(`${this.label}: ${message}${tail ? `\n--- stderr of ${this.label} ---\n${tail}` : ''}`);
  }
}
