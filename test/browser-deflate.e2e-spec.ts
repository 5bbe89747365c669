import type { Browser, Page } from 'playwright-core';
import { describeWithBrowser, launchChromium } from './helpers/browser-launch.js';
import type { WebSocketConnection } from '../src/websocket/index.js';
import { startDeflateEchoServer, type DeflateEchoServer } from './helpers/deflate-server.js';

const TEST_MS = 30_000;

/** What the page reports back (the test program is compiled without the DOM lib). */
interface Exchange {
  extensions: string;
  echoes: Array<{ text?: string; bytes?: number[] }>;
}

interface InPageSocket {
  binaryType: string;
  extensions: string;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string | Uint8Array): void;
  close(): void;
}
interface InPage {
  WebSocket: new (url: string) => InPageSocket;
}

/**
 * Opens a WebSocket in the page, sends `texts` and one binary message, and returns the
 * negotiated extensions and the echoes as the browser saw them.
 */
function exchange(page: Page, url: string, texts: string[], binary: number[]): Promise<Exchange> {
  return page.evaluate(
    ({ url, texts, binary }) =>
      new Promise<Exchange>((resolve, reject) => {
        const { WebSocket } = globalThis as unknown as InPage;
        const ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        const echoes: Exchange['echoes'] = [];
        const timer = setTimeout(() => reject(new Error(`only ${echoes.length} echoes arrived`)), 10_000);
        ws.onerror = () => reject(new Error('the WebSocket failed'));
        ws.onopen = () => {
          for (const text of texts) ws.send(text);
          ws.send(new Uint8Array(binary));
        };
        ws.onmessage = ({ data }) => {
          echoes.push(typeof data === 'string' ? { text: data } : { bytes: [...new Uint8Array(data as ArrayBuffer)] });
          if (echoes.length === texts.length + 1) {
            clearTimeout(timer);
            const extensions = ws.extensions;
            ws.close();
            resolve({ extensions, echoes });
          }
        };
      }),
    { url, texts, binary },
  );
}

function chatLines(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(`{"event":"message","data":{"room":"lobby","from":"guest-${i % 7}","text":"line ${i} of the log"}}`);
  return lines.join('\n');
}

describeWithBrowser('permessage-deflate with Chromium', () => {
  let browser: Browser;
  let page: Page;
  const servers: DeflateEchoServer[] = [];
  /** `extensions` of every connection the servers accepted. */
  let serverSide: string[] = [];

  async function serve(
    perMessageDeflate: boolean | { serverNoContextTakeover: boolean; clientNoContextTakeover: boolean },
  ) {
    const server = await startDeflateEchoServer({ perMessageDeflate, heartbeatMs: 0 });
    server.http.on('request', (_req, res) => res.end('<!doctype html><title>deflate</title>'));
    serverSide = [];
    server.wss.on('connection', (conn: WebSocketConnection) => serverSide.push(conn.extensions));
    servers.push(server);
    await page.goto(server.url.replace('ws:', 'http:'));
    return server;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  }, TEST_MS);

  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
  });

  const texts = ['hi', 'x'.repeat(1023), chatLines(200), 'é😀 unicode survives compression '.repeat(100), ''];
  const binary = Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);

  it(
    'negotiates the extension with the default settings and exchanges messages both ways compressed',
    async () => {
      const server = await serve(true);
      const result = await exchange(page, `${server.url}/`, texts, binary);
      expect(result.extensions).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
      expect(result.echoes).toEqual([...texts.map((text) => ({ text })), { bytes: binary }]);
      expect(serverSide).toEqual([result.extensions]);
      // Chromium compressed what it sent, and we compressed the echoes: the wire carried far
      // less than the ~34 KB of payload each way.
      const payload = texts.reduce((sum, text) => sum + Buffer.byteLength(text), binary.length);
      expect(server.sockets[0].bytesRead).toBeLessThan(payload / 3);
      expect(server.sockets[0].bytesWritten).toBeLessThan(payload / 3);
    },
    TEST_MS,
  );

  it(
    'keeps both contexts when the server allows context takeover',
    async () => {
      const server = await serve({ serverNoContextTakeover: false, clientNoContextTakeover: false });
      const repeated = [chatLines(100), chatLines(100), chatLines(100)];
      const result = await exchange(page, `${server.url}/`, repeated, binary);
      expect(result.extensions).toBe('permessage-deflate');
      expect(serverSide).toEqual(['permessage-deflate']);
      expect(result.echoes).toEqual([...repeated.map((text) => ({ text })), { bytes: binary }]);
    },
    TEST_MS,
  );

  it(
    'connects without the extension when the server declines it',
    async () => {
      const server = await serve(false);
      const result = await exchange(page, `${server.url}/`, ['plain'], binary);
      expect(result.extensions).toBe('');
      expect(result.echoes).toEqual([{ text: 'plain' }, { bytes: binary }]);
    },
    TEST_MS,
  );
});
