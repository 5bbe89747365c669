import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '../src/config/environment.js';
import {
  describeWithDockerCompose,
  dockerCompose,
  dockerComposeWith,
  readComposeYaml,
  type Yaml,
} from './helpers/redis-compose.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Service = { [key: string]: any };

/** Directives of an nginx config, comments removed, one statement per entry. */
function nginxStatements(config: string): string[] {
  return config
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .join(' ')
    .split(/[;{}]/)
    .map((statement) => statement.trim().replace(/\s+/g, ' '))
    .filter((statement) => statement !== '');
}

describe('the nginx config in front of the gateways (deploy/nginx.conf)', () => {
  const statements = nginxStatements(read('deploy/nginx.conf'));

  it('passes WebSocket upgrades through over HTTP/1.1', () => {
    expect(statements).toEqual(
      expect.arrayContaining([
        'proxy_http_version 1.1',
        'proxy_set_header Upgrade $http_upgrade',
        'proxy_set_header Connection $connection_upgrade',
        'map $http_upgrade $connection_upgrade',
        'default upgrade',
        "'' ''",
      ]),
    );
  });

  it('keeps idle WebSockets open for more than two heartbeat intervals, and connects with a bound', () => {
    const seconds = (name: string) => {
      const statement = statements.find((s) => s.startsWith(`${name} `));
      expect(statement).toBeDefined();
      return Number(/ (\d+)s$/.exec(statement!)![1]);
    };
    const heartbeatSeconds = loadEnvironment({}).WS_HEARTBEAT_MS / 1000;
    expect(seconds('proxy_read_timeout')).toBeGreaterThan(2 * heartbeatSeconds);
    expect(seconds('proxy_send_timeout')).toBeGreaterThan(2 * heartbeatSeconds);
    expect(seconds('proxy_connect_timeout')).toBeLessThanOrEqual(10);
  });

  it('forwards the client address and protocol', () => {
    expect(statements).toEqual(
      expect.arrayContaining([
        'proxy_set_header Host $host',
        'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for',
        'proxy_set_header X-Forwarded-Proto $scheme',
      ]),
    );
  });
});

describe('the image (Dockerfile)', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('takes its Node.js base image from a build argument, a public node image by default', () => {
    expect(dockerfile.split(/^FROM /m)[0]).toMatch(/^ARG NODE_IMAGE=node:\d+-(alpine|\w+-slim)$/m);
    expect(stages.map((stage) => stage.split(' ')[0])).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    // A `# syntax=` line makes BuildKit fetch that frontend image from the registry.
    expect(dockerfile).not.toMatch(/^# *syntax=/m);
  });

  it('builds in one stage and runs the compiled code from a second, small one', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^\S+ AS build\n/);
    expect(stages[0]).toMatch(/RUN npm ci/);
    expect(stages[0]).toMatch(/npm run build && npm prune --omit=dev/);
    expect(stages[1]).toMatch(/^\S+ AS runtime\n/);
    expect(stages[1]).toMatch(/COPY --from=build .*\/app\/dist/);
    expect(stages[1]).not.toMatch(/npm (ci|install)/);
  });

  it('runs as an unprivileged user, with a health check on /health', () => {
    expect(stages[1]).toMatch(/^USER node$/m);
    expect(stages[1]).toMatch(/^HEALTHCHECK .*\n?.*\/health/m);
    expect(stages[1]).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('keeps the build context free of dependencies, builds and tests', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'test', '.git']));
  });
});

describeWithDockerCompose('the compose stack (docker-compose.yml, checked by docker-compose config)', () => {
  let services: Record<string, Service>;
  let volumes: Record<string, Yaml>;

  beforeAll(() => {
    const run = dockerCompose(ROOT, '-f', 'docker-compose.yml', 'config');
    if (run.status !== 0) throw new Error(`docker-compose config failed (${run.status}):\n${run.stderr}`);
    const config = readComposeYaml(run.stdout) as { services: Record<string, Service>; volumes: Record<string, Yaml> };
    services = config.services;
    volumes = config.volumes;
  });

  it('is valid for docker-compose', () => {
    const run = dockerCompose(ROOT, '-f', 'docker-compose.yml', 'config', '--quiet');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs Redis, two gateway replicas and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway-1', 'gateway-2', 'nginx', 'redis']);
  });

  it('keeps Redis data in a volume, with a health check', () => {
    const { redis } = services;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.volumes).toEqual(['redis-data:/data:rw']);
    expect(Object.keys(volumes)).toEqual(['redis-data']);
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports).toBeUndefined();
  });

  it('builds the gateway image once, from this repository, on the public node image by default', () => {
    expect(services['gateway-1'].build).toEqual({ context: ROOT, args: { NODE_IMAGE: 'node:20-alpine' } });
    expect(services['gateway-2'].build).toBeUndefined();
    expect(services['gateway-2'].image).toBe(services['gateway-1'].image);
    // docker-compose 1.29 prepares images in file order: the building service comes first.
    const file = read('docker-compose.yml');
    expect(file.indexOf('\n  gateway-1:')).toBeLessThan(file.indexOf('\n  gateway-2:'));
  });

  it('takes the Redis and nginx images from variables, the public images by default', () => {
    const mirror = {
      NODE_IMAGE: 'mirror.example/node:20',
      REDIS_IMAGE: 'mirror.example/redis:7',
      NGINX_IMAGE: 'mirror.example/nginx:1.28',
    };
    const variables = dockerComposeWith(ROOT, mirror, '-f', 'docker-compose.yml', 'config');
    expect(variables.status).toBe(0);
    const mirrored = (readComposeYaml(variables.stdout) as { services: Record<string, Service> }).services;
    expect(mirrored['gateway-1'].build.args).toEqual({ NODE_IMAGE: 'mirror.example/node:20' });
    expect(mirrored.redis.image).toBe('mirror.example/redis:7');
    expect(mirrored.nginx.image).toBe('mirror.example/nginx:1.28');
    expect(services.nginx.image).toMatch(/^nginx:1\.\d+-alpine$/);
  });

  it.each(['gateway-1', 'gateway-2'])('runs %s on the Redis bus, behind nginx only, naming itself', (name) => {
    const gateway = services[name];
    expect(gateway.image).toBe('nest-chat-gateway:latest');
    expect(gateway.environment).toMatchObject({ BUS: 'redis', REDIS_URL: 'redis://redis:6379', HOST: '0.0.0.0' });
    expect(gateway.environment.INSTANCE_ID).toBe(name);
    // The environment is one the service accepts.
    expect(() => loadEnvironment(gateway.environment)).not.toThrow();
    expect(gateway.expose).toEqual([gateway.environment.PORT]);
    // nginx is the one proxy in front: clients are named after their own address, not nginx's.
    expect(gateway.environment.TRUST_PROXY).toBe('1');
    expect(gateway.ports).toBeUndefined();
    expect(gateway.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(gateway.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${gateway.environment.PORT}/health`);
    expect(gateway.restart).toBe('unless-stopped');
  });

  it("publishes nginx on port 8080 with the repository's config, once both gateways are healthy", () => {
    const { nginx } = services;
    expect(nginx.ports).toEqual([{ published: '8080', target: '8080' }]);
    expect(nginx.volumes).toEqual([`${join(ROOT, 'deploy/nginx.conf')}:/etc/nginx/nginx.conf:ro`]);
    expect(nginx.depends_on).toEqual({
      'gateway-1': { condition: 'service_healthy' },
      'gateway-2': { condition: 'service_healthy' },
    });
    expect(nginx.healthcheck.test.join(' ')).toContain('http://127.0.0.1:8080/health');
  });

  it('sends nginx traffic to exactly the gateway services, on their port', () => {
    const statements = nginxStatements(read('deploy/nginx.conf'));
    expect(statements).toContain('listen 8080');
    const upstreams = statements.filter((s) => s.startsWith('server ')).map((s) => s.split(' ')[1]);
    expect(upstreams.sort()).toEqual(
      ['gateway-1', 'gateway-2'].map((name) => `${name}:${services[name].environment.PORT}`),
    );
    expect(statements).toContain('proxy_pass http://chat_gateways');
    expect(statements).toContain('upstream chat_gateways');
  });
});
