import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compose stack of docker-compose.yml run for real: a Docker engine (the one DOCKER_HOST
 * names, or one started here by deploy/docker-engine.sh), the base images (present locally,
 * never pulled), and docker-compose under a project name of its own.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (WebSocket clients keep running meanwhile). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({
          status,
          stdout: String(stdout),
          stderr: String(stderr) + (error && status === 1 ? error.message : ''),
        });
      },
    );
  });
}

/** Like `run`, failing with the command's output when it exits non-zero. */
export async function runOk(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  }
  return result.stdout;
}

function engineAnswers(env: NodeJS.ProcessEnv): boolean {
  return spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, timeout: 15_000 }).status === 0;
}

export interface DockerEngine {
  env: NodeJS.ProcessEnv;
  /** Stops the engine when this module started it; a no-op for one that was already running. */
  stop(): Promise<void>;
}

/**
 * A Docker engine to run the stack on: the one the environment names (DOCKER_HOST, or the
 * default socket), or else one started with deploy/docker-engine.sh (root and Debian's docker.io
 * needed). A string says why there is none.
 */
export function dockerEngine(): DockerEngine | string {
  if (spawnSync('docker', ['--version']).status !== 0) return 'the docker client is not installed';
  if (spawnSync('docker-compose', ['version']).status !== 0) return 'docker-compose is not installed';
  if (engineAnswers(process.env)) return { env: { ...process.env }, stop: async () => undefined };
  const script = join(ROOT, 'deploy', 'docker-engine.sh');
  const started = spawnSync(script, ['start'], { encoding: 'utf8', timeout: 90_000 });
  const host = /^export DOCKER_HOST=(\S+)$/m.exec(started.stdout ?? '')?.[1];
  if (started.status !== 0 || host === undefined) {
    return `no Docker engine answers and ${script} could not start one: ${(started.stderr ?? '').trim()}`;
  }
  return {
    env: { ...process.env, DOCKER_HOST: host },
    stop: async () => void (await run(script, ['stop'], { timeoutMs: 60_000 })),
  };
}

/** The variables naming the base images, and the public images they default to. */
export const BASE_IMAGES = {
  NODE_IMAGE: 'node:20-alpine',
  REDIS_IMAGE: 'redis:7-alpine',
  NGINX_IMAGE: 'nginx:1.28-alpine',
} as const;
export type BaseImages = Record<keyof typeof BASE_IMAGES, string>;

async function present(image: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', image], { env })).status === 0;
}

/**
 * The base images the stack is built on, each present in the engine: the environment's
 * NODE_IMAGE, REDIS_IMAGE and NGINX_IMAGE when set, else the public defaults when all are
 * there, else the Debian stand-ins of deploy/local-base-images.sh (built once per engine).
 * Nothing is pulled: a missing image fails, naming it.
 */
export async function baseImages(env: NodeJS.ProcessEnv): Promise<BaseImages> {
  const names = Object.keys(BASE_IMAGES) as Array<keyof typeof BASE_IMAGES>;
  let images: BaseImages = { ...BASE_IMAGES };
  for (const name of names) images[name] = env[name] || images[name];
  const chosen = names.some((name) => env[name]);
  if (!chosen && !(await Promise.all(names.map((name) => present(images[name], env)))).every(Boolean)) {
    const exports = await runOk(join(ROOT, 'deploy', 'local-base-images.sh'), [], { env, timeoutMs: 30 * 60_000 });
    images = { ...images };
    for (const [, name, value] of exports.matchAll(/^export (\w+)=(\S+)$/gm)) {
      if (name in images) images[name as keyof BaseImages] = value;
    }
  }
  const missing = [];
  for (const name of names) if (!(await present(images[name], env))) missing.push(`${name}=${images[name]}`);
  if (missing.length > 0) {
    throw new Error(`base images missing from the Docker engine (never pulled here): ${missing.join(', ')}`);
  }
  return images;
}

/** docker-compose with the repository's own file, under a project name of its own. */
export class ComposeProject {
  readonly name = `chatgw${randomBytes(4).toString('hex')}`;
  readonly env: NodeJS.ProcessEnv;

  constructor(engineEnv: NodeJS.ProcessEnv, images: BaseImages) {
    this.env = {
      ...engineEnv,
      ...images,
      // nginx on a port Docker picks, on the loopback address only.
      NGINX_PUBLISH: '127.0.0.1:',
      // The classic builder: no BuildKit frontend image to fetch, no buildx plugin needed.
      COMPOSE_DOCKER_CLI_BUILD: '0',
      DOCKER_BUILDKIT: '0',
    };
  }

  compose(args: string[], timeoutMs = 120_000): Promise<string> {
    return runOk('docker-compose', this.composeArgs(args), { env: this.env, timeoutMs });
  }

  /** docker-compose's result, whatever its status. */
  composeRun(args: string[], timeoutMs = 120_000): Promise<CommandResult> {
    return run('docker-compose', this.composeArgs(args), { env: this.env, timeoutMs });
  }

  private composeArgs(args: string[]): string[] {
    return ['-p', this.name, '-f', join(ROOT, 'docker-compose.yml'), ...args];
  }

  docker(args: string[], timeoutMs = 60_000): Promise<string> {
    return runOk('docker', args, { env: this.env, timeoutMs });
  }

  /** The container id of a service. */
  async container(service: string): Promise<string> {
    const id = (await this.compose(['ps', '-q', service])).trim();
    if (id === '') throw new Error(`no container for service ${service}`);
    return id;
  }

  /** `docker inspect` of a container, parsed. */
  async inspect(container: string): Promise<ContainerState> {
    const [info] = JSON.parse(await this.docker(['inspect', container])) as ContainerState[];
    return info;
  }

  /** Containers of this project, running or not. */
  async containers(): Promise<string[]> {
    const ids = await this.docker(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${this.name}`]);
    return ids.split('\n').filter((id) => id !== '');
  }
}

export interface ContainerState {
  Id: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; Pid: number; Health?: { Status: string } };
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Gateway: string }> };
}

/** Polls `check` until it returns a value; fails naming `what` after `ms`. */
export async function until<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
