import type { IncomingMessage } from 'node:http';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { Redis } from 'ioredis';
import { BusNode } from './helpers/redis-bus-node.js';
import { JsonChatClient } from './helpers/chat-clients.js';
import { startRedisChat, type RedisChatInstance } from './helpers/redis-app.js';
import {
  deleteKeys,
  describeWithRedis,
  keysUnder,
  TEST_REDIS_URL,
  uniquePrefix,
} from './helpers/redis-availability.js';

/** `?user=<sub>:<name>` stands in for the host's authentication; without it, anonymous. */
function userOf(url: string | undefined): { sub: string; name: string } | undefined {
  const user = new URL(url ?? '/', 'http://host').searchParams.get('user');
  if (user === null) return undefined;
  const [sub, name] = user.split(':');
  return { sub, name };
}

describeWithRedis('one name per person in a room, across instances (BUS=redis)', () => {
  const prefix = uniquePrefix('names');
  let a: RedisChatInstance;
  let b: RedisChatInstance;
  const clients: JsonChatClient[] = [];

  beforeAll(async () => {
    const createAdapter = (app: ConstructorParameters<typeof Rfc6455Adapter>[0]) =>
      new Rfc6455Adapter(app, { authorize: (request: IncomingMessage) => userOf(request.url) ?? true });
    a = await startRedisChat({ url: TEST_REDIS_URL, prefix, node: 'a', createAdapter });
    b = await startRedisChat({ url: TEST_REDIS_URL, prefix, node: 'b', createAdapter });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  async function connect(on: RedisChatInstance, query = ''): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(on.wsUrl, `/chat${query}`);
    clients.push(client);
    await client.welcome();
    return client;
  }

  it('refuses on one instance a name a member of another identity holds on the other', async () => {
    const ann = await connect(a);
    await ann.join('x-1', { name: 'ann' });
    const other = await connect(b);
    other.send('join', { room: 'x-1', name: 'ann' });
    expect(await other.waitFor('error')).toMatchObject({ code: 'name_taken' });
    const joined = await other.join('x-1', { name: 'bob' });
    expect(joined.members).toEqual(['ann', 'bob']);

    other.send('nick', { name: 'ann' });
    expect(await other.waitFor('error')).toMatchObject({ code: 'name_taken' });
    other.send('message', { room: 'x-1', text: 'still bob', ref: 1 });
    expect(await other.waitFor('message')).toMatchObject({ from: 'bob', text: 'still bob' });

    // Free again once its holder is gone, wherever that was.
    await ann.close();
    await other.waitFor('presence', (presence) => presence.event === 'leave' && presence.name === 'ann');
    other.send('nick', { name: 'ann' });
    other.send('message', { room: 'x-1', text: 'ann now', ref: 2 });
    expect(await other.waitFor('message')).toMatchObject({ from: 'ann', text: 'ann now' });
    const late = await connect(a);
    late.send('join', { room: 'x-1', name: 'ann' });
    expect(await late.waitFor('error')).toMatchObject({ code: 'name_taken' });
  });

  it('lets one authenticated user hold its name on both instances', async () => {
    const first = await connect(a, '?user=u-1:Dana');
    const second = await connect(b, '?user=u-1:Dana');
    await first.join('x-2');
    expect(await second.join('x-2')).toMatchObject({ members: ['Dana', 'Dana'], count: 2 });
    const impostor = await connect(a, '?user=u-2:Dana');
    impostor.send('join', { room: 'x-2' });
    expect(await impostor.waitFor('error')).toMatchObject({ code: 'name_taken' });
  });

  it('lets exactly one of two identities racing for a name on two instances have it', async () => {
    const [left, right] = [await connect(a), await connect(b)];
    left.send('join', { room: 'x-3', name: 'race' });
    right.send('join', { room: 'x-3', name: 'race' });
    const outcome = async (client: JsonChatClient) => {
      for (;;) {
        const frame = JSON.parse(await client.nextFrame('joined or error')) as { event: string; data: any };
        if (frame.event === 'joined') return 'joined';
        if (frame.event === 'error') return String(frame.data.code);
      }
    };
    expect((await Promise.all([outcome(left), outcome(right)])).sort()).toEqual(['joined', 'name_taken']);
  });

  it('keeps no name of a room once its last member left', async () => {
    const ann = await connect(a);
    await ann.join('x-4', { name: 'ann' });
    const bob = await connect(b);
    await bob.join('x-4', { name: 'bob' });
    await Promise.all([ann.close(), bob.close()]);
    const observer = await connect(a);
    await observer.join('x-4', { name: 'ann' });
    await observer.close();
    await expectNoKeysOfRoom('x-4');
  });

  /** Waits (bounded) until Redis holds no presence key of the room: the last exit is asynchronous. */
  async function expectNoKeysOfRoom(room: string): Promise<void> {
    const deadline = Date.now() + 3000;
    const presenceKeys = async () =>
      (await keysUnder(TEST_REDIS_URL, prefix)).filter((key) => key.endsWith(`:${room}`) && !key.includes('stream'));
    while ((await presenceKeys()).length > 0) {
      if (Date.now() > deadline) throw new Error(`presence keys of ${room} left: ${(await presenceKeys()).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  describe('in the shared presence', () => {
    const nodes: BusNode[] = [];
    let admin: Redis;

    async function node(name: string): Promise<BusNode> {
      const started = await BusNode.start(TEST_REDIS_URL, `presence-${name}`, {
        prefix: `${prefix}p:`,
        presenceTtlMs: 600,
      });
      nodes.push(started);
      return started;
    }

    beforeAll(() => {
      admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
    });
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((started) => started.close()));
    });
    afterAll(() => admin.disconnect());

    it('refuses another identity and writes nothing, lets the same identity in', async () => {
      const [a, b] = [await node('a'), await node('b')];
      await a.bus.presence.enter('p-1', { id: 'c1', name: 'ann', identity: 'user-1' });
      await expect(b.bus.presence.enter('p-1', { id: 'c2', name: 'ann', identity: 'user-2' })).rejects.toMatchObject({
        code: 'name_taken',
      });
      expect(await b.bus.presence.roster('p-1')).toEqual({ members: ['ann'], count: 1 });
      await b.bus.presence.enter('p-1', { id: 'c3', name: 'ann', identity: 'user-1' });
      expect(await a.bus.presence.roster('p-1')).toEqual({ members: ['ann', 'ann'], count: 2 });
      // Two of its members hold it: the name stays taken until both are gone.
      await a.bus.presence.exit('p-1', 'c1');
      await expect(b.bus.presence.enter('p-1', { id: 'c2', name: 'ann', identity: 'user-2' })).rejects.toMatchObject({
        code: 'name_taken',
      });
      await b.bus.presence.exit('p-1', 'c3');
      await b.bus.presence.enter('p-1', { id: 'c2', name: 'ann', identity: 'user-2' });
    });

    it('renames in every room or in none', async () => {
      const [a, b] = [await node('a'), await node('b')];
      await a.bus.presence.enter('p-2', { id: 'c1', name: 'ann', identity: 'u1' });
      await b.bus.presence.enter('p-2', { id: 'c2', name: 'bob', identity: 'u2' });
      await b.bus.presence.enter('p-2b', { id: 'c2', name: 'bob', identity: 'u2' });
      await expect(b.bus.presence.rename('c2', 'ann', ['p-2b', 'p-2'])).rejects.toMatchObject({
        code: 'name_taken',
        message: expect.stringContaining('"p-2"'),
      });
      expect(await a.bus.presence.roster('p-2b')).toEqual({ members: ['bob'], count: 1 });
      await b.bus.presence.rename('c2', 'bobby', ['p-2b', 'p-2']);
      // bob is free again, in both rooms.
      await a.bus.presence.enter('p-2', { id: 'c4', name: 'bob', identity: 'u4' });
      await a.bus.presence.enter('p-2b', { id: 'c4', name: 'bob', identity: 'u4' });
    });

    it('frees the names of an instance that died once its members expire', async () => {
      const [a, b] = [await node('a'), await node('b')];
      await b.bus.presence.enter('p-3', { id: 'c2', name: 'bob', identity: 'u2' });
      b.connections.commands.disconnect();
      b.connections.subscriber?.disconnect();
      await a.until(
        () => a.presence('p-3').some((notice) => notice.name === 'bob' && notice.event === 'leave'),
        'bob to expire',
      );
      await a.bus.presence.enter('p-3', { id: 'c1', name: 'bob', identity: 'u1' });
    });

    it('holds the names again when it writes back members Redis forgot', async () => {
      const [a, b] = [await node('a'), await node('b')];
      await a.bus.presence.enter('p-4', { id: 'c1', name: 'ann', identity: 'u1' });
      const keys = await admin.keys(`${prefix}p:*`);
      await admin.del(...keys.filter((key) => !key.includes('stream')));
      await b.until(
        () => b.presence('p-4').some((notice) => notice.name === 'ann' && notice.event === 'join'),
        'ann to be written again',
      );
      await expect(b.bus.presence.enter('p-4', { id: 'c2', name: 'ann', identity: 'u2' })).rejects.toMatchObject({
        code: 'name_taken',
      });
    });
  });
});
