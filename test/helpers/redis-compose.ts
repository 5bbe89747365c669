import { spawnSync } from 'node:child_process';

/**
 * The compose stack (Redis, gateways, nginx) as `docker-compose config` resolves it: validated
 * by docker-compose itself, then read back from its normalised output.
 */

export const dockerComposeInstalled = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

/** `describe` when docker-compose runs; without it the suite fails under CI and is skipped elsewhere. */
export function describeWithDockerCompose(name: string, body: () => void): void {
  if (dockerComposeInstalled) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs docker-compose', () => {
        throw new Error('docker-compose is not installed (apt-get install docker-compose)');
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": docker-compose is not installed (apt-get install docker-compose).`);
    describe.skip(name, body);
  }
}

export interface ComposeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The variables docker-compose.yml reads: unset unless given, so that the defaults are checked. */
const COMPOSE_VARIABLES = ['NODE_IMAGE', 'REDIS_IMAGE', 'NGINX_IMAGE', 'NGINX_PUBLISH'];

export function dockerCompose(cwd: string, ...args: string[]): ComposeRun {
  return dockerComposeWith(cwd, {}, ...args);
}

/** docker-compose with these of the compose file's variables set (and the others unset). */
export function dockerComposeWith(cwd: string, variables: Record<string, string>, ...args: string[]): ComposeRun {
  const env = { ...process.env };
  for (const name of COMPOSE_VARIABLES) delete env[name];
  const run = spawnSync('docker-compose', args, {
    cwd,
    env: { ...env, ...variables },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

export type Yaml = string | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

/**
 * Reads the block-style YAML that `docker-compose config` prints (mappings, sequences, plain
 * and quoted scalars, `{}` and `[]`): enough to check the resolved configuration, not a general
 * YAML parser. Scalars stay strings.
 */
export function readComposeYaml(source: string): Yaml {
  const lines: Line[] = [];
  for (const raw of source.split('\n')) {
    const text = raw.trimEnd();
    const content = text.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    lines.push({ indent: text.length - content.length, text: content });
  }
  let at = 0;

  function block(indent: number): Yaml {
    return lines[at].text === '-' || lines[at].text.startsWith('- ') ? sequence(indent) : mapping(indent);
  }

  function mapping(indent: number): { [key: string]: Yaml } {
    const result: { [key: string]: Yaml } = {};
    while (at < lines.length && lines[at].indent === indent && !isItem(lines[at].text)) {
      const { key, rest } = splitKey(lines[at].text);
      at++;
      if (rest !== '') {
        result[key] = scalar(rest);
      } else if (at < lines.length && lines[at].indent > indent) {
        result[key] = block(lines[at].indent);
      } else if (at < lines.length && lines[at].indent === indent && isItem(lines[at].text)) {
        result[key] = sequence(indent); // PyYAML writes a key's sequence at the key's own indent
      } else {
        result[key] = '';
      }
    }
    return result;
  }

  function sequence(indent: number): Yaml[] {
    const result: Yaml[] = [];
    while (at < lines.length && lines[at].indent === indent && isItem(lines[at].text)) {
      const rest = lines[at].text === '-' ? '' : lines[at].text.slice(2).trimStart();
      if (rest === '') {
        at++;
        result.push(at < lines.length && lines[at].indent > indent ? block(lines[at].indent) : '');
      } else if (/^[A-Za-z0-9_.-]+:( |$)/.test(rest)) {
        // A mapping item: its first entry shares the dash's line.
        lines[at] = { indent: indent + 2, text: rest };
        result.push(mapping(indent + 2));
      } else {
        at++;
        result.push(scalar(rest));
      }
    }
    return result;
  }

  return lines.length === 0 ? {} : block(lines[0].indent);
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function splitKey(text: string): { key: string; rest: string } {
  const colon = text.endsWith(':') && !text.includes(': ') ? text.length - 1 : text.indexOf(': ');
  if (colon < 0) throw new Error(`not a mapping entry: ${text}`);
  return { key: unquote(text.slice(0, colon)), rest: text.slice(colon + 1).trim() };
}

function scalar(text: string): Yaml {
  if (text === '{}') return {};
  if (text === '[]') return [];
  return unquote(text);
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return JSON.parse(text) as string;
  return text;
}
