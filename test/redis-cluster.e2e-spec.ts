import request from 'supertest';
import { compareMessageIds } from '../src/chat/index.js';
import { JsonChatClient, type ChatFrame } from './helpers/chat-clients.js';
import { startRedisChat, type RedisChatInstance } from './helpers/redis-app.js';
import { uniquePrefix } from './helpers/redis-availability.js';
import { RedisClusterProcesses } from './helpers/redis-cluster.js';
import { describeWithRedisServer } from './helpers/redis-server.js';
import { eventually, within } from './helpers/waiting.js';

const TEST_MS = 60_000;

describeWithRedisServer('two instances on a Redis Cluster (BUS=redis, REDIS_CLUSTER_NODES)', () => {
  const prefix = uniquePrefix('cluster');
  let cluster: RedisClusterProcesses;
  const instances: RedisChatInstance[] = [];
  const clients: JsonChatClient[] = [];

  async function instance(node: string): Promise<RedisChatInstance> {
    const started = await startRedisChat({
      url: 'redis://127.0.0.1:6379',
      clusterNodes: cluster.seeds,
      prefix,
      node,
      roomCreatePerMinute: false,
    });
    instances.push(started);
    return started;
  }

  async function member(on: RedisChatInstance, room: string, name: string): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(on.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join(room, { name });
    return client;
  }

  /** The member list a client joining `room` on `on` is given (the observer stays in the room). */
  async function membersOf(on: RedisChatInstance, room: string): Promise<string[]> {
    const observer = await JsonChatClient.connect(on.wsUrl);
    clients.push(observer);
    await observer.welcome();
    return ((await observer.join(room, { name: `observer-${clients.length}` })) as { members: string[] }).members;
  }

  /** Sends a message and waits for its ack (its id) or its error (undefined). */
  async function post(client: JsonChatClient, room: string, text: string): Promise<string | undefined> {
    client.send('message', { room, text, ref: text });
    for (;;) {
      const frame = JSON.parse(await client.nextFrame(`the ack of ${text}`, 10_000)) as ChatFrame;
      if (frame.event === 'ack' && frame.data.ref === text) return frame.data.id as string;
      if (frame.event === 'error' && frame.data.ref === text) return undefined;
    }
  }

  /** Every message id of `room` the client receives from now on, in arrival order. */
  function collect(client: JsonChatClient, room: string): string[] {
    const ids: string[] = [];
    client.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ChatFrame;
      if (frame.event === 'message' && frame.data.room === room) ids.push(frame.data.id as string);
    });
    return ids;
  }

  /** The first /health answer of `on` with this status (polled; fails after 20 s). */
  async function healthUntil(on: RedisChatInstance, status: number): Promise<request.Response> {
    let found: request.Response | undefined;
    let gaveUp = false;
    const poll = async (): Promise<void> => {
      const res = await request(on.httpUrl).get('/health');
      if (res.status === status) found = res;
      else if (!gaveUp) await new Promise((resolve) => setTimeout(resolve, 50)).then(poll);
    };
    await within(poll(), `/health ${status} on ${on.httpUrl}`, 20_000).finally(() => (gaveUp = true));
    return found!;
  }

  /** Rooms whose keys live on distinct primaries, one per primary. */
  async function roomsOnEveryPrimary(): Promise<Map<number, string>> {
    const byPrimary = new Map<number, string>();
    for (let i = 0; byPrimary.size < 3 && i < 200; i++) {
      const room = `room-${i}`;
      const primary = await cluster.primaryOf(`${prefix}stream:{${room}}`);
      if (!byPrimary.has(primary)) byPrimary.set(primary, room);
    }
    return byPrimary;
  }

  beforeAll(async () => {
    cluster = await RedisClusterProcesses.start(3, 1);
  }, TEST_MS);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await Promise.all(instances.splice(0).map((started) => started.close()));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it(
    "shows clients on both instances each other's messages once each, in the same order, in rooms on every shard",
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      for (const started of [a, b]) {
        const res = await request(started.httpUrl).get('/health').expect(200);
        expect(res.body).toMatchObject({ info: { redis: { status: 'up' } } });
      }
      const rooms = [...(await roomsOnEveryPrimary()).values()];
      expect(rooms).toHaveLength(3);
      for (const room of rooms) {
        const ann = await member(a, room, 'ann');
        const bob = await member(b, room, 'bob');
        await ann.waitFor('presence', (p) => p.name === 'bob' && p.count === 2);
        const [seenByAnn, seenByBob] = [collect(ann, room), collect(bob, room)];
        const sent: string[] = [];
        for (let i = 0; i < 5; i++) {
          sent.push((await post(ann, room, `${room} ann ${i}`))!);
          sent.push((await post(bob, room, `${room} bob ${i}`))!);
        }
        await eventually(
          () => seenByAnn.length >= sent.length && seenByBob.length >= sent.length,
          `the messages of ${room} on both instances`,
          20_000,
        );
        expect(seenByAnn).toEqual([...sent].sort(compareMessageIds));
        expect(seenByBob).toEqual(seenByAnn);
      }
      const listed = await request(a.httpUrl).get('/api/rooms').expect(200);
      expect(listed.body).toEqual(expect.arrayContaining(rooms.map((room) => ({ room, members: 2 }))));
    },
    TEST_MS,
  );

  it(
    'keeps one name per person in a room and stores a resent message once, in rooms on different shards',
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const [first, second] = [...(await roomsOnEveryPrimary()).values()];
      const ann = await member(a, first, 'ann');
      await ann.join(second, { name: 'ann' });
      const bob = await member(b, first, 'bob');
      await bob.join(second, { name: 'bob' });

      // Another identity takes ann's name neither by joining nor by renaming, in any of the rooms.
      const other = await JsonChatClient.connect(b.wsUrl);
      clients.push(other);
      await other.welcome();
      other.send('join', { room: second, name: 'ann' });
      expect(await other.waitFor('error')).toMatchObject({ code: 'name_taken' });
      bob.send('nick', { name: 'ann' });
      expect(await bob.waitFor('error')).toMatchObject({ code: 'name_taken' });
      for (const room of [first, second]) {
        const members = await membersOf(a, room);
        expect(members.filter((name) => name === 'ann')).toHaveLength(1);
        expect(members).toContain('bob');
      }
      // A free name is taken in both rooms (written shard by shard), and bob's old one is free again in both.
      bob.send('nick', { name: 'bobby' });
      for (const room of [first, second]) {
        await within(
          (async () => {
            while (!(await membersOf(a, room)).includes('bobby'));
          })(),
          `bobby in ${room}`,
          10_000,
        );
        const newcomer = await JsonChatClient.connect(a.wsUrl);
        clients.push(newcomer);
        await newcomer.welcome();
        await newcomer.join(room, { name: 'bob' });
      }

      // A resend with the same ref is acknowledged with the first id and stored once.
      const seen = collect(bob, first);
      const id = await post(ann, first, 'once');
      expect(await post(ann, first, 'once')).toBe(id);
      const marker = await post(ann, first, 'marker');
      await eventually(() => seen.includes(marker!), 'the marker on the other instance', 20_000);
      expect(seen).toEqual([id, marker]);
    },
    TEST_MS,
  );

  it(
    'reports a killed primary on /health, and loses nothing acknowledged once its replica has taken over',
    async () => {
      const [a, b] = [await instance('a'), await instance('b')];
      const [[victim, room]] = await roomsOnEveryPrimary();
      const ann = await member(a, room, 'ann');
      const bob = await member(b, room, 'bob');
      await ann.waitFor('presence', (p) => p.name === 'bob' && p.count === 2);
      const seen = collect(bob, room);

      const acked: string[] = [];
      let n = 0;
      const send = async () => {
        // Refused (never acknowledged) while the shard has no primary.
        const id = await post(ann, room, `m${n++}`);
        if (id !== undefined) acked.push(id);
      };
      while (acked.length < 10) await send();

      await cluster.kill(victim);
      // Until its replica takes over, the instances say so, and what they cannot store is refused.
      const down = await healthUntil(a, 503);
      expect(down.body).toMatchObject({ error: { redis: { status: 'down' } } });
      await send();
      await cluster.untilHealthy();
      await healthUntil(a, 200);
      await healthUntil(b, 200);
      const before = acked.length;
      while (acked.length < before + 10) await send();

      const last = acked.at(-1)!;
      await eventually(() => seen.includes(last), 'the last acknowledged message on the other instance', 20_000);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort(compareMessageIds)).toEqual(seen);
      expect(seen).toEqual(expect.arrayContaining(acked));
      const history = await request(b.httpUrl).get(`/api/rooms/${room}/messages?limit=100`).expect(200);
      const stored = (history.body as Array<{ id: string }>).map(({ id }) => id);
      expect(stored).toEqual(expect.arrayContaining(acked));
    },
    TEST_MS,
  );
});
