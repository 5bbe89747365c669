import { RunningTarget } from './targets.js';
/** What every scenario gets from the runner. */
export class BenchContext {
    constructor(options, machine, progress) {
        this.options = options;
        this.machine = machine;
        this.progress = progress;
        this.nextAddress = 0;
    }
    get serverCpus() {
        return this.machine.pinning?.server;
    }
    get loadCpus() {
        return this.machine.pinning?.load;
    }
    /** Source addresses in rotation, so successive load processes spread over 127.0.0.x. */
    sourceAddress() {
        const addresses = this.machine.sourceAddresses;
        return addresses[this.nextAddress++ % addresses.length];
    }
    /** Starts a target, with profiling when asked for (`tag` names the profile files). */
    startTarget(name, tag) {
        const { profileDir } = this.options;
        return RunningTarget.start(name, this.serverCpus, profileDir === undefined ? undefined : { dir: profileDir, tag });
    }
    /** Splits `connections` into per-process shares of at most connectionsPerWorker. */
    shares(connections, minimumWorkers = 1) {
        const workers = Math.max(minimumWorkers, Math.ceil(connections / this.options.connectionsPerWorker));
        const base = Math.floor(connections / workers);
        return Array.from({ length: workers }, (_, i) => base + (i < connections % workers ? 1 : 0)).filter((n) => n > 0);
    }
    /** Connection set-up deadline: generous, since a slow target accepts slowly. */
    connectTimeoutMs(connections) {
        return 30_000 + connections * 5;
    }
}
//# sourceMappingURL=context.js.map