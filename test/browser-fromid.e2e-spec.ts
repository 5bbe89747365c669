import type { Browser } from 'playwright-core';
import { startChatApp, type RunningChat } from './helpers/browser-app.js';
import { ChatPage } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';

const TEST_MS = 30_000;

/** Texts of the messages a page shows as its own (right-aligned, `.own`), and the others. */
async function ownership(chat: ChatPage): Promise<{ own: string[]; others: string[] }> {
  return {
    own: await chat.page.locator('#log .msg.own .text').allTextContents(),
    others: await chat.page.locator('#log .msg:not(.own) .text').allTextContents(),
  };
}

describeWithBrowser('the chat page tells its own messages by fromId', () => {
  let server: RunningChat;
  let browser: Browser;
  const opened: ChatPage[] = [];

  beforeAll(async () => {
    server = await startChatApp();
    browser = await launchChromium();
  }, TEST_MS);

  afterAll(async () => {
    await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
    await browser?.close();
    await server?.close();
  });

  it('marks only its own messages when two people chose the same name', async () => {
    const first = await ChatPage.open(browser, server.baseUrl, { name: 'Sam', room: 'twins' });
    opened.push(first);
    const second = await ChatPage.open(browser, server.baseUrl, { name: 'Sam', room: 'twins' });
    opened.push(second);

    await first.send('from the first Sam');
    await second.waitForMessage('from the first Sam', 'Sam');
    await second.send('from the second Sam');
    await first.waitForMessage('from the second Sam', 'Sam');
    await first.waitForOutboxEmpty();
    await second.waitForOutboxEmpty();

    expect(await ownership(first)).toEqual({ own: ['from the first Sam'], others: ['from the second Sam'] });
    expect(await ownership(second)).toEqual({ own: ['from the second Sam'], others: ['from the first Sam'] });
    // Same name, two senders: the second message starts a group of its own (author shown again).
    expect(await first.page.locator('#log .msg.continued').count()).toBe(0);

    // A new connection is a new connection id: messages from before and after are still its own.
    await first.dropConnection();
    await first.waitForState('online');
    await first.send('after reconnecting');
    await second.waitForMessage('after reconnecting', 'Sam');
    await first.waitForOutboxEmpty();
    expect(await ownership(first)).toEqual({
      own: ['from the first Sam', 'after reconnecting'],
      others: ['from the second Sam'],
    });
    expect(await ownership(second)).toEqual({
      own: ['from the second Sam'],
      others: ['from the first Sam', 'after reconnecting'],
    });
    expect([...first.pageErrors, ...second.pageErrors]).toEqual([]);
  }, TEST_MS);
});
