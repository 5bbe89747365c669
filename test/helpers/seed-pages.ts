import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/*
 * The original tutorial clients (../shared/seed-clients, next to the repository), loaded as they
 * stand: only the host and port of their WebSocket URL are replaced, and jQuery 2.1.4 (a dev
 * dependency) is served where the Tornado page asks for it.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The folder of the pages: SEED_CLIENTS_DIR, else `../shared/seed-clients` from the repository,
 * else from the checkout this one was cloned from (a clone made elsewhere, as CI makes one, has
 * no `../shared` of its own, and its `origin` is the project's checkout).
 */
export const SEED_CLIENTS_DIR = process.env.SEED_CLIENTS_DIR ?? seedClientsDir();

function seedClientsDir(): string {
  const besideRepository = resolve(REPO_ROOT, '..', 'shared', 'seed-clients');
  if (existsSync(besideRepository)) return besideRepository;
  const origin = localOrigin();
  const besideOrigin = origin === undefined ? undefined : resolve(origin, '..', 'shared', 'seed-clients');
  return besideOrigin !== undefined && existsSync(besideOrigin) ? besideOrigin : besideRepository;
}

/** The `origin` remote when it is a folder on this machine. */
function localOrigin(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', REPO_ROOT, 'config', '--get', 'remote.origin.url'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (url.startsWith('file://')) return fileURLToPath(url);
    return url.startsWith('/') ? url : undefined;
  } catch {
    return undefined;
  }
}

export const SEED_PAGES = {
  threaded: 'threaded-server-page.html',
  console: 'console-client.html',
  echo: 'echo-page.html',
  tornado: 'tornado-chatroom.html',
} as const;
export type SeedPageName = keyof typeof SEED_PAGES;

const JQUERY_PATH = '/static/jquery-2.1.4.min.js';
const jqueryFile = createRequire(import.meta.url).resolve('jquery/dist/jquery.min.js');

/**
 * `describe` when the pages are there. Without them the suite fails on CI (a missing folder
 * must not look like a pass there) and is skipped with a visible notice elsewhere.
 */
export function describeWithSeedClients(name: string, body: () => void): void {
  const missing = Object.values(SEED_PAGES).filter((file) => !existsSync(join(SEED_CLIENTS_DIR, file)));
  if (missing.length === 0) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs the tutorial clients', () => {
        throw new Error(`${missing.join(', ')} not found in ${SEED_CLIENTS_DIR} (set SEED_CLIENTS_DIR)`);
      });
    });
  } else {
    console.warn(
      `SKIPPED "${name}": the tutorial clients are not in ${SEED_CLIENTS_DIR} (missing ${missing.join(', ')}); set SEED_CLIENTS_DIR.`,
    );
    describe.skip(name, body);
  }
}

// Every WebSocket URL of the pages: ws://127.0.0.1:12345/, ws://localhost:8080/, ...
const SOCKET_ORIGIN = /ws:\/\/(?:127\.0\.0\.1|localhost):\d+\//g;

/** The page's HTML with its one WebSocket URL pointed at `port` on 127.0.0.1; nothing else changes. */
export function pointedAt(html: string, port: number): string {
  const found = html.match(SOCKET_ORIGIN) ?? [];
  if (found.length !== 1) throw new Error(`expected one WebSocket URL in the page, found ${found.length}`);
  return html.replace(SOCKET_ORIGIN, `ws://127.0.0.1:${port}/`);
}

export interface SeedSite {
  /** The URL of one page, e.g. `http://127.0.0.1:41234/tornado-chatroom.html`. */
  url(page: SeedPageName): string;
  close(): Promise<void>;
}

/** A static server of the pages (socket URLs at `wsPort`) and jQuery, on 127.0.0.1, port 0. */
export async function serveSeedPages(wsPort: number): Promise<SeedSite> {
  const files = new Map<string, { type: string; body: string }>();
  for (const file of Object.values(SEED_PAGES)) {
    const html = readFileSync(join(SEED_CLIENTS_DIR, file), 'utf8');
    files.set(`/${file}`, { type: 'text/html; charset=utf-8', body: pointedAt(html, wsPort) });
  }
  files.set(JQUERY_PATH, { type: 'text/javascript; charset=utf-8', body: readFileSync(jqueryFile, 'utf8') });
  const server: Server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://x').pathname);
    response.writeHead(file ? 200 : 404, { 'Content-Type': file?.type ?? 'text/plain' });
    response.end(file?.body ?? 'not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: (page) => `http://127.0.0.1:${port}/${SEED_PAGES[page]}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** One tutorial page in its own browser context, with what it showed, threw and received. */
export class SeedPage {
  readonly dialogs: string[] = [];
  readonly pageErrors: string[] = [];
  /** Text frames the page's WebSocket received, in order. */
  readonly received: string[] = [];
  /** The `data` of every MessageEvent the page logged to the console (the console client). */
  readonly loggedData: unknown[] = [];
  readonly consoleTexts: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string') this.received.push(payload);
      });
    });
    page.on('console', (message) => {
      this.consoleTexts.push(message.text());
      const args = message.args();
      if (args.length === 1 && message.text().includes('MessageEvent')) {
        void args[0].evaluate((event) => (event as { data: unknown }).data).then((data) => this.loggedData.push(data));
      }
    });
  }

  static async open(browser: Browser, url: string): Promise<SeedPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seed = new SeedPage(context, page);
    await page.goto(url);
    return seed;
  }

  /** The visible text of the first element matching `selector`. */
  text(selector: string): Promise<string> {
    return this.page.locator(selector).innerText();
  }

  /** Waits (bounded) until the element's text contains `expected`; returns its visible text. */
  async waitForText(selector: string, expected: string | RegExp, ms = 5000): Promise<string> {
    try {
      await this.page.locator(selector, { hasText: expected }).first().waitFor({ timeout: ms });
    } catch {
      throw new Error(`no ${String(expected)} in ${selector} within ${ms} ms; it shows:\n${await this.text(selector)}`);
    }
    return this.text(selector);
  }

  /** Whether a script set the flag that the XSS string's handler sets. */
  scriptRan(flag: string): Promise<boolean> {
    return this.page.evaluate((name) => (globalThis as Record<string, unknown>)[name] !== undefined, flag);
  }

  close(runBeforeUnload = false): Promise<void> {
    return this.page.close({ runBeforeUnload }).then(() => this.context.close());
  }
}
