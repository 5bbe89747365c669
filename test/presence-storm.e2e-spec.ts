import { WebSocket } from 'ws';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { eventually, within } from './helpers/waiting.js';

/** One member of the storm: what it last heard of the room's members. */
interface StormClient {
  socket: WebSocket;
  name: string;
  members: string[];
  count: number;
  presenceFrames: number;
}

const MEMBERS = 300;
const LEAVING = 75;
const ROOM = 'storm';
const TEST_MS = 90_000;

describe('presence: a reconnect storm into one big room', () => {
  let server: ChatApp;
  const clients: StormClient[] = [];

  beforeAll(async () => {
    server = await startChatApp({
      rateLimit: false,
      roomCreatePerMinute: false,
      memberListLimit: 1000,
      presenceBatch: { intervalMs: 100, burst: 10 },
    });
  });
  afterAll(async () => {
    for (const { socket } of clients) socket.terminate();
    await server.close();
  });

  function join(name: string): Promise<StormClient> {
    const client: StormClient = {
      socket: new WebSocket(`${server.wsUrl}/chat`),
      name,
      members: [],
      count: 0,
      presenceFrames: 0,
    };
    return new Promise((resolve, reject) => {
      client.socket.once('error', reject);
      client.socket.once('open', () =>
        client.socket.send(JSON.stringify({ event: 'join', data: { room: ROOM, name } })),
      );
      client.socket.on('message', (data: Buffer) => {
        const { event, data: payload } = JSON.parse(data.toString()) as { event: string; data: any };
        if (event === 'presence') client.presenceFrames++;
        if (event !== 'joined' && event !== 'presence') return;
        client.members = payload.members;
        client.count = payload.count;
        if (event === 'joined') resolve(client);
      });
    });
  }

  function rosterSeenByAll(members: StormClient[], expected: string[]): boolean {
    const want = [...expected].sort().join(',');
    return members.every((client) => client.count === expected.length && [...client.members].sort().join(',') === want);
  }

  it(
    'leaves every member with the final roster, at far fewer notices than one per change per member',
    async () => {
      const names = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
      clients.push(...(await within(Promise.all(names.map(join)), `${MEMBERS} joins`, 60_000)));
      await eventually(() => rosterSeenByAll(clients, names), 'every member to see all members', 30_000);

      const leaving = clients.slice(0, LEAVING);
      const staying = clients.slice(LEAVING);
      for (const { socket } of leaving) socket.close();
      await eventually(
        () => rosterSeenByAll(staying, names.slice(LEAVING)),
        'every remaining member to see the leaves',
        30_000,
      );

      // One notice per change would be about MEMBERS^2 / 2 for the joins and MEMBERS * LEAVING for the leaves.
      const frames = clients.reduce((sum, client) => sum + client.presenceFrames, 0);
      expect(frames).toBeLessThan((MEMBERS * MEMBERS) / 8);
    },
    TEST_MS,
  );
});
