import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { Progress } from './progress.js';
import { RunningTarget, type TargetName } from './targets.js';

/** What every scenario gets from the runner. */
export class BenchContext {
  private nextAddress = 0;

  constructor(
    readonly options: BenchOptions,
    readonly machine: MachineInfo,
    readonly progress: Progress,
  ) {}

  get serverCpus(): string | undefined {
    return this.machine.pinning?.server;
  }

  get loadCpus(): string | undefined {
    return this.machine.pinning?.load;
  }

  /** Source addresses in rotation, so successive load processes spread over 127.0.0.x. */
  sourceAddress(): string {
    const addresses = this.machine.sourceAddresses;
    return addresses[this.nextAddress++ % addresses.length];
  }

  /**
   * Starts a target, with profiling when asked for (`tag` names the profile files); `chat`: the
   * chat round trip's variant (RunningTarget.start).
   */
  startTarget(name: TargetName, tag: string, chat = false): Promise<RunningTarget> {
    const { profileDir, allocationProfileDir } = this.options;
    const profile =
      profileDir === undefined && allocationProfileDir === undefined
        ? undefined
        : { cpuDir: profileDir, allocationDir: allocationProfileDir, tag };
    return RunningTarget.start(name, this.serverCpus, profile, chat);
  }

  /** Splits `connections` into per-process shares of at most connectionsPerWorker. */
  shares(connections: number, minimumWorkers = 1): number[] {
    const workers = Math.max(minimumWorkers, Math.ceil(connections / this.options.connectionsPerWorker));
    const base = Math.floor(connections / workers);
    return Array.from({ length: workers }, (_, i) => base + (i < connections % workers ? 1 : 0)).filter((n) => n > 0);
  }

  /** Connection set-up deadline: generous, since a slow target accepts slowly. */
  connectTimeoutMs(connections: number): number {
    return 30_000 + connections * 5;
  }
}
