import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The package as a user gets it: `npm pack` (its prepack builds), then host applications in
 * temporary folders that install the tarball from npm like any dependency. Used by
 * test/package.e2e-spec.ts; reusable for other host shapes (e.g. a global prefix in Chromium).
 */

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Bounds for the slow steps: a cold npm cache downloads a Nest tree per host. */
export const PACK_MS = 120_000;
export const INSTALL_MS = 240_000;

export interface PackedPackage {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, relative to `package/`. */
  files: string[];
  /** The folder holding the tarball (and the host apps made from it). */
  dir: string;
  remove(): Promise<void>;
}

/**
 * `npm pack` of a copy of the project (so the build it triggers leaves this checkout's dist/
 * alone), into a new temporary folder.
 */
export async function packPackage(): Promise<PackedPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-package-'));
  const stage = join(dir, 'stage');
  await mkdir(join(stage, 'scripts'), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'scripts/build.mjs']) {
    await cp(join(ROOT, file), join(stage, file));
  }
  await cp(join(ROOT, 'src'), join(stage, 'src'), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', dir], {
    cwd: stage,
    timeout: PACK_MS,
    maxBuffer: 16 << 20,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  // prepack's build output comes first on stdout; the JSON report is the last thing written.
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const [{ filename, files }] = report;
  return {
    tarball: join(dir, filename),
    files: files.map((file) => file.path),
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The version of a package installed in this checkout (to give a host "our" Nest). */
export async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

export interface HostAppSpec {
  /** Folder name under the package's folder. */
  name: string;
  type: 'module' | 'commonjs';
  /** The host's own dependencies; `nest-chat-gateway` (the tarball) is added. */
  dependencies: Record<string, string>;
  /** Files of the host app, by relative path. */
  files: Record<string, string>;
}

/** Writes a host app next to the tarball and installs it with one `npm install`; returns its folder. */
export async function createHostApp(packed: PackedPackage, spec: HostAppSpec): Promise<string> {
  const dir = join(packed.dir, spec.name);
  await mkdir(dir, { recursive: true });
  const manifest = {
    name: spec.name,
    private: true,
    type: spec.type,
    dependencies: { ...spec.dependencies, 'nest-chat-gateway': `file:${packed.tarball}` },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [path, text] of Object.entries(spec.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  try {
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      timeout: INSTALL_MS,
      maxBuffer: 16 << 20,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (error) {
    throw new Error(
      `npm install of the host app ${spec.name} failed: ${String((error as { stderr?: string }).stderr ?? error)}`,
    );
  }
  return dir;
}

/** Compiles a TypeScript host with this checkout's compiler (type-checking it against the package's declarations). */
export async function compileHostApp(dir: string): Promise<void> {
  try {
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], {
      cwd: dir,
      timeout: PACK_MS,
    });
  } catch (error) {
    throw new Error(
      `the host app in ${dir} does not compile:\n${String((error as { stdout?: string }).stdout ?? error)}`,
    );
  }
}

/** A tsconfig for a TypeScript host: Nest's decorators, NodeNext modules, Node's types from this checkout. */
export function hostTsconfig(): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      outDir: 'dist',
      typeRoots: [join(ROOT, 'node_modules/@types')],
      types: ['node'],
    },
    include: ['src/**/*.ts'],
  });
}

/** Every installed copy of a package under a folder's node_modules, nested ones included. */
export async function installedCopies(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (modules: string): Promise<void> => {
    if (existsSync(join(modules, name, 'package.json'))) found.push(join(modules, name));
    for (const entry of await readdir(modules, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const packages = entry.name.startsWith('@')
        ? (await readdir(join(modules, entry.name))).map((inner) => join(modules, entry.name, inner))
        : [join(modules, entry.name)];
      for (const pkg of packages) {
        if (existsSync(join(pkg, 'node_modules'))) await visit(join(pkg, 'node_modules'));
      }
    }
  };
  await visit(join(dir, 'node_modules'));
  return found;
}

export interface HostProcess {
  child: ChildProcess;
  port: number;
  /** What the host printed as `RESOLVED <path>`: where Node found nest-chat-gateway. */
  resolved: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node <entry>` in a host folder; the host prints `RESOLVED <path>` and
 * `LISTENING <port>` once it listens on 127.0.0.1.
 */
export function startHostApp(
  dir: string,
  entry: string,
  env: Record<string, string> = {},
  ms = 30_000,
): Promise<HostProcess> {
  const child = spawn(process.execPath, [entry], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the host ${entry} did not listen within ${ms} ms:\n${output}`));
    }, ms);
    child.stdout.on('data', () => {
      const listening = /LISTENING (\d+)/.exec(output);
      const resolved = /RESOLVED (\S+)/.exec(output);
      if (listening === null || resolved === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(listening[1]), resolved: resolved[1], output: () => output, stop });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the host ${entry} exited before listening:\n${output}`));
    });
  });
}
