import type { Browser } from 'playwright-core';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import {
  describeWithSeedClients,
  SeedPage,
  serveSeedPages,
  type SeedPageName,
  type SeedSite,
} from './helpers/seed-pages.js';
import { startService, type ServiceApp } from './helpers/service-app.js';
import { eventually } from './helpers/waiting.js';

/*
 * The README's "Original tutorial clients": each page of ../shared/seed-clients, unchanged but
 * for the host and port of its WebSocket URL, against the service started as the README says:
 * CHAT_TORNADO_PATHS=/chat CHAT_JSON_PATHS=/json ECHO_PATHS=/chatsocket.
 */

const TEST_MS = 60_000;
const XSS_FLAG = '__seedXss';
const XSS = `<img src=x onerror="window.${XSS_FLAG}=1">`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WELCOME = /Welcome, (127\.0\.0\.1:\d+) !/;

/** A line of the plain-text protocol as a page shows it: `HH:MM:SS name say: text`. */
function line(name: string, text: string): RegExp {
  const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\d\\d:\\d\\d:\\d\\d ${literal(name)} say: ${literal(text)}`);
}

describeWithSeedClients('the original tutorial clients, unchanged but for host and port', () => {
  describeWithBrowser('in Chromium', () => {
    let service: ServiceApp;
    let site: SeedSite;
    let browser: Browser;
    let ann: JsonChatClient;
    let opened: SeedPage[] = [];
    const others: LineChatClient[] = [];

    async function open(name: SeedPageName): Promise<SeedPage> {
      const page = await SeedPage.open(browser, site.url(name));
      opened.push(page);
      return page;
    }

    /** What a /chat user types, sent by `ann` on the JSON protocol (here on /json). */
    async function annSays(text: string): Promise<void> {
      ann.send('message', { room: 'lobby', text });
      await ann.waitFor('message', (message) => message.text === text && message.from === 'ann');
    }

    beforeAll(async () => {
      service = await startService({
        CHAT_TORNADO_PATHS: '/chat',
        CHAT_JSON_PATHS: '/json',
        ECHO_PATHS: '/chatsocket',
      });
      site = await serveSeedPages(Number(new URL(service.wsUrl).port));
      browser = await launchChromium();
      ann = await JsonChatClient.connect(service.wsUrl, '/json');
      await ann.welcome();
      await ann.join('lobby', { name: 'ann' });
      // In the lobby's history before any page connects: every page replays it.
      await annSays(XSS);
    }, TEST_MS);

    afterEach(async () => {
      // Whatever a test did, no page threw, popped a dialog or ran the XSS string's handler.
      for (const page of opened) {
        expect(page.pageErrors).toEqual([]);
        expect(page.dialogs).toEqual([]);
        if (!page.page.isClosed()) {
          expect(await page.scriptRan(XSS_FLAG)).toBe(false);
          expect(await page.page.locator('img').count()).toBe(0);
        }
      }
      await Promise.all(opened.map((page) => page.close().catch(() => undefined)));
      opened = [];
      await Promise.all(others.splice(0).map((client) => client.close()));
    });

    afterAll(async () => {
      await ann?.close();
      await browser?.close();
      await site?.close();
      await service?.close();
    });

    it(
      "the threaded server's page: history, welcome, its lines and others', then quit",
      async () => {
        const page = await open('threaded');
        const log = await page.waitForText('#log', WELCOME);
        const name = WELCOME.exec(log)![1];
        expect(log).toMatch(/^\s*Connected/);
        // The history, with the XSS string shown as typed.
        expect(log).toMatch(line('ann', XSS));
        expect(log.indexOf(XSS)).toBeLessThan(log.indexOf(`Welcome, ${name} !`));

        await page.page.fill('#msg', 'hello from the threaded page');
        await page.page.press('#msg', 'Enter');
        expect(await ann.waitFor('message', (m) => m.text === 'hello from the threaded page')).toMatchObject({
          from: name,
        });
        await page.waitForText('#log', line(name, 'hello from the threaded page'));
        await annSays('hi, threaded page');
        await page.waitForText('#log', line('ann', 'hi, threaded page'));

        await page.page.fill('#msg', 'quit');
        await page.page.press('#msg', 'Enter');
        await page.waitForText('#log', line(name, `${name} Logout`));
        await page.waitForText('#log', 'Lose Connection!');
        expect(await ann.waitFor('message', (m) => m.text === `${name} Logout`)).toMatchObject({ from: name });
      },
      TEST_MS,
    );

    it(
      "the threaded server's page says quit when it is left (its onbeforeunload handler)",
      async () => {
        const page = await open('threaded');
        const name = WELCOME.exec(await page.waitForText('#log', WELCOME))![1];
        // Its handler runs as leaving the page would run it. (Leaving for real, Chromium may tear
        // the socket down before the frame sent from the handler is on the wire: then the server
        // only sees the connection close, and the others get a presence leave but no Logout line.)
        await page.page.evaluate('window.onbeforeunload()');
        expect(await ann.waitFor('message', (m) => m.text === `${name} Logout`)).toMatchObject({ from: name });
        await page.waitForText('#log', 'Lose Connection!');
      },
      TEST_MS,
    );

    it(
      'the console client: connects, logs every frame, sends from the console, quits',
      async () => {
        const page = await open('console');
        const logged = (accept: (data: string) => boolean, what: string) =>
          eventually(() => page.loggedData.some((data) => typeof data === 'string' && accept(data)), what);
        await eventually(() => page.consoleTexts.includes('连接成功'), 'the page to log 连接成功');
        await logged((data) => WELCOME.test(data), 'the welcome');
        const name = WELCOME.exec(page.loggedData.find((data) => WELCOME.test(String(data))) as string)![1];
        // The history came first, escaped for pages that render HTML.
        expect(page.loggedData[0]).toMatch(line('ann', '&lt;img src=x onerror=&quot;window.__seedXss=1&quot;&gt;'));

        // The tutorial's reader types into the browser console: ws.send(...).
        await page.page.evaluate('ws.send("hello from the console")');
        await logged((data) => line(name, 'hello from the console').test(data), 'its own line');
        await annSays('hi, console');
        await logged((data) => line('ann', 'hi, console').test(data), "ann's line");

        await page.page.evaluate('ws.send("quit")');
        await logged((data) => line(name, `${name} Logout`).test(data), 'the logout line');
        await page.page.waitForFunction('ws.readyState === WebSocket.CLOSED', undefined, { timeout: 5000 });
      },
      TEST_MS,
    );

    it(
      'the echo page on /chatsocket: connects, gets back what it sends, closes',
      async () => {
        const page = await open('echo');
        await page.waitForText('#content', '【连接成功】');
        await page.page.fill('#txt', 'hello echo');
        await page.page.click('#btn');
        await page.waitForText('#content', 'hello echo');
        // A lobby message is no business of the echo: nothing but the page's own traffic shows.
        await annSays('not for the echo');
        await page.page.fill('#txt', 'again');
        await page.page.click('#btn');
        await page.waitForText('#content', 'again');
        await page.page.click('#close');
        await page.waitForText('#content', '【关闭连接】');
        const shown = (await page.text('#content')).split('\n').filter((text) => text.trim() !== '');
        expect(shown.slice(0, 4)).toEqual(['【连接成功】', 'hello echo', 'again', '【关闭连接】']);
        expect(shown.slice(4).every((text) => text === '【关闭连接】')).toBe(true);
      },
      TEST_MS,
    );

    it(
      'the Tornado chat room page on /chat: its uid first, then history, then fragments from all three protocols',
      async () => {
        const page = await open('tornado');
        await page.page.waitForFunction('wsUpdater.uid !== null', undefined, { timeout: 5000 });
        const uid = await page.page.evaluate<string>('wsUpdater.uid');
        expect(uid).toMatch(UUID);
        expect(page.received[0]).toBe(uid);
        const own = uid.replace(/-/g, '');
        // The history, rendered by jQuery's append() and showing the XSS string as typed.
        expect(await page.waitForText('#container', `ann: ${XSS}`)).toContain(`ann: ${XSS}`);

        await annSays('from the JSON protocol');
        await page.waitForText('#container', 'ann: from the JSON protocol');
        const terminal = await LineChatClient.connect(service.wsUrl, '/');
        others.push(terminal);
        terminal.sendText('from the plain-text protocol');
        await page.waitForText('#container', `${terminal.localName}: from the plain-text protocol`);
        await page.page.fill('#txt', 'from the Tornado page');
        await page.page.click('#btn');
        await page.waitForText('#container', `${own}: from the Tornado page`);
        expect(await ann.waitFor('message', (m) => m.text === 'from the Tornado page')).toMatchObject({
          from: own,
          fromId: uid,
        });
        // One element per message, in order.
        const messages = await page.page.locator('#container .message').allInnerTexts();
        expect(messages.slice(-3)).toEqual([
          'ann: from the JSON protocol',
          `${terminal.localName}: from the plain-text protocol`,
          `${own}: from the Tornado page`,
        ]);

        // Closing the page closes the connection, as it did with Tornado: it leaves the lobby.
        await page.close();
        expect(await ann.waitFor('presence', (p) => p.name === own && p.event === 'leave')).toMatchObject({
          room: 'lobby',
        });
      },
      TEST_MS,
    );

    it(
      'an XSS string typed on /chat, or in the Tornado page, shows as text in every page',
      async () => {
        const threaded = await open('threaded');
        const consolePage = await open('console');
        const echo = await open('echo');
        const tornado = await open('tornado');
        await threaded.waitForText('#log', WELCOME);
        await eventually(() => consolePage.loggedData.some((data) => WELCOME.test(String(data))), 'the welcome');
        await echo.waitForText('#content', '【连接成功】');
        await tornado.page.waitForFunction('wsUpdater.uid !== null', undefined, { timeout: 5000 });
        const own = (await tornado.page.evaluate<string>('wsUpdater.uid')).replace(/-/g, '');

        const typed = `${XSS} typed live`;
        await annSays(typed);
        await tornado.page.fill('#txt', `${XSS} from Tornado`);
        await tornado.page.click('#btn');

        await threaded.waitForText('#log', line('ann', typed));
        await threaded.waitForText('#log', line(own, `${XSS} from Tornado`));
        await tornado.waitForText('#container', `ann: ${typed}`);
        await tornado.waitForText('#container', `${own}: ${XSS} from Tornado`);
        const escaped = '&lt;img src=x onerror=&quot;window.__seedXss=1&quot;&gt;';
        await eventually(
          () => consolePage.loggedData.some((data) => line(own, `${escaped} from Tornado`).test(String(data))),
          'the Tornado line, escaped, in the console',
        );
        expect(consolePage.loggedData).toContainEqual(expect.stringMatching(line('ann', `${escaped} typed live`)));
        // The echo sees nothing of the chat.
        expect((await echo.text('#content')).trim()).toBe('【连接成功】');
        // The checks after each test: no script ran, no <img> in any page, no dialog, no error.
      },
      TEST_MS,
    );
  });
});
