import { JwtService } from '@nestjs/jwt';
import type { Browser } from 'playwright-core';
import { ChatPage } from './helpers/browser-chat-page.js';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import { JsonChatClient } from './helpers/chat-clients.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

const TEST_MS = 30_000;
const SECRET = 'browser-auth-secret';
const signer = new JwtService({ secret: SECRET, signOptions: { expiresIn: '1h' } });

describeWithBrowser('the chat page in Chromium with AUTH_JWT_SECRET', () => {
  let service: ServiceApp;
  let browser: Browser;
  let page: ChatPage | undefined;
  let other: JsonChatClient | undefined;

  beforeAll(async () => {
    service = await startService({ AUTH_JWT_SECRET: SECRET });
    browser = await launchChromium();
  }, TEST_MS);

  afterAll(async () => {
    await page?.close().catch(() => undefined);
    await other?.close();
    await browser?.close();
    await service?.close();
  });

  it(
    'lists the rooms with its token (GET /api/rooms needs one), under the service CSP',
    async () => {
      // Someone in another room: the page can only know of it from GET /api/rooms.
      other = await JsonChatClient.connect(service.wsUrl, `/chat?access_token=${signer.sign({ sub: 'ops' })}`);
      await other.welcome();
      await other.join('elsewhere');

      page = await ChatPage.open(browser, service.httpUrl, {
        name: 'Dana',
        room: 'secured',
        accessToken: signer.sign({ sub: 'u-7', name: 'Dana' }),
      });
      await page.page.locator('#rooms button[data-room="elsewhere"]').waitFor();
      expect(page.cspViolations).toEqual([]);
      expect(page.pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});
