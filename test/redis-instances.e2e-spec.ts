import request from 'supertest';
import { compareMessageIds } from '../src/chat/index.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';
import { startRedisChat, type RedisChatInstance } from './helpers/redis-app.js';
import { isHistoryKey } from './helpers/redis-room-keys.js';
import {
  deleteKeys,
  describeWithRedis,
  keysUnder,
  TEST_REDIS_URL,
  uniquePrefix,
} from './helpers/redis-availability.js';

const TEST_MS = 20_000;

describeWithRedis('several instances on one Redis (BUS=redis)', () => {
  const prefix = uniquePrefix('instances');
  const instances: RedisChatInstance[] = [];
  const clients: Array<JsonChatClient | LineChatClient> = [];

  async function instance(
    node: string,
    options: { presenceTtlMs?: number; historySize?: number } = {},
  ): Promise<RedisChatInstance> {
    const started = await startRedisChat({ url: TEST_REDIS_URL, prefix, node, ...options });
    instances.push(started);
    return started;
  }

  async function stop(started: RedisChatInstance): Promise<void> {
    instances.splice(instances.indexOf(started), 1);
    await started.close();
  }

  /** A welcomed client of `on`, in `room` as `name`. */
  async function member(
    on: RedisChatInstance,
    room: string,
    name: string,
    since?: string,
  ): Promise<{ client: JsonChatClient; joined: any }> {
    const client = await JsonChatClient.connect(on.wsUrl);
    clients.push(client);
    await client.welcome();
    const joined = await client.join(room, since === undefined ? { name } : { name, since });
    return { client, joined };
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(instances.splice(0).map((started) => started.close()));
  });
  afterAll(() => deleteKeys(TEST_REDIS_URL, prefix));

  it('reports Redis up on /health of every instance', async () => {
    const [a, b] = [await instance('a'), await instance('b')];
    for (const started of [a, b]) {
      const res = await request(started.httpUrl).get('/health').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { redis: { status: 'up' } } });
    }
  });

  it(
    "shows clients on both instances each other's messages once each, in the same order",
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const { client: ann } = await member(a, 'race', 'ann');
      const { client: bob } = await member(b, 'race', 'bob');
      await ann.waitFor('presence', (p) => p.name === 'bob');
      await bob.next('presence');
      for (let i = 0; i < 15; i++) {
        ann.send('message', { room: 'race', text: `ann ${i}`, ref: `a${i}` });
        bob.send('message', { room: 'race', text: `bob ${i}`, ref: `b${i}` });
      }
      const seen = async (client: JsonChatClient) => {
        const ids: string[] = [];
        const acks: string[] = [];
        while (ids.length < 30 || acks.length < 15) {
          const frame = JSON.parse(await client.nextFrame('messages and acks')) as { event: string; data: any };
          if (frame.event === 'message') ids.push(frame.data.id);
          else if (frame.event === 'ack') acks.push(frame.data.id);
          else throw new Error(`unexpected ${JSON.stringify(frame)}`);
        }
        return { ids, acks };
      };
      const [annSaw, bobSaw] = await Promise.all([seen(ann), seen(bob)]);
      expect(annSaw.ids).toEqual(bobSaw.ids);
      expect(new Set(annSaw.ids).size).toBe(30);
      for (let i = 1; i < 30; i++) expect(compareMessageIds(annSaw.ids[i - 1], annSaw.ids[i])).toBeLessThan(0);
      expect(new Set([...annSaw.acks, ...bobSaw.acks])).toEqual(new Set(annSaw.ids));
      // And nothing more: a round trip on each connection finds nothing left over.
      expect(await ann.sync()).toEqual([]);
      expect(await bob.sync()).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'keeps presence across instances: members, counts, leaves, and the room list on every instance',
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const { client: ann } = await member(a, 'hall', 'ann');
      await ann.next('presence');
      const { client: bob, joined } = await member(b, 'hall', 'bob');
      expect(joined).toMatchObject({ members: ['ann', 'bob'], count: 2 });
      expect(await ann.next('presence')).toEqual({
        room: 'hall',
        name: 'bob',
        event: 'join',
        members: ['ann', 'bob'],
        count: 2,
      });
      await bob.next('presence');
      for (const started of [a, b]) {
        const rooms = await request(started.httpUrl).get('/api/rooms').expect(200);
        expect(rooms.body.filter((room: { room: string }) => room.room === 'hall')).toEqual([
          { room: 'hall', members: 2 },
        ]);
      }
      bob.send('nick', { name: 'robert' });
      await bob.sync();
      const { client: cid } = await member(a, 'hall', 'cid');
      expect(await ann.next('presence')).toMatchObject({ name: 'cid', members: ['ann', 'robert', 'cid'], count: 3 });
      await bob.next('presence');
      await cid.next('presence');
      await bob.close();
      expect(await ann.next('presence')).toEqual({
        room: 'hall',
        name: 'robert',
        event: 'leave',
        members: ['ann', 'cid'],
        count: 2,
      });
      expect(await cid.next('presence')).toMatchObject({ name: 'robert', event: 'leave', count: 2 });
    },
    TEST_MS,
  );

  it(
    'serves the same history on every instance, and resumes with since across instances',
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const { client: ann } = await member(a, 'log', 'ann');
      await ann.next('presence');
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        ann.send('message', { room: 'log', text: `ws ${i}`, ref: i });
        ids.push((await ann.waitFor('ack', (ack) => ack.ref === i)).id);
      }
      const pushed = await request(b.httpUrl)
        .post('/api/rooms/log/messages')
        .send({ from: 'server', text: 'via REST on b' })
        .expect(201);
      ids.push(pushed.body.id);
      await ann.waitFor('message', (message) => message.id === pushed.body.id);
      const onA = await request(a.httpUrl).get('/api/rooms/log/messages').expect(200);
      const onB = await request(b.httpUrl).get('/api/rooms/log/messages').expect(200);
      expect(onA.body).toEqual(onB.body);
      expect(onA.body.map((message: { id: string }) => message.id)).toEqual(ids);
      const sinceOnB = await request(b.httpUrl).get(`/api/rooms/log/messages?since=${ids[1]}`).expect(200);
      expect(sinceOnB.body.map((message: { text: string }) => message.text)).toEqual(['ws 3', 'via REST on b']);
      expect(sinceOnB.headers['x-history-truncated']).toBeUndefined();

      const { joined } = await member(b, 'log', 'bob', ids[0]);
      expect(joined.history.map((message: { id: string }) => message.id)).toEqual(ids.slice(1));
      expect(joined.truncated).toBe(false);
    },
    TEST_MS,
  );

  it(
    'keeps history and since across a restart of every instance',
    async () => {
      let [a, b] = [await instance('a'), await instance('b')];
      const sent: string[] = [];
      for (let i = 1; i <= 4; i++) {
        const res = await request(i % 2 ? a.httpUrl : b.httpUrl)
          .post('/api/rooms/durable/messages')
          .send({ from: 'x', text: `m${i}` })
          .expect(201);
        sent.push(res.body.id);
      }
      const { client: watcher } = await member(a, 'durable', 'watcher');
      await watcher.next('presence');
      await stop(a);
      await stop(b);
      // A graceful stop takes the instance's members out of presence: only history is left.
      const left = (await keysUnder(TEST_REDIS_URL, prefix)).filter((key) => !isHistoryKey(prefix, key));
      expect(left).toEqual([]);
      [a, b] = [await instance('a2'), await instance('b2')];
      const { client: ann, joined } = await member(b, 'durable', 'ann', sent[1]);
      expect(joined.history.map((message: { text: string }) => message.text)).toEqual(['m3', 'm4']);
      expect(joined.truncated).toBe(false);
      await ann.next('presence');
      ann.send('message', { room: 'durable', text: 'after the restart', ref: 'r' });
      const ack = await ann.waitFor('ack');
      expect(compareMessageIds(ack.id, sent[3])).toBeGreaterThan(0);
      const onA = await request(a.httpUrl).get('/api/rooms/durable/messages').expect(200);
      expect(onA.body.map((message: { id: string }) => message.id)).toEqual([...sent, ack.id]);
    },
    TEST_MS,
  );

  it(
    'delivers across instances and protocols: a /chat message on one is a line on the other',
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const line = await LineChatClient.connect(a.wsUrl);
      clients.push(line);
      await line.waitForLine((text) => text.startsWith('Welcome,'), 'the welcome line');
      const { client: ann } = await member(b, 'lobby', 'ann');
      ann.send('message', { room: 'lobby', text: 'hello plain socket', ref: 1 });
      expect(await line.waitForLine((text) => text.includes('hello plain socket'), 'the line')).toMatch(
        /^\d\d:\d\d:\d\d ann say: hello plain socket$/,
      );
    },
    TEST_MS,
  );

  it(
    'stops listing the members of an instance that died once its presence expires',
    async () => {
      const a = await instance('a', { presenceTtlMs: 900 });
      const b = await instance('b', { presenceTtlMs: 900 });
      const { client: ann } = await member(a, 'wake', 'ann');
      await ann.next('presence');
      await member(b, 'wake', 'bob');
      await ann.waitFor('presence', (p) => p.name === 'bob' && p.event === 'join');
      // b stops talking to Redis for good, as a crashed or frozen process would: no more heartbeats.
      b.connections.commands.disconnect();
      b.connections.subscriber?.disconnect();
      const died = Date.now();
      expect(await ann.waitFor('presence', (p) => p.name === 'bob' && p.event === 'leave')).toEqual({
        room: 'wake',
        name: 'bob',
        event: 'leave',
        members: ['ann'],
        count: 1,
      });
      expect(Date.now() - died).toBeGreaterThanOrEqual(450);
      const rooms = await request(a.httpUrl).get('/api/rooms').expect(200);
      expect(rooms.body.filter((room: { room: string }) => room.room === 'wake')).toEqual([
        { room: 'wake', members: 1 },
      ]);
      const health = await request(b.httpUrl).get('/health').expect(503);
      expect(health.body.error.redis).toMatchObject({ status: 'down' });
    },
    TEST_MS,
  );
});
