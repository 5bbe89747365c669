import type { Browser } from 'playwright-core';
import { ChatPage, type ChatPageOptions } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import { describeWithRedisServer, RedisServerProcess } from './helpers/redis-server.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

const TEST_MS = 60_000;

function expectNoDuplicates(values: string[]): void {
  expect(values.filter((value, index) => values.indexOf(value) !== index)).toEqual([]);
}

describeWithBrowser('the chat page when a send is in doubt', () => {
  describeWithRedisServer('(BUS=redis, a redis-server of the test)', () => {
    let redis: RedisServerProcess;
    let service: ServiceApp;
    let browser: Browser;
    const opened: ChatPage[] = [];

    async function open(options: ChatPageOptions): Promise<ChatPage> {
      const page = await ChatPage.open(browser, service.httpUrl, options);
      opened.push(page);
      return page;
    }

    /** The refs of the `message` frames the page sent with `text`. */
    const refsSent = (page: ChatPage, text: string) =>
      page.sent.filter((frame) => frame.event === 'message' && frame.data.text === text).map((f) => String(f.data.ref));

    beforeAll(async () => {
      browser = await launchChromium();
    }, TEST_MS);
    beforeEach(async () => {
      redis = await RedisServerProcess.create();
      service = await startService({ BUS: 'redis', REDIS_URL: redis.url, ECHO_ENABLED: 'false' });
    }, TEST_MS);
    afterEach(async () => {
      for (const page of opened.splice(0)) {
        expect(page.pageErrors).toEqual([]);
        await page.close().catch(() => undefined);
      }
      await service?.close();
      await redis?.kill();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it(
      'resends a message answered maybe_stored with its ref until acked, and shows it once',
      async () => {
        const alice = await open({ name: 'Alice', room: 'doubt' });
        const bob = await open({ name: 'Bob', room: 'doubt' });
        await bob.send('Before the freeze');
        await alice.waitForMessage('Before the freeze', 'Bob');

        redis.freeze();
        try {
          await bob.send('Sent into a frozen Redis');
          // Answered maybe_stored (the store timed out): waiting to be resent, not failed.
          await bob.page
            .locator('#outbox .msg[data-status="queued"]', { hasText: 'may have stored' })
            .waitFor({ timeout: 10_000 });
        } finally {
          redis.thaw();
        }
        await bob.waitForMessage('Sent into a frozen Redis', 'Bob');
        await alice.waitForMessage('Sent into a frozen Redis', 'Bob');
        await bob.waitForOutboxEmpty();
        for (const page of [alice, bob]) {
          expectNoDuplicates(await page.messageIds());
          expect(await page.messageTexts()).toEqual(['Before the freeze', 'Sent into a frozen Redis']);
        }
        const refs = refsSent(bob, 'Sent into a frozen Redis');
        expect(refs.length).toBeGreaterThanOrEqual(1);
        expect(new Set(refs).size).toBe(1);
      },
      TEST_MS,
    );

    it(
      'resumes after its connection drops with a send unacknowledged, and shows it once',
      async () => {
        const alice = await open({ name: 'Alice', room: 'drop' });
        const bob = await open({ name: 'Bob', room: 'drop' });
        await alice.send('Hello');
        await bob.waitForMessage('Hello', 'Alice');

        // The store cannot answer: the connection drops with the message sent and not acked.
        redis.freeze();
        try {
          await bob.send('Sent as the connection dropped');
          await bob.page.locator('#outbox .msg[data-status="sending"]').waitFor();
          await bob.dropConnection();
          await bob.page.locator('#outbox .msg[data-status="queued"]').waitFor();
        } finally {
          redis.thaw();
        }
        await bob.waitForState('online');
        await bob.waitForMessage('Sent as the connection dropped', 'Bob');
        await alice.waitForMessage('Sent as the connection dropped', 'Bob');
        await bob.waitForOutboxEmpty();
        for (const page of [alice, bob]) {
          expectNoDuplicates(await page.messageIds());
          expect(await page.messageTexts()).toEqual(['Hello', 'Sent as the connection dropped']);
        }
        expect(new Set(refsSent(bob, 'Sent as the connection dropped')).size).toBe(1);
      },
      TEST_MS,
    );
  });
});
