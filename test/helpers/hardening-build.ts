import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The project root, from test/helpers or from a compiled copy of it (scripts/.build). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'tsconfig.build.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tsconfig.build.json not found above the test helpers');
    dir = parent;
  }
  return dir;
}

const ROOT = projectRoot();

export interface Build {
  /** The directory holding main.js. */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Compiles src/ (without type checking: `npx tsc` does that) into a temporary directory that
 * runs like dist/: ESM package, node_modules reachable, the chat page's files copied.
 */
export async function buildApp(): Promise<Build> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-build-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      dir,
      '--noCheck',
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT },
  );
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await cp(join(ROOT, 'src/chat/public'), join(dir, 'chat/public'), { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const OUTPUT_KEPT = 1 << 20;

export interface RunningProcess {
  child: ChildProcess;
  port: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node [nodeArgs] main.js` from a build on a free port; resolves once it listens. */
export function startBuiltApp(
  build: Build,
  env: Record<string, string> = {},
  ms = 20_000,
  nodeArgs: readonly string[] = [],
): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(build.dir, 'main.js')], {
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The newest megabyte: a long soak logs two lines per connection.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the built app did not listen within ${ms} ms:\n${output}`));
    }, ms);
    const onData = (): void => {
      const match = /listening on http:\/\/[^:]+:(\d+)\//.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolveStart({ child, port: Number(match[1]), output: () => output, exited });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the built app exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}
