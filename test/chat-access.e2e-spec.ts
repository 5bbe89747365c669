import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule, isAnonymousPrincipal, type AnonymousPrincipal } from '../src/chat/index.js';
import { JsonChatClient, LineChatClient, within } from './helpers/chat-clients.js';

/** What the host's `authorize` hook (and its REST middleware) make of `?user=<name>&role=<role>`. */
interface HostUser {
  sub: string;
  name: string;
  role: string;
}

function userOf(url: string | undefined): HostUser | undefined {
  const query = new URL(url ?? '/', 'http://host').searchParams;
  const user = query.get('user');
  return user === null ? undefined : { sub: `id-${user}`, name: user, role: query.get('role') ?? 'member' };
}

type Principal = HostUser | AnonymousPrincipal;

/** The host's policy: `staff` is for staff only, only staff post in `announcements`. */
const policy = {
  textLobbyOpen: true,
  textMayPost: true,
  asked: [] as Array<{ hook: string; principal: Principal; room: string }>,
};

function isTextClient(principal: Principal): boolean {
  return isAnonymousPrincipal(principal) && principal.protocol === 'text';
}

async function startHost(): Promise<{ app: INestApplication; wsUrl: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ChatModule.forRootAsync({
        // Runtime options: the hooks may come from a factory like any other option.
        useFactory: async () => ({
          rateLimit: false,
          canJoin: (principal: Principal, room: string) => {
            policy.asked.push({ hook: 'canJoin', principal, room });
            if (room === 'staff') return !isAnonymousPrincipal(principal) && principal.role === 'staff';
            return room !== 'lobby' || !isTextClient(principal) || policy.textLobbyOpen;
          },
          canPost: async (principal: Principal, room: string) => {
            policy.asked.push({ hook: 'canPost', principal, room });
            if (room === 'announcements') return !isAnonymousPrincipal(principal) && principal.role === 'staff';
            return !isTextClient(principal) || policy.textMayPost;
          },
        }),
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  // Anonymous clients are let in (`true`), named users carry their principal.
  app.useWebSocketAdapter(new Rfc6455Adapter(app, { authorize: (req: IncomingMessage) => userOf(req.url) ?? true }));
  // The host's own REST authentication, standing in for a guard that sets request.principal.
  app.use((req: { url?: string; principal?: unknown }, _res: unknown, next: () => void) => {
    const user = userOf(req.url);
    if (user !== undefined) req.principal = user;
    next();
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, wsUrl: `ws://127.0.0.1:${port}` };
}

describe('chat: canJoin and canPost', () => {
  let app: INestApplication;
  let wsUrl: string;
  const clients: Array<JsonChatClient | LineChatClient> = [];
  const http = () => request(app.getHttpServer());

  async function json(query = ''): Promise<{ client: JsonChatClient; id: string }> {
    const client = await JsonChatClient.connect(wsUrl, `/chat${query}`);
    clients.push(client);
    const { id } = await client.welcome();
    return { client, id };
  }

  async function line(): Promise<LineChatClient> {
    const client = await LineChatClient.connect(wsUrl);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    ({ app, wsUrl } = await startHost());
  });
  afterAll(() => app.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    policy.textLobbyOpen = true;
    policy.textMayPost = true;
    policy.asked.length = 0;
  });

  describe('on /chat', () => {
    it('refuses a join with error forbidden, asking with an anonymous principal', async () => {
      const { client, id } = await json();
      client.send('join', { room: 'staff', name: 'eve', ref: 'j1' });
      expect(await client.next('error')).toEqual({
        code: 'forbidden',
        message: 'you may not join room "staff"',
        ref: 'j1',
      });
      expect(policy.asked).toEqual([
        {
          hook: 'canJoin',
          principal: {
            anonymous: true,
            id,
            name: expect.stringMatching(/^guest-/),
            address: expect.any(String),
            protocol: 'json',
          },
          room: 'staff',
        },
      ]);
      // Not in the room: its members and history stay out of reach.
      client.send('message', { room: 'staff', text: 'let me in', ref: 'm1' });
      expect(await client.next('error')).toMatchObject({ code: 'not_in_room', ref: 'm1' });
      await http().get('/api/rooms').expect(200).expect([]);
    });

    it('lets the principal of the authorize hook in, and asks with that principal', async () => {
      const { client } = await json('?user=sam&role=staff');
      const joined = await client.join('staff');
      // `you.fromId` is what the principal's messages carry (`you.id` stays the connection id).
      expect(joined).toMatchObject({ room: 'staff', you: { name: 'sam', fromId: 'id-sam' }, members: ['sam'] });
      expect(policy.asked[0]).toEqual({
        hook: 'canJoin',
        principal: { sub: 'id-sam', name: 'sam', role: 'staff' },
        room: 'staff',
      });
    });

    it('refuses a message with error forbidden (async canPost); nobody receives it', async () => {
      const staff = (await json('?user=sam&role=staff')).client;
      const reader = (await json()).client;
      await staff.join('announcements');
      await reader.join('announcements');
      reader.send('message', { room: 'announcements', text: 'fake news', ref: 7 });
      expect(await reader.waitFor('error')).toEqual({
        code: 'forbidden',
        message: 'you may not post in room "announcements"',
        ref: 7,
      });
      staff.send('message', { room: 'announcements', text: 'real news', ref: 8 });
      expect(await reader.waitFor('message')).toMatchObject({ from: 'sam', fromId: 'id-sam', text: 'real news' });
      const seenByStaff = (await staff.sync())
        .filter((frame) => frame.event === 'message')
        .map((frame) => frame.data.text);
      expect(seenByStaff).toEqual(['real news']);
    });

    it('refuses to read the history of a room canJoin refuses', async () => {
      const { client } = await json();
      client.send('history', { room: 'staff', limit: 5, ref: 'h' });
      expect(await client.next('error')).toMatchObject({ code: 'forbidden', ref: 'h' });
      // Allowed rooms are read as members (history needs membership, whatever the hooks say).
      await client.join('open');
      client.send('history', { room: 'open', limit: 5 });
      expect(await client.waitFor('history')).toEqual({ room: 'open', messages: [], earlier: false });
    });
  });

  describe('on / (plain text)', () => {
    it('answers a refused line with an error line and keeps the connection', async () => {
      const watcher = (await json()).client;
      await watcher.join('lobby');
      policy.textMayPost = false;
      const text = await line();
      await text.waitForLine((l) => l.startsWith('Welcome, '), 'the welcome line');
      text.sendText('forged');
      expect(await text.waitForLine((l) => l.startsWith('Error'), 'the error line')).toBe(
        'Error: you may not post in room "lobby"',
      );
      policy.textMayPost = true;
      text.sendText('allowed');
      expect(await watcher.waitFor('message')).toMatchObject({ text: 'allowed' });
      expect(text.socket.readyState).toBe(text.socket.OPEN);
    });

    it('keeps a client canJoin refuses out of the lobby: an error line, then close 1008', async () => {
      policy.textLobbyOpen = false;
      const text = await line();
      expect(await text.nextLine()).toBe('Error: you may not join room "lobby"');
      expect(await within(text.closed, 'the 1008 close')).toEqual({ code: 1008, reason: 'forbidden' });
      expect(policy.asked).toMatchObject([
        { hook: 'canJoin', principal: { anonymous: true, protocol: 'text' }, room: 'lobby' },
      ]);
    });
  });

  describe('on REST', () => {
    it('answers a refused post with 403 and stores nothing', async () => {
      await http()
        .post('/api/rooms/announcements/messages')
        .send({ from: 'eve', text: 'fake news' })
        .expect(403)
        .expect((response) => expect(response.body.message).toBe('you may not post in room "announcements"'));
      expect(policy.asked).toEqual([
        {
          hook: 'canPost',
          principal: {
            anonymous: true,
            id: 'api',
            name: 'eve',
            address: expect.stringMatching(/127\.0\.0\.1/),
            protocol: 'rest',
          },
          room: 'announcements',
        },
      ]);
      const history = await http().get('/api/rooms/announcements/messages').expect(200);
      expect(history.body.map((message: { text: string }) => message.text)).not.toContain('fake news');
    });

    it("posts for the host's principal, with its id as fromId", async () => {
      const response = await http()
        .post('/api/rooms/announcements/messages?user=sam&role=staff')
        .send({ text: 'hello' })
        .expect(201);
      expect(response.body).toMatchObject({ from: 'sam', fromId: 'id-sam', text: 'hello' });
    });

    it('answers 403 to a history read canJoin refuses', async () => {
      await http().get('/api/rooms/staff/messages').expect(403);
      await http().get('/api/rooms/staff/messages?user=sam&role=staff').expect(200).expect([]);
    });
  });
});
