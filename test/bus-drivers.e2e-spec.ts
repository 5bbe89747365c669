import { Redis } from 'ioredis';
import request from 'supertest';
import {
  CHAT_BUS,
  ChatModule,
  InMemoryBusModule,
  InMemoryChatBus,
  RedisBusModule,
  RedisChatBus,
  redisChatBus,
  RedisConnections,
  RedisModule,
  type ChatBus,
} from '../src/index.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { deleteKeys, describeWithRedis, TEST_REDIS_URL, uniquePrefix } from './helpers/redis-availability.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

/** Closes what a test started, whatever happened in it. */
const running: Array<ChatApp | ServiceApp> = [];
async function started<T extends ChatApp | ServiceApp>(app: Promise<T>): Promise<T> {
  const up = await app;
  running.push(up);
  return up;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

describe('bus drivers: the service picks one with BUS', () => {
  it('runs the in-memory bus with BUS=memory, and /health has no dependency to report', async () => {
    const service = await started(startService({ BUS: 'memory', ECHO_ENABLED: 'false', CHAT_HISTORY_SIZE: '7' }));
    const bus = service.app.get<ChatBus>(CHAT_BUS);
    expect(bus).toBeInstanceOf(InMemoryChatBus);
    expect((bus as InMemoryChatBus).historySize).toBe(7);
    const health = await request(service.httpUrl).get('/health').expect(200);
    expect(Object.keys(health.body.details)).toEqual(['process']);
  });

  it('gives an embedding host the in-memory bus from InMemoryBusModule, and without any bus module', async () => {
    const withModule = await started(
      startApp([
        ChatModule.forRootAsync({ imports: [InMemoryBusModule.forRoot()], useFactory: () => ({ maxRooms: 9 }) }),
      ]),
    );
    expect((withModule.app.get<ChatBus>(CHAT_BUS) as InMemoryChatBus).maxRooms).toBe(9);
    const without = await started(startApp([ChatModule.forRoot({ maxRooms: 8 })]));
    expect((without.app.get<ChatBus>(CHAT_BUS) as InMemoryChatBus).maxRooms).toBe(8);
  });
});

describeWithRedis('bus drivers: the Redis bus module', () => {
  const prefix = uniquePrefix('drivers');
  let admin: Redis;

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    admin.disconnect();
  });

  /** Posts through REST; the length of the room's stream under the test's prefix after it. */
  async function postAndFindStream(app: ChatApp | ServiceApp, room: string): Promise<number> {
    await request(app.httpUrl).post(`/api/rooms/${room}/messages`).send({ from: 'x', text: 'stored' }).expect(201);
    return admin.xlen(`${prefix}stream:${room}`);
  }

  it('runs the Redis bus with BUS=redis under REDIS_PREFIX, and /health reports Redis', async () => {
    const service = await started(
      startService({ BUS: 'redis', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ECHO_ENABLED: 'false' }),
    );
    const bus = service.app.get<ChatBus>(CHAT_BUS);
    expect(bus).toBeInstanceOf(RedisChatBus);
    expect((bus as RedisChatBus).prefix).toBe(prefix);
    await (bus as RedisChatBus).ready();
    const health = await request(service.httpUrl).get('/health').expect(200);
    expect(health.body.details).toMatchObject({ process: { status: 'up' }, redis: { status: 'up' } });
    expect(await postAndFindStream(service, 'service-room')).toBe(1);
  });

  it('gives a host the Redis bus through ChatModule.forRootAsync imports, sized by the module options', async () => {
    const host = await started(
      startApp([
        ChatModule.forRootAsync({
          imports: [RedisBusModule.forRoot({ url: TEST_REDIS_URL, prefix, node: 'host-a' })],
          useFactory: () => ({ historySize: 5 }),
        }),
      ]),
    );
    const bus = host.app.get<RedisChatBus>(CHAT_BUS);
    expect(bus).toBeInstanceOf(RedisChatBus);
    expect({ prefix: bus.prefix, node: bus.node, historySize: bus.historySize }).toEqual({
      prefix,
      node: 'host-a',
      historySize: 5,
    });
    await bus.ready();
    expect(await postAndFindStream(host, 'host-room')).toBe(1);
    // The module closes the bus it made, then RedisModule the connections.
    const connections = host.app.get(RedisConnections);
    await host.close();
    expect(connections.problem()).toBe('the Redis connections are closed');
    await expect(bus.publish({ room: 'r', from: 'a', text: 'x' })).rejects.toThrow('closed');
  });

  it('is found by a ChatModule that does not import it (the driver module is global)', async () => {
    const host = await started(
      startApp([RedisBusModule.forRoot({ url: TEST_REDIS_URL, prefix }), ChatModule.forRoot()]),
    );
    expect(host.app.get(CHAT_BUS)).toBeInstanceOf(RedisChatBus);
  });

  it('still serves the earlier wiring: RedisModule and redisChatBus', async () => {
    const host = await started(
      startApp([
        RedisModule.forRoot({ url: TEST_REDIS_URL }),
        ChatModule.forRootAsync({
          inject: [RedisConnections],
          useFactory: (connections: RedisConnections) => ({ bus: redisChatBus(connections, { prefix }) }),
        }),
      ]),
    );
    const bus = host.app.get<RedisChatBus>(CHAT_BUS);
    expect(bus).toBeInstanceOf(RedisChatBus);
    await bus.ready();
    expect(await postAndFindStream(host, 'legacy-room')).toBe(1);
  });

  it('lets a bus given in the options win over the driver module', async () => {
    const own = new InMemoryChatBus();
    const host = await started(
      startApp([
        ChatModule.forRootAsync({
          imports: [RedisBusModule.forRoot({ url: TEST_REDIS_URL, prefix })],
          useFactory: () => ({ bus: own }),
        }),
      ]),
    );
    expect(host.app.get(CHAT_BUS)).toBe(own);
    await own.close();
  });
});
