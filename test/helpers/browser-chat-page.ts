import type { Browser, BrowserContext, Page, ViewportSize } from 'playwright-core';

export const UI_WAIT_MS = 5000;

/** The little of the DOM the in-page predicates use (the test program has no DOM lib). */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
  __sockets: Array<{ close(): void; readyState: number }>;
}

export interface SentFrame {
  event: string;
  data: Record<string, unknown>;
}

export interface ChatPageOptions {
  name: string;
  room: string;
  viewport?: ViewportSize;
  isMobile?: boolean;
  /** Stored where the page looks for a token (AUTH_JWT_SECRET mode) before it loads. */
  accessToken?: string;
  /** False: `open` returns once the first-visit form is sent, joined or not (default true). */
  waitUntilOnline?: boolean;
}

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

/**
 * Records every WebSocket the page creates so a test can drop the connection the way a
 * network failure would, without any test hook in the product.
 */
const TRACK_SOCKETS = `(() => {
  const Native = window.WebSocket;
  const sockets = [];
  Object.defineProperty(window, '__sockets', { value: sockets });
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); sockets.push(this); }
  };
})();`;

/** Reports every Content-Security-Policy violation on the console, where the test collects it. */
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

/** One person using the chat page in their own browser context (own storage, own cookies). */
export class ChatPage {
  readonly dialogs: string[] = [];
  readonly pageErrors: string[] = [];
  /** Console messages about the page's Content-Security-Policy (Chromium's own and ours). */
  readonly cspViolations: string[] = [];
  readonly sent: SentFrame[] = [];
  /** Every HTTP response the page received (the document, its assets, its fetches), in order. */
  readonly responses: Array<{ url: string; status: number }> = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('response', (response) => this.responses.push({ url: response.url(), status: response.status() }));
    page.on('console', (message) => {
      if (/Content Security Policy|CSP violation/i.test(message.text())) this.cspViolations.push(message.text());
    });
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string') this.sent.push(JSON.parse(payload) as SentFrame);
      });
    });
  }

  /** Opens the page on `#room`, fills the first-visit form and waits until joined. */
  static async open(browser: Browser, baseUrl: string, options: ChatPageOptions): Promise<ChatPage> {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      isMobile: options.isMobile ?? false,
      hasTouch: options.isMobile ?? false,
      locale: 'en-US',
      timezoneId: 'UTC',
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(UI_WAIT_MS);
    const page = await context.newPage();
    await page.addInitScript(TRACK_SOCKETS);
    await page.addInitScript(REPORT_CSP_VIOLATIONS);
    if (options.accessToken !== undefined) {
      await page.addInitScript(`localStorage.setItem('chat.accessToken', ${JSON.stringify(options.accessToken)});`);
    }
    const chat = new ChatPage(context, page, baseUrl);
    await page.goto(`${baseUrl}/#${encodeURIComponent(options.room)}`);
    const dialog = page.getByRole('dialog', { name: 'Join the conversation' });
    await dialog.getByLabel('Your name').fill(options.name);
    await dialog.getByRole('button', { name: 'Join' }).click();
    if (options.waitUntilOnline !== false) await chat.waitForState('online');
    return chat;
  }

  async send(text: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Texts of the confirmed messages in the log, oldest first. */
  messageTexts(): Promise<string[]> {
    return this.page.locator('#log .msg .text').allTextContents();
  }

  messageIds(): Promise<string[]> {
    return this.page
      .locator('#log .msg')
      .evaluateAll((items) => items.map((item) => (item as unknown as PageElement).getAttribute('data-id') ?? ''));
  }

  /** The log entry showing `text` (confirmed, from `from`); waits for it to appear. */
  async waitForMessage(text: string, from: string): Promise<void> {
    const entry = this.page.locator(`#log .msg[data-from="${from}"]`).filter({
      has: this.page.locator('.text').getByText(text, { exact: true }),
    });
    await this.describeFailure(`message ${JSON.stringify(text)} from ${from}`, () =>
      entry.first().waitFor({ state: 'visible' }),
    );
  }

  /** Waits until nothing is left in the outbox (every message acknowledged and shown). */
  async waitForOutboxEmpty(): Promise<void> {
    await this.waitForList('#outbox .msg', null, [], 'the outbox to empty');
  }

  /** Waits for the member list to hold exactly `names` (any order). */
  async waitForMembers(names: string[]): Promise<void> {
    const expected = [...names].sort();
    await this.describeFailure(`members ${JSON.stringify(expected)}`, () =>
      this.page.waitForFunction(
        (want) => {
          const doc = (globalThis as unknown as PageGlobals).document;
          const have = Array.from(doc.querySelectorAll('#members li'), (li) => li.getAttribute('data-name') ?? '');
          return JSON.stringify(have.sort()) === JSON.stringify(want);
        },
        expected,
        { timeout: UI_WAIT_MS },
      ),
    );
  }

  members(): Promise<string[]> {
    return this.page
      .locator('#members li')
      .evaluateAll((items) => items.map((item) => (item as unknown as PageElement).getAttribute('data-name') ?? ''));
  }

  state(): Promise<string | null> {
    return this.page.locator('#connection').getAttribute('data-state');
  }

  async waitForState(state: ConnectionState): Promise<void> {
    await this.describeFailure(`connection state ${state}`, () =>
      this.page.locator(`#connection[data-state="${state}"]`).waitFor({ state: 'attached' }),
    );
  }

  /** Closes the page's live socket from the browser side, as a dropped network would. */
  async dropConnection(): Promise<void> {
    await this.page.evaluate(() => {
      const sockets = (globalThis as unknown as PageGlobals).__sockets;
      sockets[sockets.length - 1]?.close();
    });
  }

  socketCount(): Promise<number> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__sockets.length);
  }

  joinsSent(): SentFrame[] {
    return this.sent.filter((frame) => frame.event === 'join');
  }

  close(): Promise<void> {
    return this.context.close();
  }

  private async waitForList(
    selector: string,
    attribute: string | null,
    expected: string[],
    what: string,
  ): Promise<void> {
    await this.describeFailure(what, () =>
      this.page.waitForFunction(
        ({ selector, attribute, expected }) => {
          const doc = (globalThis as unknown as PageGlobals).document;
          const have = Array.from(doc.querySelectorAll(selector), (el) =>
            attribute ? el.getAttribute(attribute) : el.textContent,
          );
          return JSON.stringify(have) === JSON.stringify(expected);
        },
        { selector, attribute, expected },
        { timeout: UI_WAIT_MS },
      ),
    );
  }

  /** Turns Playwright's bare timeout into a message that says what was awaited and what was seen. */
  private async describeFailure<T>(what: string, wait: () => Promise<T>): Promise<T> {
    try {
      return await wait();
    } catch (error) {
      const seen = {
        state: await this.state().catch(() => null),
        members: await this.members().catch(() => []),
        messages: await this.messageTexts().catch(() => []),
        pageErrors: this.pageErrors,
      };
      throw new Error(`timed out waiting for ${what}; page shows ${JSON.stringify(seen)}\n${(error as Error).message}`);
    }
  }
}
