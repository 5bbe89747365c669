import { TARGET_NAMES } from './targets.js';
export const SCENARIOS = ['echo', 'broadcast', 'idle', 'handshake', 'micro'];
const ECHO_SHAPES = [
    { connections: 1, inFlight: 1, size: 32 },
    { connections: 64, inFlight: 16, size: 32 },
    { connections: 64, inFlight: 16, size: 1024 },
    { connections: 16, inFlight: 16, size: 65_536 },
];
const USAGE = `Usage: node bench/.build/bench/run.js [options]

  --quick                    a few seconds per scenario, one repeat (validation)
  --scenarios a,b            of ${SCENARIOS.join(', ')} (default: all)
  --targets a,b              of ${TARGET_NAMES.join(', ')} (default: all)
  --repeat N                 runs per measurement, medians reported (default 3, quick 1)
  --warmup S / --measure S   seconds per run (default 2 / 5, quick 0.5 / 1.5)
  --out DIR                  results.json, results.md, chart.svg (default docs/bench, quick bench/.results)
  --profile DIR              run the targets with --cpu-prof and allocation sampling, profiles in DIR
  --idle-connections a,b     (default 10000,19000; quick 2000,4000)
  --broadcast-receivers a,b  (default 1000,10000; quick 1000,4000)
  --broadcast-rate N         deliveries/s of the fixed-rate latency run (default 20000)
  --help`;
function list(value) {
    return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
}
function numbers(name, value) {
    const result = list(value).map(Number);
    if (result.length === 0 || result.some((n) => !Number.isInteger(n) || n <= 0)) {
        throw new Error(`${name} takes positive integers, got "${value}"`);
    }
    return result;
}
function positive(name, value) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
        throw new Error(`${name} takes a positive number, got "${value}"`);
    return n;
}
function oneOf(name, value, allowed) {
    const items = list(value);
    for (const item of items) {
        if (!allowed.includes(item))
            throw new Error(`${name}: unknown "${item}" (expected ${allowed.join(', ')})`);
    }
    return items;
}
/** Parses the command line; throws with a message on bad input, returns undefined for --help. */
export function parseOptions(argv) {
    const flags = new Map();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--help' || arg === '-h')
            return undefined;
        if (arg === '--quick') {
            flags.set('quick', 'true');
            continue;
        }
        if (!arg.startsWith('--') || i + 1 >= argv.length)
            throw new Error(`unexpected argument "${arg}"\n\n${USAGE}`);
        flags.set(arg.slice(2), argv[++i]);
    }
    const quick = flags.has('quick');
    const known = new Set(['quick', 'scenarios', 'targets', 'repeat', 'warmup', 'measure', 'out', 'profile',
        'idle-connections', 'broadcast-receivers', 'broadcast-rate']);
    for (const flag of flags.keys())
        if (!known.has(flag))
            throw new Error(`unknown option --${flag}\n\n${USAGE}`);
    const get = (name) => flags.get(name);
    const echoCells = [];
    for (const path of ['/nest-echo', '/echo'])
        for (const shape of ECHO_SHAPES)
            echoCells.push({ path, ...shape });
    return {
        quick,
        scenarios: get('scenarios') ? oneOf('--scenarios', get('scenarios'), SCENARIOS) : [...SCENARIOS],
        targets: get('targets') ? oneOf('--targets', get('targets'), TARGET_NAMES) : [...TARGET_NAMES],
        repeats: get('repeat') ? numbers('--repeat', get('repeat'))[0] : quick ? 1 : 3,
        warmupMs: (get('warmup') ? positive('--warmup', get('warmup')) : quick ? 0.5 : 2) * 1000,
        measureMs: (get('measure') ? positive('--measure', get('measure')) : quick ? 1.5 : 5) * 1000,
        outDir: get('out') ?? (quick ? 'bench/.results' : 'docs/bench'),
        profileDir: get('profile'),
        echoCells,
        broadcastReceivers: get('broadcast-receivers')
            ? numbers('--broadcast-receivers', get('broadcast-receivers'))
            : quick ? [1000, 4000] : [1000, 10_000],
        broadcastSize: 64,
        broadcastWindow: 16,
        broadcastFixedDeliveries: get('broadcast-rate') ? positive('--broadcast-rate', get('broadcast-rate')) : 20_000,
        idleConnections: get('idle-connections')
            ? numbers('--idle-connections', get('idle-connections'))
            : quick ? [2000, 4000] : [10_000, 19_000],
        handshakeWorkers: 2,
        handshakeConcurrency: 32,
        connectionsPerWorker: 5000,
        microTimeMs: quick ? 150 : 1000,
    };
}
export { USAGE };
//# sourceMappingURL=options.js.map