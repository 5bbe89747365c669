import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { ChatReceiverDriver } from './chat-receiver-driver.js';

/** A stand-in for `/chat` that answers every join with `joined` and counts the rooms joined. */
describe('chat receivers', () => {
  let server: WebSocketServer;
  let port: number;
  const joins = new Map<string, number>();

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/chat' });
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    server.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => {
        const { event, data: body } = JSON.parse(data.toString()) as { event: string; data: { room: string } };
        if (event !== 'join') return;
        joins.set(body.room, (joins.get(body.room) ?? 0) + 1);
        socket.send(JSON.stringify({ event: 'joined', data: { room: body.room, members: [] } }));
      }),
    );
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('spreads its connections over the rooms it is given, round robin from the first', async () => {
    joins.clear();
    const driver = new ChatReceiverDriver({
      kind: 'chat-receivers',
      endpoint: { host: '127.0.0.1', port, path: '/chat' },
      localAddress: '127.0.0.1',
      connectTimeoutMs: 5000,
      connections: 7,
      room: 'unused',
      rooms: ['a', 'b', 'c'],
    });
    try {
      await driver.prepare();
      assert.equal(driver.joined, 7);
      assert.deepEqual(Object.fromEntries(joins), { a: 3, b: 2, c: 2 });
    } finally {
      driver.close();
    }
  });

  it('joins `room` with all of them without a list', async () => {
    joins.clear();
    const driver = new ChatReceiverDriver({
      kind: 'chat-receivers',
      endpoint: { host: '127.0.0.1', port, path: '/chat' },
      localAddress: '127.0.0.1',
      connectTimeoutMs: 5000,
      connections: 3,
      room: 'only',
    });
    try {
      await driver.prepare();
      assert.deepEqual(Object.fromEntries(joins), { only: 3 });
    } finally {
      driver.close();
    }
  });
});
