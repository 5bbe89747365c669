import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { startChatApp, type RunningChat } from './helpers/browser-app.js';
import { ChatPage, type ChatPageOptions } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import { eventually } from './helpers/waiting.js';

// The README's screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1), so an
// ordinary test run leaves the work tree clean; otherwise they go to a scratch folder.
const DOCS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(dirname(fileURLToPath(import.meta.url)), '..', 'docs')
    : join(tmpdir(), 'chat-gateway-screenshots');
const XSS = '<img src=x onerror=alert(1)>';
const TEST_MS = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Browser globals used inside page.evaluate (the test program is compiled without the DOM lib). */
interface InPage {
  localStorage: { getItem(key: string): string | null };
  location: { hash: string };
}

/** What the CSP test touches in the page (the test program has no DOM lib). */
interface InPageDocument {
  __injected?: boolean;
  document: {
    createElement(tag: 'script'): { textContent: string };
    body: { append(node: unknown): void };
  };
}

function expectNoDuplicates(ids: string[]): void {
  expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
}

describeWithBrowser('the chat page in Chromium', () => {
  let server: RunningChat;
  let browser: Browser;
  const opened: ChatPage[] = [];

  async function open(options: ChatPageOptions): Promise<ChatPage> {
    const page = await ChatPage.open(browser, server.baseUrl, options);
    opened.push(page);
    return page;
  }

  beforeAll(async () => {
    server = await startChatApp();
    browser = await launchChromium();
  }, TEST_MS);

  afterAll(async () => {
    await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
    await browser?.close();
    await server?.close();
  });

  describe('two people in one room', () => {
    let alice: ChatPage;
    let bob: ChatPage;

    beforeAll(async () => {
      alice = await open({ name: 'Alice', room: 'general' });
      bob = await open({ name: 'Bob', room: 'general' });
    }, TEST_MS);

    afterEach(() => {
      // Whatever a test did, no page may have thrown or popped a dialog.
      expect(alice.pageErrors).toEqual([]);
      expect(bob.pageErrors).toEqual([]);
      expect([...alice.dialogs, ...bob.dialogs]).toEqual([]);
      // The page, its WebSocket and its fetches all pass its Content-Security-Policy.
      expect([...alice.cspViolations, ...bob.cspViolations]).toEqual([]);
    });

    it(
      'shows both members on both pages',
      async () => {
        await alice.waitForMembers(['Alice', 'Bob']);
        await bob.waitForMembers(['Alice', 'Bob']);
        await alice.page.locator('#log .notice', { hasText: 'Bob joined' }).waitFor();
      },
      TEST_MS,
    );

    it(
      'delivers messages both ways with author and time, and clears them from the outbox on ack',
      async () => {
        const started = Date.now();
        await alice.send('Hi Bob, is the deploy done?');
        await bob.waitForMessage('Hi Bob, is the deploy done?', 'Alice');
        await bob.send('Yes, all three instances.');
        await alice.waitForMessage('Yes, all three instances.', 'Bob');
        await alice.waitForMessage('Hi Bob, is the deploy done?', 'Alice');
        await alice.waitForOutboxEmpty();
        await bob.waitForOutboxEmpty();

        const sent = alice.sent.find((frame) => frame.event === 'message');
        expect(sent?.data).toEqual({ room: 'general', text: 'Hi Bob, is the deploy done?', ref: expect.any(String) });

        const stamp = bob.page.locator('#log .msg[data-from="Alice"] time').first();
        const at = Date.parse((await stamp.getAttribute('datetime')) ?? '');
        expect(at).toBeGreaterThanOrEqual(started - 60_000);
        expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
        const shown = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });
        const normalise = (text: string | null) => (text ?? '').replace(/\s+/g, ' ');
        expect(normalise(await stamp.textContent())).toBe(normalise(shown.format(at)));
      },
      TEST_MS,
    );

    it(
      'shows markup in a message as text and never runs it',
      async () => {
        await alice.send(XSS);
        await bob.waitForMessage(XSS, 'Alice');
        await alice.waitForMessage(XSS, 'Alice');
        for (const page of [alice, bob]) {
          const texts = await page.messageTexts();
          expect(texts).toContain(XSS);
          expect(await page.page.locator('#log img, #outbox img').count()).toBe(0);
        }
        expect(alice.dialogs).toEqual([]);
        expect(bob.dialogs).toEqual([]);
      },
      TEST_MS,
    );

    it(
      'reconnects after the socket drops and resumes from the last message it saw',
      async () => {
        const idsBefore = await bob.messageIds();
        const socketsBefore = await bob.socketCount();
        await bob.dropConnection();
        await bob.waitForState('reconnecting');
        await bob.waitForState('online');
        expect(await bob.socketCount()).toBe(socketsBefore + 1);
        expect(bob.joinsSent().at(-1)?.data).toEqual({ room: 'general', name: 'Bob', since: expect.anything() });
        expect(String(bob.joinsSent().at(-1)?.data.since)).toBe(idsBefore.at(-1));

        await alice.send('Still there?');
        await bob.waitForMessage('Still there?', 'Alice');
        expect((await bob.messageTexts()).filter((text) => text === 'Still there?')).toHaveLength(1);
        expectNoDuplicates(await bob.messageIds());
        await alice.waitForMembers(['Alice', 'Bob']);
      },
      TEST_MS,
    );

    it(
      'catches up on what was said while offline and sends what was typed meanwhile',
      async () => {
        await bob.context.setOffline(true);
        await bob.dropConnection();
        await bob.waitForState('offline');
        await alice.waitForMembers(['Alice']);

        await alice.send('Said while Bob was offline');
        await alice.waitForMessage('Said while Bob was offline', 'Alice');
        await bob.send('Typed while offline');
        await bob.page.locator('#outbox .msg[data-status="queued"]', { hasText: 'Typed while offline' }).waitFor();

        await bob.context.setOffline(false);
        await bob.waitForState('online');
        await bob.waitForMessage('Said while Bob was offline', 'Alice');
        await alice.waitForMessage('Typed while offline', 'Bob');
        await bob.waitForMessage('Typed while offline', 'Bob');
        await bob.waitForOutboxEmpty();
        expectNoDuplicates(await bob.messageIds());
        expect(await bob.messageTexts()).toEqual(await alice.messageTexts());
      },
      TEST_MS,
    );

    it(
      'shows the whole history exactly once after a reload, remembering name and room',
      async () => {
        await bob.page.reload();
        await bob.waitForState('online');
        await expect(bob.page.getByRole('dialog').isVisible()).resolves.toBe(false);
        expect(bob.joinsSent().at(-1)?.data).toEqual({ room: 'general', name: 'Bob' });
        await bob.waitForMessage('Typed while offline', 'Bob');
        expectNoDuplicates(await bob.messageIds());
        expect(await bob.messageTexts()).toEqual(await alice.messageTexts());
        await alice.waitForMembers(['Alice', 'Bob']);
      },
      TEST_MS,
    );

    it(
      'sends later messages under a new name',
      async () => {
        const form = bob.page.locator('#name-form');
        await form.getByLabel('Display name').fill('Robert');
        await form.getByRole('button', { name: 'Save' }).click();
        await expect(
          bob.page.evaluate(() => (globalThis as unknown as InPage).localStorage.getItem('chat.name')),
        ).resolves.toBe('Robert');
        expect(bob.sent.at(-1)).toEqual({ event: 'nick', data: { name: 'Robert' } });

        await bob.send('New name, same Bob');
        await alice.waitForMessage('New name, same Bob', 'Robert');
        await bob.waitForOutboxEmpty();
        // Bob's own copy is recognised as his despite the new name.
        await bob.page.locator('#log .msg.own[data-from="Robert"]').first().waitFor();
      },
      TEST_MS,
    );

    it(
      'leaves one room and joins another when switching rooms',
      async () => {
        const form = alice.page.locator('#room-form');
        await form.getByLabel('Join or create a room').fill('random');
        await form.getByRole('button', { name: 'Go' }).click();
        await alice.waitForMembers(['Alice']);
        await bob.waitForMembers(['Robert']);
        expect(alice.sent.slice(-2)).toEqual([
          { event: 'leave', data: { room: 'general' } },
          { event: 'join', data: { room: 'random', name: 'Alice' } },
        ]);
        expect(new URL(alice.page.url()).hash).toBe('#random');
        expect(await alice.messageTexts()).toEqual([]);

        await bob.send('Only for #general');
        await alice.send('Only for #random');
        await alice.waitForMessage('Only for #random', 'Alice');
        await bob.waitForMessage('Only for #general', 'Robert');
        expect(await alice.messageTexts()).toEqual(['Only for #random']);

        // Back through the URL, as a shared link would do.
        await alice.page.evaluate(() => {
          (globalThis as unknown as InPage).location.hash = 'general';
        });
        await alice.waitForMembers(['Alice', 'Robert']);
        await alice.waitForMessage('Only for #general', 'Robert');
      },
      TEST_MS,
    );
  });

  it(
    'runs under a Content-Security-Policy that refuses injected inline script',
    async () => {
      // A page of its own: the violation below must not reach the other tests' pages.
      const eve = await open({ name: 'Eve', room: 'csp-check' });
      expect(eve.cspViolations).toEqual([]);
      const ran = await eve.page.evaluate(() => {
        const inPage = globalThis as unknown as InPageDocument;
        const script = inPage.document.createElement('script');
        script.textContent = 'globalThis.__injected = true;';
        inPage.document.body.append(script);
        return inPage.__injected === true;
      });
      expect(ran).toBe(false);
      await eventually(() => eve.cspViolations.length > 0, 'the CSP violation on the console');
      expect(eve.cspViolations.every((line) => /script-src/.test(line))).toBe(true);
      await eve.close();
    },
    TEST_MS,
  );

  describe('one name per person in a room', () => {
    /** Texts of the messages a page shows as its own (`.own`), and the others. */
    async function ownership(chat: ChatPage): Promise<{ own: string[]; others: string[] }> {
      return {
        own: await chat.page.locator('#log .msg.own .text').allTextContents(),
        others: await chat.page.locator('#log .msg:not(.own) .text').allTextContents(),
      };
    }

    /** The dialog the page opens when the server says the name is taken; picks `name` in it. */
    async function chooseAnotherName(chat: ChatPage, name: string): Promise<string> {
      const dialog = chat.page.getByRole('dialog', { name: 'Choose another name' });
      await dialog.waitFor();
      const problem = (await dialog.locator('#welcome-text').textContent()) ?? '';
      await dialog.getByLabel('Your name').fill(name);
      await dialog.getByRole('button', { name: 'Join' }).click();
      await dialog.waitFor({ state: 'hidden' });
      return problem;
    }

    it(
      'asks for another name when someone else in the room has it, and tells own messages by id',
      async () => {
        const first = await open({ name: 'Sam', room: 'twins' });
        const second = await open({ name: 'Sam', room: 'twins', waitUntilOnline: false });
        expect(await chooseAnotherName(second, 'Max')).toBe(
          'the name "Sam" is taken in room "twins" by someone else; choose another',
        );
        await second.waitForState('online');
        await first.waitForMembers(['Sam', 'Max']);
        await second.waitForMembers(['Sam', 'Max']);
        expect(second.joinsSent().map((join) => join.data.name)).toEqual(['Sam', 'Max']);

        // A rename to a taken name is refused too: the page keeps its name and asks again.
        const form = first.page.locator('#name-form');
        await form.getByLabel('Display name').fill('Max');
        await form.getByRole('button', { name: 'Save' }).click();
        await chooseAnotherName(first, 'Sam');
        await expect(form.getByLabel('Display name').inputValue()).resolves.toBe('Sam');
        await first.waitForMembers(['Sam', 'Max']);
        expect(first.sent.filter((frame) => frame.event === 'nick')).toEqual([
          { event: 'nick', data: { name: 'Max' } },
        ]);

        await second.send('said as Max');
        await first.waitForMessage('said as Max', 'Max');
        // Max becomes Leo; then Sam takes the free name Max: "Max" is now someone else.
        await second.page.locator('#name-form').getByLabel('Display name').fill('Leo');
        await second.page.locator('#name-form').getByRole('button', { name: 'Save' }).click();
        await second.send('said as Leo');
        await first.waitForMessage('said as Leo', 'Leo');
        await form.getByLabel('Display name').fill('Max');
        await form.getByRole('button', { name: 'Save' }).click();
        await first.send('said by the new Max');
        await second.waitForMessage('said by the new Max', 'Max');
        await first.waitForOutboxEmpty();
        await second.waitForOutboxEmpty();

        expect(await ownership(second)).toEqual({
          own: ['said as Max', 'said as Leo'],
          others: ['said by the new Max'],
        });
        expect(await ownership(first)).toEqual({
          own: ['said by the new Max'],
          others: ['said as Max', 'said as Leo'],
        });
        expect([...first.pageErrors, ...second.pageErrors]).toEqual([]);
        // Gone before the screenshots, whose room list must not show this room.
        await Promise.all([first.close(), second.close()]);
      },
      TEST_MS,
    );
  });

  describe('screenshots', () => {
    it(
      'captures a conversation on a desktop and on a phone',
      async () => {
        const room = 'release-2-4';
        const alice = await open({ name: 'Alice', room, viewport: DESKTOP });
        const bob = await open({ name: 'Bob', room, viewport: PHONE, isMobile: true });
        const chloe = await open({ name: 'Chloe', room, viewport: DESKTOP });
        const script: Array<[ChatPage, string]> = [
          [alice, 'Morning! Is the 2.4 release still on for today?'],
          [bob, 'Yes. Staging has been green since last night.'],
          [bob, 'The canary instance has been serving the lobby since 9:00 without a single reconnect.'],
          [chloe, 'I can watch the dashboards during the rollout.'],
          [alice, "Great, thanks both. I'll write the changelog and tag it after lunch."],
          [bob, 'Perfect. Ping me if the reconnect graph spikes.'],
        ];
        for (const [page, text] of script) await page.send(text);
        const [, lastText] = script.at(-1)!;
        for (const page of [alice, bob, chloe]) {
          await page.waitForMessage(lastText, 'Bob');
          await page.waitForOutboxEmpty();
          await page.waitForMembers(['Alice', 'Bob', 'Chloe']);
        }
        await alice.page.locator('#rooms button[aria-current="true"]').waitFor();
        await mkdir(DOCS, { recursive: true });
        await alice.page.screenshot({ path: join(DOCS, 'chat-page.png') });
        await bob.page.screenshot({ path: join(DOCS, 'chat-page-mobile.png') });
        expect([...alice.pageErrors, ...bob.pageErrors, ...chloe.pageErrors]).toEqual([]);
      },
      TEST_MS,
    );
  });
});
