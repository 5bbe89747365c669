import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The benchmark harness has its own node:test suite (load generator, frame parser of the
 * load side, statistics, report writers, short end-to-end runs through child processes);
 * `npm test` runs it here so a broken harness fails CI like any other test.
 */
describe('the benchmark harness (bench/)', () => {
  it('compiles and passes its own test suite', async () => {
    // The service target runs the built service (node dist/main.js), as the README starts it.
    await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, timeout: 120_000 });
    await run('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: ROOT, timeout: 120_000 });
    let output: string;
    try {
      const result = await run(process.execPath, ['--test', '--test-reporter=tap', 'bench/.build/bench/'], {
        cwd: ROOT,
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      output = result.stdout;
    } catch (error) {
      const failed = error as Error & { stdout?: string; stderr?: string };
      throw new Error(`bench tests failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
    }
    const passed = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? -1);
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThan(0);
  }, 480_000);
});
