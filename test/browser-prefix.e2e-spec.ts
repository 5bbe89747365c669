import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule } from '../src/chat/index.js';
import { ChatPage } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';

const TEST_MS = 30_000;

@Controller()
class HostController {
  @Get()
  home() {
    return { app: 'host' };
  }
}

/** A host with its own `/`, a global prefix, and the chat moved to paths of its choosing. */
@Module({
  imports: [
    ChatModule.forRoot({
      textProtocol: false,
      paths: { json: ['/ws/chat', '/ws/chat-alias'], page: '/chat-ui', rest: '/chat-api' },
    }),
  ],
  controllers: [HostController],
})
class HostAppModule {}

/** In-page globals (the test program is compiled without the DOM lib). */
interface InPage {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  fetch(url: string): Promise<{ status: number; json(): Promise<unknown> }>;
  __sockets: Array<{ url: string }>;
}

describeWithBrowser('the chat page in a host app under a global prefix, in Chromium', () => {
  let app: INestApplication;
  let origin: string;
  let browser: Browser;
  const opened: ChatPage[] = [];

  beforeAll(async () => {
    app = await NestFactory.create(HostAppModule, { logger: ['error'] });
    app.setGlobalPrefix('v1');
    app.useWebSocketAdapter(new Rfc6455Adapter(app));
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, TEST_MS);

  afterAll(async () => {
    await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
    await browser?.close();
    await app?.close();
  });

  it(
    'connects to the socket outside the prefix, sends and receives',
    async () => {
      const alice = await ChatPage.open(browser, `${origin}/v1/chat-ui`, { name: 'Alice', room: 'general' });
      opened.push(alice);
      const bob = await ChatPage.open(browser, `${origin}/v1/chat-ui`, { name: 'Bob', room: 'general' });
      opened.push(bob);

      const socketUrls = await alice.page.evaluate(() => (globalThis as unknown as InPage).__sockets.map((s) => s.url));
      expect(socketUrls).toEqual([expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat\?session=[\w-]+$/)]);

      await alice.send('Hello from under /v1');
      await bob.waitForMessage('Hello from under /v1', 'Alice');
      await bob.send('Heard you');
      await alice.waitForMessage('Heard you', 'Bob');
      await alice.waitForOutboxEmpty();
      await alice.waitForMembers(['Alice', 'Bob']);

      for (const page of [alice, bob]) {
        expect(page.pageErrors).toEqual([]);
        expect(page.cspViolations).toEqual([]);
        expect(page.dialogs).toEqual([]);
      }
    },
    TEST_MS,
  );

  it(
    'finds the REST API under the prefix from the page',
    async () => {
      const [page] = opened;
      const rooms = await page.page.evaluate(async () => {
        const inPage = globalThis as unknown as InPage;
        const url = inPage.document.querySelector('meta[name="chat-rooms"]')!.getAttribute('content')!;
        const response = await inPage.fetch(url);
        return {
          url: new URL(url, (globalThis as unknown as { location: { href: string } }).location.href).pathname,
          status: response.status,
          body: await response.json(),
        };
      });
      expect(rooms).toEqual({ url: '/v1/chat-api/rooms', status: 200, body: [{ room: 'general', members: 2 }] });
    },
    TEST_MS,
  );
});
