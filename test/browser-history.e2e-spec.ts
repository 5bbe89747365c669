import type { Browser } from 'playwright-core';
import request from 'supertest';
import { InMemoryChatBus } from '../src/chat/index.js';
import { startChatApp, type RunningChat } from './helpers/browser-app.js';
import { ChatPage, type ChatPageOptions } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';

const TEST_MS = 30_000;
/** Messages a join shows; the bus keeps more, so older ones can exist. */
const JOIN_PAGE = 3;

describeWithBrowser('the chat page: earlier messages and day dividers, in Chromium', () => {
  let server: RunningChat;
  let browser: Browser;
  const opened: ChatPage[] = [];

  async function open(options: ChatPageOptions): Promise<ChatPage> {
    const page = await ChatPage.open(browser, server.baseUrl, options);
    opened.push(page);
    return page;
  }

  async function post(room: string, texts: string[]): Promise<void> {
    for (const text of texts) {
      await request(server.baseUrl).post(`/api/rooms/${room}/messages`).send({ from: 'Ops', text }).expect(201);
    }
  }

  const loadEarlier = (chat: ChatPage) => chat.page.getByRole('button', { name: 'Load earlier messages' });
  const dividers = (chat: ChatPage) => chat.page.locator('#log .day').allTextContents();

  beforeAll(async () => {
    server = await startChatApp({
      historySize: JOIN_PAGE,
      bus: () => new InMemoryChatBus({ historySize: 50 }),
    });
    browser = await launchChromium();
  }, TEST_MS);

  afterEach(() => {
    for (const chat of opened) expect(chat.pageErrors).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(opened.map((chat) => chat.close().catch(() => undefined)));
    await browser?.close();
    await server?.close();
  });

  it(
    'offers no "Load earlier messages" when the join shows the whole history',
    async () => {
      await post('short', ['one', 'two']);
      const ann = await open({ name: 'Ann', room: 'short' });
      await ann.waitForMessage('two', 'Ops');
      expect(await ann.messageTexts()).toEqual(['one', 'two']);
      expect(await loadEarlier(ann).isVisible()).toBe(false);
      await ann.page.getByText('This is the very beginning of the room.').waitFor();

      const empty = await open({ name: 'Eve', room: 'empty' });
      expect(await loadEarlier(empty).isVisible()).toBe(false);
      await empty.page.getByText('This is the very beginning of the room.').waitFor();
    },
    TEST_MS,
  );

  it(
    'offers earlier messages when there are some, and keeps one "Today" whatever notices came between',
    async () => {
      await post('long', ['m1', 'm2', 'm3', 'm4', 'm5']);
      const ann = await open({ name: 'Ann', room: 'long' });
      await ann.waitForMessage('m5', 'Ops');
      expect(await ann.messageTexts()).toEqual(['m3', 'm4', 'm5']);
      expect(await loadEarlier(ann).isVisible()).toBe(true);

      const bob = await open({ name: 'Bob', room: 'long' });
      await ann.page.locator('#log .notice', { hasText: 'Bob joined' }).waitFor();
      await bob.send('between notices');
      await ann.waitForMessage('between notices', 'Bob');
      await bob.close();
      await ann.page.locator('#log .notice', { hasText: 'Bob left' }).waitFor();
      await ann.send('after the notices');
      await ann.waitForMessage('after the notices', 'Ann');
      expect(await dividers(ann)).toEqual(['Today']);

      await loadEarlier(ann).click();
      await ann.waitForMessage('m1', 'Ops');
      expect(await ann.messageTexts()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'between notices', 'after the notices']);
      await loadEarlier(ann).waitFor({ state: 'hidden' });
      await ann.page.getByText('This is the very beginning of the room.').waitFor();
      expect(await dividers(ann)).toEqual(['Today']);
    },
    TEST_MS,
  );
});
