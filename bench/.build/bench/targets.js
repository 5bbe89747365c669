import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './child.js';
import { rssBytes } from './proc.js';
export const TARGET_NAMES = ['ours', 'platform-ws', 'ws', 'raw'];
export const TARGET_LABELS = {
    ours: 'ours (Rfc6455Adapter)',
    'platform-ws': '@nestjs/platform-ws',
    ws: 'bare ws',
    raw: 'raw net echo',
};
const script = (name) => fileURLToPath(new URL(`./targets/${name}.js`, import.meta.url));
const LAUNCH = {
    ours: { script: script('nest-target'), args: ['--adapter', 'ours'] },
    'platform-ws': { script: script('nest-target'), args: ['--adapter', 'platform-ws'] },
    ws: { script: script('ws-target'), args: [] },
    raw: { script: script('raw-target'), args: [] },
};
const START_TIMEOUT_MS = 30_000;
const GC_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;
/** A target server process, pinned to the server CPU. */
export class RunningTarget {
    constructor(name, port, child) {
        this.name = name;
        this.port = port;
        this.child = child;
    }
    static async start(name, cpus, profile) {
        const { script: entry, args } = LAUNCH[name];
        const nodeArgs = ['--expose-gc'];
        const env = { ...process.env };
        if (profile !== undefined) {
            mkdirSync(profile.dir, { recursive: true });
            const base = `${name}-${profile.tag}`;
            nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${base}.cpuprofile`);
            env.BENCH_HEAP_PROFILE = join(profile.dir, `${base}.heapprofile`);
        }
        const child = new Child(entry, { cpus, nodeArgs, args, env, label: `target ${name}` });
        try {
            const ready = await child.next('ready', START_TIMEOUT_MS, 'failed');
            return new RunningTarget(name, ready.port, child);
        }
        catch (error) {
            await child.stop(undefined, EXIT_TIMEOUT_MS);
            throw error;
        }
    }
    get pid() {
        return this.child.pid;
    }
    get alive() {
        return this.child.alive;
    }
    /** Full GC in the target, then its RSS from /proc. */
    async settledRss() {
        this.child.send({ type: 'gc' });
        await this.child.next('gc-done', GC_TIMEOUT_MS);
        return rssBytes(this.pid);
    }
    async stop() {
        await this.child.stop({ type: 'exit' }, EXIT_TIMEOUT_MS);
    }
}
//# sourceMappingURL=targets.js.map