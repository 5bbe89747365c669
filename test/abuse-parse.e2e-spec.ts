import type { INestApplication, LoggerService } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory.js';
import { JsonChatClient, LineChatClient, within } from './helpers/chat-clients.js';
import { openSocket, startService, upgradeOutcome, type ServiceApp } from './helpers/service-app.js';
import { eventually } from './helpers/waiting.js';

/** `{"event":"message","data":{"room":"r","text":[[[...]]]}}` nested `depth` arrays deep. */
const deepMessage = (depth: number): string =>
  `{"event":"message","data":{"room":"r","text":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

/** Everything the app logs, at every level. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record(message: unknown, rest: unknown[]): void {
    this.lines.push([message, ...rest].map((part) => (part instanceof Error ? part.stack : String(part))).join(' '));
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.record(message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record(message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.record(message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.record(message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.record(message, rest);
  }
}

/** `compress` offers permessage-deflate (then frames of 1 KiB and more go compressed). */
const openWs = (url: string, compress: boolean): Promise<WebSocket> => openSocket(url, { perMessageDeflate: compress });

function closeCodeOf(socket: WebSocket): Promise<number> {
  return within(new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code))), 'the close');
}

describe('crafted input on /chat, / and REST (defaults)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let wsUrl: string;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    app = await createApp({}, { logger });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    wsUrl = `ws://127.0.0.1:${port}`;
  });
  afterAll(() => app.close());

  describe('deep JSON', () => {
    it.each([
      ['7,000 arrays deep (the most the frame limit lets through)', 7000],
      ['20 deep (parsed by the adapter, refused by the pipe)', 20],
      ['9 levels of payload (one beyond the limit)', 8],
    ])('answers a message nested %s with exactly one invalid_payload, and carries on', async (_name, depth) => {
      const client = await JsonChatClient.connect(wsUrl);
      try {
        await client.welcome();
        client.sendText(deepMessage(depth));
        const before = await client.sync();
        expect(before).toEqual([
          { event: 'error', data: { code: 'invalid_payload', message: expect.stringMatching(/at most 9 deep/) } },
        ]);
        await client.join('r');
        client.send('message', { room: 'r', text: 'still here', ref: 1 });
        expect(await client.waitFor('ack', (ack) => ack.ref === 1)).toMatchObject({ ref: 1 });
      } finally {
        await client.close();
      }
    });

    it('answers a message whose data is fine but whose extra key nests too deep once, with invalid_payload only', async () => {
      const client = await JsonChatClient.connect(wsUrl);
      try {
        await client.welcome();
        await client.join('r');
        const extra = '['.repeat(20) + ']'.repeat(20);
        client.sendText(`{"event":"message","data":{"room":"r","text":"too deep","ref":1},"extra":${extra}}`);
        client.send('message', { room: 'r', text: 'after', ref: 2 });
        // Room order: had the first message been posted, it would come before this one.
        const frames: Array<{ event: string; data: any }> = [];
        for (;;) {
          const frame = JSON.parse(await client.nextFrame('the room message "after"')) as { event: string; data: any };
          if (frame.event === 'message' && frame.data.text === 'after') break;
          frames.push(frame);
        }
        frames.push(...(await client.sync()));
        const answers = frames.filter(
          (frame) => frame.event !== 'presence' && !(frame.event === 'ack' && frame.data.ref === 2),
        );
        expect(answers).toEqual([
          { event: 'error', data: { code: 'invalid_payload', message: expect.stringMatching(/at most 9 deep/) } },
        ]);
      } finally {
        await client.close();
      }
    });

    it('closes with 1009 a 1 MB frame nested 500,000 deep, compressed (~1 KB on the wire) or not, before parsing it', async () => {
      for (const compress of [true, false]) {
        const socket = await openWs(`${wsUrl}/chat`, compress);
        const closed = closeCodeOf(socket);
        socket.send(deepMessage(500_000));
        expect(await closed).toBe(1009);
      }
    });
  });

  describe('frame size on /chat (CHAT_MAX_FRAME_BYTES, default 6 * 2000 + 2048)', () => {
    it('takes the longest text even with every character escaped', async () => {
      const client = await JsonChatClient.connect(wsUrl);
      try {
        await client.welcome();
        await client.join('big');
        const text = '\u0001'.repeat(2000);
        const frame = JSON.stringify({ event: 'message', data: { room: 'big', text, ref: 'x'.repeat(64) } });
        expect(Buffer.byteLength(frame)).toBeGreaterThan(12_000);
        client.sendText(frame);
        expect(await client.waitFor('ack', (ack) => ack.ref === 'x'.repeat(64))).toBeDefined();
      } finally {
        await client.close();
      }
    });

    it('closes with 1009 a frame of one byte more than the limit', async () => {
      const client = await JsonChatClient.connect(wsUrl);
      await client.welcome();
      const padding = 14_048 + 1 - Buffer.byteLength('{"event":"history","data":{"room":"r"},"pad":""}');
      client.sendText(`{"event":"history","data":{"room":"r"},"pad":"${'p'.repeat(padding)}"}`);
      expect((await within(client.closed, 'the 1009 close')).code).toBe(1009);
    });
  });

  describe('fragments on /chat (one per 64 bytes of the frame limit: 220)', () => {
    /** Sends `text` as one message in 1-byte fragments. */
    const sendInOneByteFragments = (socket: WebSocket, text: string): void => {
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i++)
        socket.send(bytes.subarray(i, i + 1), { binary: false, fin: i === bytes.length - 1 });
    };

    it('takes a message in 200 one-byte fragments and closes with 1009 one in 221', async () => {
      const socket = await openWs(`${wsUrl}/chat`, false);
      const answers: string[] = [];
      socket.on('message', (data: Buffer) => answers.push(data.toString()));
      const closed = closeCodeOf(socket);
      const frame = (length: number): string => {
        const empty = JSON.stringify({ event: 'history', data: { room: 'r' }, pad: '' });
        return JSON.stringify({ event: 'history', data: { room: 'r' }, pad: 'p'.repeat(length - empty.length) });
      };
      sendInOneByteFragments(socket, frame(200));
      // Reassembled and handled: a history request from outside the room is answered not_in_room.
      await eventually(
        () => answers.some((answer) => answer.includes('"code":"not_in_room"')),
        'the answer to the history request',
      );
      sendInOneByteFragments(socket, frame(221));
      expect(await closed).toBe(1009);
    });
  });

  describe('line size on / (3 bytes per character of the longest text, and 1 KiB)', () => {
    it('answers a line a little too long with a line, and closes with 1009 on one far too long', async () => {
      const client = await LineChatClient.connect(wsUrl);
      try {
        client.sendText('\u00e9'.repeat(2000));
        await client.waitForLine(
          (line) => line.endsWith('\u00e9'.repeat(2000)),
          'the 4,000-byte line echoed to the room',
        );
        client.sendText('x'.repeat(2001));
        await client.waitForLine((line) => line.startsWith('Error: a line can be at most 2000'), 'the error line');
        client.sendText('x'.repeat(3 * 2000 + 1024 + 1));
        expect((await within(client.closed, 'the 1009 close')).code).toBe(1009);
      } finally {
        await client.close();
      }
    });
  });

  describe('REST bodies', () => {
    it('answers 400 (not 500) to a body nested 50,000 deep, and logs no stack', async () => {
      const body = `{"text":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
      expect(body.length).toBeLessThan(100 * 1024);
      const response = await request(baseUrl)
        .post('/api/rooms/r/messages')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toBe('a payload may nest arrays and objects at most 8 deep');
      expect(logger.lines.filter((line) => /RangeError|\n\s+at /.test(line))).toEqual([]);
    });

    it('refuses a JSON body over 100 KiB with 413 (Express body limit)', async () => {
      const response = await request(baseUrl)
        .post('/api/rooms/r/messages')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ text: 'x'.repeat(100 * 1024) }));
      expect(response.status).toBe(413);
    });
  });
});

describe('frame limit from CHAT_MAX_FRAME_BYTES', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ CHAT_MAX_FRAME_BYTES: '1024' });
  });
  afterAll(() => service.close());

  it('closes with 1009 a frame over the configured limit, compressed or not', async () => {
    for (const compress of [true, false]) {
      const socket = await openWs(`${service.wsUrl}/chat`, compress);
      const closed = closeCodeOf(socket);
      socket.send(JSON.stringify({ event: 'message', data: { room: 'r', text: 'y'.repeat(1100) } }));
      expect(await closed).toBe(1009);
    }
  });
});

describe('/echo in production', () => {
  it('is off by default with NODE_ENV=production', async () => {
    const service = await startService({ NODE_ENV: 'production' });
    try {
      expect(await upgradeOutcome(`${service.wsUrl}/echo`)).toBe(404);
    } finally {
      await service.close();
    }
  });

  it('is on with NODE_ENV=production and ECHO_ENABLED=true', async () => {
    const service = await startService({ NODE_ENV: 'production', ECHO_ENABLED: 'true' });
    try {
      expect(await upgradeOutcome(`${service.wsUrl}/echo`)).toBe('open');
    } finally {
      await service.close();
    }
  });
});
