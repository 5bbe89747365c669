import { Redis } from 'ioredis';
import { BusNode } from './helpers/redis-bus-node.js';
import { deleteKeys, describeWithRedis, TEST_REDIS_URL, uniquePrefix } from './helpers/redis-availability.js';

describeWithRedis('fromId on the Redis bus', () => {
  const prefix = uniquePrefix('fromid');
  const nodes: BusNode[] = [];
  let admin: Redis;

  async function node(name: string): Promise<BusNode> {
    const started = await BusNode.start(TEST_REDIS_URL, name, { prefix });
    nodes.push(started);
    return started;
  }

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((started) => started.close()));
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    admin.disconnect();
  });

  it('stores fromId in the stream and delivers it to every instance', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const stored = await a.bus.publish({ room: 'ids', from: 'Sam', fromId: 'user-42', text: 'hi' });
    expect(stored).toMatchObject({ from: 'Sam', fromId: 'user-42' });
    await b.until(() => b.messages('ids').length === 1, 'the message on the other instance');
    expect(b.messages('ids')).toEqual([stored]);
    expect((await b.bus.history('ids', { limit: 10 })).messages).toEqual([stored]);
    expect(await admin.xrange(`${prefix}stream:ids`, '-', '+')).toEqual([
      [stored.id, ['from', 'Sam', 'text', 'hi', 'fromId', 'user-42']],
    ]);
  });

  it('reads entries stored before messages carried fromId, with an empty one', async () => {
    const a = await node('a');
    // What the previous version's publish script wrote: no fromId field.
    const oldId = await admin.xadd(`${prefix}stream:legacy`, '*', 'from', 'Old', 'text', 'from the past');
    const fresh = await a.bus.publish({ room: 'legacy', from: 'New', fromId: 'user-1', text: 'from now' });
    const { messages } = await a.bus.history('legacy', { limit: 10 });
    expect(messages.map(({ id, from, fromId, text }) => ({ id, from, fromId, text }))).toEqual([
      { id: oldId, from: 'Old', fromId: '', text: 'from the past' },
      { id: fresh.id, from: 'New', fromId: 'user-1', text: 'from now' },
    ]);
    expect((await a.bus.history('legacy', { since: oldId!, limit: 10 })).messages).toEqual([fresh]);
  });
});
