import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { ChatPage, UI_WAIT_MS } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import {
  compileHostApp,
  createHostApp,
  hostTsconfig,
  installedCopies,
  installedVersion,
  packPackage,
  startHostApp,
  type HostProcess,
  type PackedPackage,
} from './helpers/package-host.js';
import { eventually } from './helpers/waiting.js';

// The package the way a user installs it: `npm pack` (prepack builds), then three fresh Nest
// hosts (ESM on Express, CommonJS on an older Nest, ESM on Fastify) that install the tarball
// from npm. Slow (a build and three npm installs), never skipped;
// the ESM host is also started under a global prefix and its page driven in Chromium (skipped
// locally without Chromium, failing under CI).

const SETUP_MS = 600_000;
const TEST_MS = 30_000;
/** A host start and a Chromium launch, then two browser contexts on a loaded 2-core machine. */
const BROWSER_MS = 60_000;
const API_KEY = 'host-key';

/** ESM host in TypeScript, on our Nest versions: forRootAsync from ConfigService, a @Public() guard. */
const esmHost = `import 'reflect-metadata';
import { Controller, Get, Injectable, Module, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { ChatError, ChatModule, InMemoryChatBus, Rfc6455Adapter, type ChatModuleOptions } from 'nest-chat-gateway';
import { WebSocketServer } from 'nest-chat-gateway/websocket';

const IS_PUBLIC = 'isPublic';
// Set by the browser test: the same host under a global prefix, with the page off the host's root.
const globalPrefix = process.env.HOST_GLOBAL_PREFIX;
const Public = () => SetMetadata(IS_PUBLIC, true);

@Controller('host')
class HostController {
  @Get('hello')
  @Public()
  hello() {
    return { host: 'esm', protocolServer: typeof WebSocketServer, chatError: new ChatError('forbidden', 'no').code };
  }

  @Get('secret')
  secret() {
    return { secret: true };
  }
}

@Injectable()
class ApiKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    return context.switchToHttp().getRequest().headers['x-api-key'] === '${API_KEY}';
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    ChatModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService): ChatModuleOptions => ({
        historySize: Number(config.get('CHAT_HISTORY_SIZE') ?? 100),
        bus: new InMemoryChatBus({ historySize: 5 }),
      }),
      publicMetadata: { key: IS_PUBLIC, value: true },
      paths: globalPrefix ? { page: '/chat-ui' } : undefined,
    }),
  ],
  controllers: [HostController],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
})
class HostModule {}

const app = await NestFactory.create(HostModule, { logger: ['error', 'warn'] });
if (globalPrefix) app.setGlobalPrefix(globalPrefix);
app.useWebSocketAdapter(new Rfc6455Adapter(app, { maxPayload: 64 * 1024 }));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log('RESOLVED ' + new URL(import.meta.resolve('nest-chat-gateway')).pathname);
console.log('LISTENING ' + app.getHttpServer().address().port);
`;

/** CommonJS host in plain JavaScript, pinned to an older Nest 12: forRoot, a getType() guard. */
const cjsHost = `require('reflect-metadata');
const { Controller, Get, Injectable, Module } = require('@nestjs/common');
const { APP_GUARD, NestFactory } = require('@nestjs/core');
const { ChatModule, Rfc6455Adapter } = require('nest-chat-gateway');

class HostController {
  status() {
    return { host: 'cjs' };
  }
}
Get('status')(HostController.prototype, 'status', Object.getOwnPropertyDescriptor(HostController.prototype, 'status'));
Controller('host')(HostController);

// Written for HTTP: judges only HTTP requests, so chat frames ('ws') pass.
class HttpApiKeyGuard {
  canActivate(context) {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest();
    return request.path.startsWith('/api/rooms') || request.headers['x-api-key'] === '${API_KEY}';
  }
}
Injectable()(HttpApiKeyGuard);

class HostModule {}
Module({
  imports: [ChatModule.forRoot({ historySize: 10 })],
  controllers: [HostController],
  providers: [{ provide: APP_GUARD, useClass: HttpApiKeyGuard }],
})(HostModule);

NestFactory.create(HostModule, { logger: ['error', 'warn'] }).then(async (app) => {
  app.useWebSocketAdapter(new Rfc6455Adapter(app));
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  console.log('RESOLVED ' + require.resolve('nest-chat-gateway'));
  console.log('LISTENING ' + app.getHttpServer().address().port);
});
`;

/**
 * ESM host in plain JavaScript on Nest's other HTTP platform, Fastify: the chat's REST API,
 * page, rate limit and history headers go through the host's platform, not Express.
 */
const fastifyHost = `import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ChatModule, InMemoryChatBus, Rfc6455Adapter } from 'nest-chat-gateway';

class HostController {
  status() {
    return { host: 'fastify' };
  }
}
Get('status')(HostController.prototype, 'status', Object.getOwnPropertyDescriptor(HostController.prototype, 'status'));
Controller('host')(HostController);

class HostModule {}
Module({
  imports: [
    ChatModule.forRoot({
      bus: new InMemoryChatBus({ historySize: 2 }),
      historySize: 2,
      // A burst, then one write per 1,000 s: the test runs into the limit.
      restRateLimit: { burst: 12, perSecond: 0.001 },
    }),
  ],
  controllers: [HostController],
})(HostModule);

const app = await NestFactory.create(HostModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
app.useWebSocketAdapter(new Rfc6455Adapter(app));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log('RESOLVED ' + new URL(import.meta.resolve('nest-chat-gateway')).pathname);
console.log('LISTENING ' + app.getHttpServer().address().port);
`;

/** The older Nest 12 release line a CommonJS host is pinned to. */
const OLDER_NEST = { core: '12.4.0', websockets: '12.1.0' };

/** The host runs the package installed in its own node_modules (not this checkout). */
function expectInstalledPackage(host: HostProcess, dir: string): void {
  expect(realpathSync(host.resolved)).toBe(realpathSync(join(dir, 'node_modules/nest-chat-gateway/dist/index.js')));
}

async function drive(host: HostProcess, room: string, expectedHostBody: object, hostPath: string): Promise<void> {
  const http = `http://127.0.0.1:${host.port}`;
  const ws = `ws://127.0.0.1:${host.port}`;
  await request(http).get(hostPath).set('x-api-key', API_KEY).expect(200).expect(expectedHostBody);

  const ann = await JsonChatClient.connect(ws);
  await ann.welcome();
  await ann.join(room, { name: 'ann' });
  ann.send('message', { room, text: 'hi from ann', ref: 1 });
  const ack = await ann.waitFor('ack');
  expect(await ann.waitFor('message')).toMatchObject({ id: ack.id, from: 'ann', text: 'hi from ann' });

  const posted = await request(http)
    .post(`/api/rooms/${room}/messages`)
    .send({ from: 'ci', text: 'from REST' })
    .expect(201);
  expect(posted.body).toMatchObject({ room, from: 'ci', text: 'from REST' });
  expect(await ann.waitFor('message')).toMatchObject({ id: posted.body.id, from: 'ci', text: 'from REST' });
  await ann.close();

  const lobbyWatcher = await JsonChatClient.connect(ws);
  await lobbyWatcher.welcome();
  await lobbyWatcher.join('lobby', { name: 'watcher' });
  const bob = await LineChatClient.connect(ws);
  bob.sendText('a plain line');
  await bob.waitForLine((line) => line.endsWith('say: a plain line'), 'the plain line back on /');
  expect(await lobbyWatcher.waitFor('message', (m) => m.text === 'a plain line')).toMatchObject({ room: 'lobby' });
  await bob.close();
  await lobbyWatcher.close();
}

describe('the packed package in host applications', () => {
  let packed: PackedPackage;
  let esmDir: string;
  let cjsDir: string;
  let fastifyDir: string;
  let esm: HostProcess;
  let cjs: HostProcess;
  let fastify: HostProcess;
  const running: HostProcess[] = [];
  const started = (host: HostProcess): HostProcess => {
    running.push(host);
    return host;
  };

  beforeAll(async () => {
    packed = await packPackage();
    const ours = {
      '@nestjs/common': await installedVersion('@nestjs/common'),
      '@nestjs/core': await installedVersion('@nestjs/core'),
      '@nestjs/platform-express': await installedVersion('@nestjs/platform-express'),
      '@nestjs/websockets': await installedVersion('@nestjs/websockets'),
      '@nestjs/config': await installedVersion('@nestjs/config'),
      'reflect-metadata': await installedVersion('reflect-metadata'),
      rxjs: await installedVersion('rxjs'),
    };
    [esmDir, cjsDir, fastifyDir] = await Promise.all([
      createHostApp(packed, {
        name: 'esm-host',
        type: 'module',
        dependencies: ours,
        files: { 'src/main.ts': esmHost, 'tsconfig.json': hostTsconfig() },
      }).then(async (dir) => {
        // Compiles while the other host still installs.
        await compileHostApp(dir);
        return dir;
      }),
      createHostApp(packed, {
        name: 'cjs-host',
        type: 'commonjs',
        dependencies: {
          '@nestjs/common': OLDER_NEST.core,
          '@nestjs/core': OLDER_NEST.core,
          '@nestjs/platform-express': OLDER_NEST.core,
          '@nestjs/websockets': OLDER_NEST.websockets,
          'reflect-metadata': '^0.2.0',
          rxjs: '^7.8.0',
        },
        files: { 'main.js': cjsHost },
      }),
      createHostApp(packed, {
        name: 'fastify-host',
        type: 'module',
        dependencies: {
          ...ours,
          '@nestjs/platform-fastify': await installedVersion('@nestjs/platform-fastify'),
        },
        files: { 'main.js': fastifyHost },
      }),
    ]);
    [esm, cjs, fastify] = await Promise.all([
      startHostApp(esmDir, 'dist/main.js').then(started),
      startHostApp(cjsDir, 'main.js').then(started),
      startHostApp(fastifyDir, 'main.js').then(started),
    ]);
  }, SETUP_MS);

  afterAll(async () => {
    await Promise.all(running.map((host) => host.stop()));
    await packed?.remove();
  }, TEST_MS);

  it('ships compiled JavaScript, declarations and the page, nothing else', () => {
    const unexpected = packed.files.filter(
      (path) => !/^(dist\/.+\.(js|d\.ts)|dist\/chat\/public\/.+|package\.json|README\.md)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(packed.files.filter((path) => /\.spec\.|\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/websocket/index.js',
        'dist/chat/public/index.html',
        'dist/main.js',
      ]),
    );
  });

  it('keeps exactly one copy of @nestjs/core in each host, the host own version', async () => {
    expect(await installedCopies(esmDir, '@nestjs/core')).toEqual([join(esmDir, 'node_modules/@nestjs/core')]);
    expect(await installedCopies(cjsDir, '@nestjs/core')).toEqual([join(cjsDir, 'node_modules/@nestjs/core')]);
    const cjsCore = JSON.parse(readFileSync(join(cjsDir, 'node_modules/@nestjs/core/package.json'), 'utf8')) as {
      version: string;
    };
    expect(cjsCore.version).toBe(OLDER_NEST.core);
  });

  it(
    'runs in an ESM host on our Nest versions (import, forRootAsync, @Public() guard)',
    async () => {
      const host = esm;
      expectInstalledPackage(host, esmDir);
      await drive(host, 'esm-room', { host: 'esm', protocolServer: 'function', chatError: 'forbidden' }, '/host/hello');
      const http = `http://127.0.0.1:${host.port}`;
      await request(http).get('/host/secret').expect(403);
      await request(http)
        .get('/')
        .expect(200)
        .expect('content-type', /text\/html/);
    },
    TEST_MS,
  );

  it(
    'runs in a CommonJS host pinned to an older Nest 12 (require, getType() guard)',
    async () => {
      const host = cjs;
      expectInstalledPackage(host, cjsDir);
      await drive(host, 'cjs-room', { host: 'cjs' }, '/host/status');
      await request(`http://127.0.0.1:${host.port}`).get('/host/status').expect(403);
      expect(host.output()).not.toMatch(/can't resolve dependencies/i);
    },
    TEST_MS,
  );

  it(
    'runs in a host on Fastify: REST, page, history and rate-limit headers through the host platform',
    async () => {
      expectInstalledPackage(fastify, fastifyDir);
      await drive(fastify, 'fastify-room', { host: 'fastify' }, '/host/status');
      const http = () => request(`http://127.0.0.1:${fastify.port}`);

      const page = await http()
        .get('/')
        .expect(200)
        .expect('content-type', /text\/html/);
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['x-frame-options']).toBe('DENY');
      const script = await http()
        .get('/assets/app.js')
        .expect(200)
        .expect('content-type', /javascript/);
      await http().get('/assets/app.js').set('If-None-Match', script.headers.etag).expect(304);
      await http().get('/assets/no-such-file.js').expect(404);

      const post = (text: string) =>
        http().post('/api/rooms/ops/messages').set('Idempotency-Key', text).send({ from: 'ci', text });
      const first = await post('first').expect(201);
      // A resend with the same key answers the message stored first.
      expect((await post('first').expect(201)).body.id).toBe(first.body.id);
      await http()
        .post('/api/rooms/ops/messages/batch')
        .send({ from: 'ci', messages: [{ text: 'a' }, { text: 'b' }] })
        .expect(201);
      // History keeps 2: after `first` nothing is lost yet; one more and `a` is gone.
      const kept = await http().get(`/api/rooms/ops/messages?since=${first.body.id}`).expect(200);
      expect(kept.body.map((message: { text: string }) => message.text)).toEqual(['a', 'b']);
      expect(kept.headers['x-history-truncated']).toBeUndefined();
      await post('c').expect(201);
      const truncated = await http().get(`/api/rooms/ops/messages?since=${first.body.id}`).expect(200);
      expect(truncated.headers['x-history-truncated']).toBe('true');

      await http().post('/api/rooms/ops/messages').set('content-type', 'text/plain').send('hi').expect(415);
      await http().post('/api/rooms/ops/messages').send({ from: 'ci' }).expect(400);
      let limited: request.Response | undefined;
      for (let i = 0; i < 20 && limited === undefined; i++) {
        const response = await http()
          .post('/api/rooms/ops/messages')
          .send({ from: 'ci', text: `more ${i}` });
        if (response.status === 429) limited = response;
        else expect(response.status).toBe(201);
      }
      expect(limited?.status).toBe(429);
      expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(1);
      expect(fastify.output()).not.toMatch(/error/i);
    },
    TEST_MS,
  );

  describeWithBrowser('the installed page, served by the ESM host under a global prefix, in Chromium', () => {
    const PREFIX = 'v1';
    const room = 'prefixed';
    let prefixed: HostProcess;
    let browser: Browser;
    const pages: ChatPage[] = [];

    beforeAll(async () => {
      if (esmDir === undefined) throw new Error('no ESM host to start: its setup failed (see above)');
      // Both settle before a failure is reported, so afterAll closes whichever did start.
      const outcomes = await Promise.allSettled([
        startHostApp(esmDir, 'dist/main.js', { HOST_GLOBAL_PREFIX: PREFIX }).then((host) => (prefixed = started(host))),
        launchChromium().then((launched) => (browser = launched)),
      ]);
      for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    }, BROWSER_MS);

    afterAll(async () => {
      await Promise.all(pages.map((page) => page.close().catch(() => undefined)));
      await browser?.close();
    }, TEST_MS);

    it(
      'two pages connect, send and receive; the page finds the socket outside the prefix and the REST API under it',
      async () => {
        expectInstalledPackage(prefixed, esmDir);
        const http = `http://127.0.0.1:${prefixed.port}`;
        // The host's own routes moved under the prefix, its guard still in force.
        await request(http).get(`/${PREFIX}/host/hello`).expect(200);
        await request(http).get(`/${PREFIX}/host/secret`).expect(403);

        const pageUrl = `${http}/${PREFIX}/chat-ui`;
        const ann = await ChatPage.open(browser, pageUrl, { name: 'Ann', room });
        pages.push(ann);
        const bob = await ChatPage.open(browser, pageUrl, { name: 'Bob', room });
        pages.push(bob);

        const socketUrls = await ann.page.evaluate(() =>
          (globalThis as unknown as { __sockets: Array<{ url: string }> }).__sockets.map((socket) => socket.url),
        );
        // The page's socket is outside the prefix; `session` keeps its sender id across reconnects.
        expect(socketUrls).toEqual([
          expect.stringMatching(new RegExp(`^ws://127\\.0\\.0\\.1:${prefixed.port}/chat\\?session=[\\w-]+$`)),
        ]);

        await ann.send('hello from the installed page');
        await bob.waitForMessage('hello from the installed page', 'Ann');
        await bob.send('heard you under /v1');
        await ann.waitForMessage('heard you under /v1', 'Bob');
        await ann.waitForOutboxEmpty();
        await ann.waitForMembers(['Ann', 'Bob']);

        // A host-side post through the REST API under the prefix reaches both pages.
        await request(http)
          .post(`/${PREFIX}/api/rooms/${room}/messages`)
          .send({ from: 'host', text: 'a notice' })
          .expect(201);
        await ann.waitForMessage('a notice', 'host');
        await bob.waitForMessage('a notice', 'host');

        for (const page of [ann, bob]) {
          const seen = (): string[] => page.responses.map(({ url, status }) => `${status} ${new URL(url).pathname}`);
          // The page's own room-list request (on join), resolved from its URL to the API under the prefix.
          await eventually(
            () => seen().includes(`200 /${PREFIX}/api/rooms`),
            `the page's GET /${PREFIX}/api/rooms; saw ${JSON.stringify(seen())}`,
            UI_WAIT_MS,
          );
          expect(seen()).toEqual(
            expect.arrayContaining([
              `200 /${PREFIX}/chat-ui/`,
              `200 /${PREFIX}/chat-ui/assets/app.js`,
              `200 /${PREFIX}/chat-ui/assets/style.css`,
            ]),
          );
          expect(seen().filter((line) => !/^(200|304) /.test(line))).toEqual([]);
          expect(page.pageErrors).toEqual([]);
          expect(page.cspViolations).toEqual([]);
          expect(page.dialogs).toEqual([]);
        }
      },
      BROWSER_MS,
    );
  });
});
