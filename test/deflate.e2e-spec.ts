import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { PerMessageDeflateOptions } from '../src/websocket/deflate-options.js';
import {
  closeCode,
  nextMessages,
  openWsClient,
  startDeflateEchoServer,
  within,
  type DeflateEchoServer,
} from './helpers/deflate-server.js';

type ClientOffer = Exclude<WebSocket.ClientOptions['perMessageDeflate'], boolean | undefined>;

const TEST_MS = 20_000;
const SIZES = [0, 1, 125, 126, 1023, 1024, 4096, 65_535, 65_536, 300_000];

/** Chat-like text that compresses, different for every seed. */
function chatText(length: number, seed: number): string {
  const words = ['hello', 'deploy', 'room', 'lunch', 'done', 'build', 'green', 'ship', 'it', 'ok'];
  let out = '';
  for (let i = 0; out.length < length; i++)
    out += `${words[(i * 7 + seed) % words.length]}${i % 11 === 0 ? '\n' : ' '}`;
  return out.slice(0, length);
}

describe('permessage-deflate with the `ws` client (interop)', () => {
  const servers: DeflateEchoServer[] = [];
  const clients: WebSocket[] = [];

  async function server(
    perMessageDeflate: boolean | PerMessageDeflateOptions,
    maxPayload?: number,
  ): Promise<DeflateEchoServer> {
    const started = await startDeflateEchoServer({ perMessageDeflate, maxPayload, heartbeatMs: 0 });
    servers.push(started);
    return started;
  }

  async function client(url: string, offer: ClientOffer | false) {
    const opened = await openWsClient(url, offer);
    clients.push(opened.ws);
    return opened;
  }

  afterEach(async () => {
    for (const ws of clients) ws.terminate();
    clients.length = 0;
    await Promise.all(servers.map((s) => s.close()));
    servers.length = 0;
  });

  describe('negotiation over a real handshake', () => {
    it.each<[string, boolean | PerMessageDeflateOptions, ClientOffer | false, string | undefined]>([
      [
        'the default server and a default client',
        true,
        {},
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      ],
      [
        'a takeover server and a default client',
        { serverNoContextTakeover: false, clientNoContextTakeover: false },
        {},
        'permessage-deflate',
      ],
      [
        'a takeover server and a client asking for small windows',
        { serverNoContextTakeover: false, clientNoContextTakeover: false },
        { serverMaxWindowBits: 10, clientMaxWindowBits: 11 },
        'permessage-deflate; server_max_window_bits=10; client_max_window_bits=11',
      ],
      [
        'a server limiting the windows',
        { serverMaxWindowBits: 12, clientMaxWindowBits: 9 },
        {},
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9',
      ],
      ['a server that declines compression', false, {}, undefined],
      ['a client that offers nothing', true, false, undefined],
    ])('%s', async (_name, serverOptions, offer, expected) => {
      const { url } = await server(serverOptions);
      const { ws, extensions } = await client(url, offer);
      expect(extensions).toBe(expected);
      const [conn] = servers[0].wss.clients;
      expect(conn.extensions).toBe(expected ?? '');
      ws.send('still talking');
      expect((await nextMessages(ws, 1))[0].data.toString()).toBe('still talking');
    });

    it('declines an invalid offer without failing the handshake', async () => {
      const { url } = await server(true);
      const { port } = new URL(url);
      const response = await within(
        new Promise<{ status: number; extensions: string | undefined }>((resolve, reject) => {
          const req = request({
            host: '127.0.0.1',
            port,
            headers: {
              Connection: 'Upgrade',
              Upgrade: 'websocket',
              'Sec-WebSocket-Version': '13',
              'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
              'Sec-WebSocket-Extensions': 'permessage-deflate; server_max_window_bits=16, permessage-deflate; foo',
            },
          });
          req.on('upgrade', (res, socket) => {
            socket.destroy();
            resolve({
              status: res.statusCode!,
              extensions: res.headers['sec-websocket-extensions'],
            });
          });
          req.on('response', (res) => resolve({ status: res.statusCode!, extensions: undefined }));
          req.on('error', reject);
          req.end();
        }),
        'the 101',
      );
      expect(response).toEqual({ status: 101, extensions: undefined });
    });
  });

  describe('round trips of many sizes', () => {
    const combinations: Array<[string, PerMessageDeflateOptions, ClientOffer]> = [
      ['no context takeover (default server)', {}, { threshold: 0 }],
      [
        'context takeover both ways',
        { serverNoContextTakeover: false, clientNoContextTakeover: false },
        { threshold: 0 },
      ],
      ['server takeover only', { serverNoContextTakeover: false }, { threshold: 0 }],
      ['client takeover only', { clientNoContextTakeover: false }, { threshold: 0 }],
      [
        'small windows with takeover',
        { serverNoContextTakeover: false, clientNoContextTakeover: false },
        { threshold: 0, serverMaxWindowBits: 9, clientMaxWindowBits: 9 },
      ],
      [
        '8-bit windows',
        { serverNoContextTakeover: false, clientNoContextTakeover: false },
        { threshold: 0, serverMaxWindowBits: 8, clientMaxWindowBits: 8 },
      ],
      ['a zero threshold on the server', { threshold: 0 }, { threshold: 0 }],
    ];

    it.each(combinations)(
      '%s: text and binary echo intact, in order',
      async (_name, serverOptions, offer) => {
        const { url } = await server(serverOptions);
        const { ws } = await client(url, offer);
        const sent: Array<Buffer | string> = [];
        for (const size of SIZES) {
          sent.push(chatText(size, size), randomBytes(size), Buffer.from(chatText(size, size + 1)));
        }
        const replies = nextMessages(ws, sent.length);
        for (const data of sent) ws.send(data);
        const got = await replies;
        got.forEach(({ data, isBinary }, i) => {
          const expected = sent[i];
          expect(isBinary).toBe(typeof expected !== 'string');
          expect(data.equals(Buffer.from(expected))).toBe(true);
        });
      },
      TEST_MS,
    );

    it('actually compresses: a chat text echo reads and writes far fewer bytes than it carries', async () => {
      const { url, sockets } = await server(true);
      const { ws } = await client(url, {});
      const text = chatText(64 * 1024, 3);
      const reply = nextMessages(ws, 1);
      ws.send(text);
      expect((await reply)[0].data.toString()).toBe(text);
      // The upgrade request and the 101 are a few hundred bytes of these.
      expect(sockets[0].bytesRead).toBeLessThan(text.length / 4);
      expect(sockets[0].bytesWritten).toBeLessThan(text.length / 4);
    });
  });

  it('reassembles fragmented compressed messages (RSV1 on the first fragment only)', async () => {
    const { url } = await server({ serverNoContextTakeover: false, clientNoContextTakeover: false });
    const { ws } = await client(url, { threshold: 0 });
    const parts = [chatText(5000, 1), chatText(7000, 2), chatText(3, 3), chatText(20_000, 4)];
    const reply = nextMessages(ws, 2);
    parts.forEach((part, i) => ws.send(part, { fin: i === parts.length - 1, compress: true }));
    ws.send('after', { compress: true });
    const got = await reply;
    expect(got.map(({ data }) => data.toString())).toEqual([parts.join(''), 'after']);
  });

  it(
    'closes with 1009 when a small compressed message inflates past maxPayload',
    async () => {
      const { url, sockets } = await server(true, 1024 * 1024);
      const { ws } = await client(url, { threshold: 0 });
      const closed = closeCode(ws);
      // 4 MiB of zeros: about 4 KiB on the wire, well under the limit until inflated (the client's
      // own deflate of it is the slow part on a loaded machine, so no bigger than needed).
      ws.send(Buffer.alloc(4 * 1024 * 1024));
      expect(await closed).toBe(1009);
      expect(sockets[0].bytesRead).toBeLessThan(64 * 1024);
    },
    TEST_MS,
  );

  it(
    'keeps each connection in order with many connections racing through a small zlib limit',
    async () => {
      const { url } = await server({ concurrencyLimit: 2, threshold: 256 });
      const connections = await Promise.all(Array.from({ length: 30 }, () => client(url, { threshold: 128 })));
      const runs = connections.map(async ({ ws }, c) => {
        const sent = Array.from({ length: 40 }, (_, i) => `${c}:${i}:` + chatText((i * 97 + c * 31) % 2000, c + i));
        // 1,200 compressions through 2 zlib slots: bounded by the test's time, not a fixed 5 s,
        // since this checks order, not speed (a loaded 2-core machine takes several seconds).
        const replies = nextMessages(ws, sent.length, `the echoes of connection ${c}`, TEST_MS - 2_000);
        for (const text of sent) ws.send(text);
        expect((await replies).map(({ data }) => data.toString())).toEqual(sent);
      });
      await Promise.all(runs);
    },
    TEST_MS,
  );
});
