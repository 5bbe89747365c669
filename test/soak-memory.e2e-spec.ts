import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { InspectorGc } from '../scripts/soak/inspector-gc.js';
import { slopePerMinute } from '../scripts/soak/memory.js';
import { eventually, within } from './helpers/waiting.js';

// Holds 40 MB of garbage (nothing references it after the first turn) and reports its heap on request.
const GARBAGE_HOLDER = `
  let junk = [];
  for (let i = 0; i < 400; i++) junk.push(new Array(12500).fill(i + 0.5));
  junk = null;
  process.on('message', () => process.send(process.memoryUsage().heapUsed));
  setInterval(() => {}, 1000);
`;

function heapOf(child: ChildProcess): Promise<number> {
  child.send('heap');
  return once(child, 'message').then(([heap]) => heap as number);
}

describe('soak memory measurement', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('collects the garbage of a process started with --inspect, through its inspector', async () => {
    child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', GARBAGE_HOLDER], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually(() => stderr.includes('Debugger listening on'), 'the inspector address on stderr', 10_000);

    const gc = await InspectorGc.attach(stderr);
    try {
      const before = await within(heapOf(child), 'the heap before', 10_000);
      await within(gc.collect(), 'HeapProfiler.collectGarbage', 10_000);
      const after = await within(heapOf(child), 'the heap after', 10_000);
      expect(before - after).toBeGreaterThan(20 * 1048576);
    } finally {
      gc.close();
    }
  });

  it('refuses a server output without an inspector address', async () => {
    await expect(InspectorGc.attach('listening on http://127.0.0.1:3000/')).rejects.toThrow(/no inspector address/);
  });

  it('computes the least-squares trend per minute', () => {
    const samples = [0, 10, 20, 30].map((at) => ({ at, value: 100 + at * 2 + (at === 10 ? 1 : at === 20 ? -1 : 0) }));
    expect(slopePerMinute(samples, (s) => s.value)).toBeCloseTo(118.8, 6);
    expect(slopePerMinute(samples.slice(0, 1), (s) => s.value)).toBe(0);
  });
});
