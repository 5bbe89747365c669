import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule } from '../src/chat/index.js';
import { clientAddressResolver } from '../src/http/index.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, within, type Closed } from './helpers/chat-clients.js';

const FORWARDED = '198.51.100.7';

/** `?user=<sub>:<name>` stands in for the host's authentication; without it, anonymous. */
function userOf(url: string | undefined): { sub: string; name: string } | undefined {
  const user = new URL(url ?? '/', 'http://host').searchParams.get('user');
  if (user === null) return undefined;
  const [sub, name] = user.split(':');
  return { sub, name };
}

/** A plain-text client sent through a proxy that says the client is FORWARDED. */
class ForwardedLineClient {
  readonly lines: string[] = [];
  readonly closed: Promise<Closed>;
  private readonly socket: WebSocket;
  private wake: (() => void) | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(url, { headers: { 'X-Forwarded-For': FORWARDED } });
    this.socket.on('message', (data: Buffer) => {
      this.lines.push(data.toString('utf8'));
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Waits until a received line matches. */
  async line(accept: (line: string) => boolean, what: string): Promise<string> {
    const found = () => this.lines.find(accept);
    await within(
      (async () => {
        while (found() === undefined) await new Promise<void>((resolve) => (this.wake = resolve));
      })(),
      what,
    );
    return found()!;
  }

  send(text: string): void {
    this.socket.send(text);
  }

  close(): void {
    this.socket.close();
  }
}

describe('one name per person in a room', () => {
  let chat: ChatApp;
  const clients: JsonChatClient[] = [];
  const lineClients: ForwardedLineClient[] = [];

  beforeAll(async () => {
    chat = await startApp(
      [ChatModule.forRoot({ rateLimit: false })],
      (app) =>
        new Rfc6455Adapter(app, {
          authorize: (request: IncomingMessage) => userOf(request.url) ?? true,
          // Behind one trusted proxy: plain-text clients are named by the forwarded address alone.
          resolveClientAddress: clientAddressResolver(1),
        }),
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const client of lineClients.splice(0)) client.close();
  });
  afterAll(() => chat.close());

  async function connect(query = ''): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(chat.wsUrl, `/chat${query}`);
    clients.push(client);
    await client.welcome();
    return client;
  }

  function lineClient(): ForwardedLineClient {
    const client = new ForwardedLineClient(`${chat.wsUrl}/`);
    lineClients.push(client);
    return client;
  }

  it('refuses a join under a name another anonymous connection holds in the room, with name_taken', async () => {
    const ann = await connect();
    await ann.join('names-1', { name: 'ann' });
    const other = await connect();
    other.send('join', { room: 'names-1', name: 'ann' });
    const error = await other.next('error');
    expect(error).toEqual({
      code: 'name_taken',
      message: 'the name "ann" is taken in room "names-1" by someone else; choose another',
    });
    // The refused join announced nothing: ann saw only her own join.
    expect((await ann.sync()).map((frame) => [frame.event, frame.data.name])).toEqual([['presence', 'ann']]);
    // Another name gets in; the refused one was not taken up meanwhile.
    const joined = await other.join('names-1', { name: 'annie' });
    expect(joined).toMatchObject({ you: { name: 'annie' }, members: ['ann', 'annie'] });
  });

  it('refuses a nick to a name taken in one of its rooms, and allows it once the holder left', async () => {
    const ann = await connect();
    await ann.join('names-2', { name: 'ann' });
    const bob = await connect();
    await bob.join('names-2', { name: 'bob' });
    await bob.join('names-2b', { name: 'bob' });
    bob.send('nick', { name: 'ann' });
    expect(await bob.waitFor('error')).toMatchObject({
      code: 'name_taken',
      message: expect.stringContaining('"names-2"'),
    });
    bob.send('message', { room: 'names-2b', text: 'still bob', ref: 1 });
    expect(await bob.waitFor('message')).toMatchObject({ from: 'bob', text: 'still bob' });

    ann.send('leave', { room: 'names-2' });
    await bob.waitFor('presence', (presence) => presence.event === 'leave' && presence.name === 'ann');
    bob.send('nick', { name: 'ann' });
    bob.send('message', { room: 'names-2', text: 'now ann', ref: 2 });
    expect(await bob.waitFor('message')).toMatchObject({ from: 'ann', text: 'now ann' });
  });

  it('lets one authenticated user hold its name from two connections, and no other user', async () => {
    const firstTab = await connect('?user=u-1:Ann');
    const secondTab = await connect('?user=u-1:Ann');
    await firstTab.join('names-3');
    const joined = await secondTab.join('names-3');
    expect(joined).toMatchObject({ you: { name: 'Ann', fromId: 'u-1' }, members: ['Ann', 'Ann'], count: 2 });

    const impostor = await connect('?user=u-2:Ann');
    impostor.send('join', { room: 'names-3' });
    expect(await impostor.next('error')).toMatchObject({ code: 'name_taken' });
    // Its name comes from its token: it cannot pick another, but it can be in other rooms.
    expect(await impostor.join('names-3-elsewhere')).toMatchObject({ you: { name: 'Ann' } });
  });

  it('lets plain-text clients of one address (one name) share the lobby on /', async () => {
    const first = lineClient();
    await first.line((line) => line === `Welcome, ${FORWARDED} !`, 'the first welcome');
    const second = lineClient();
    await second.line((line) => line === `Welcome, ${FORWARDED} !`, 'the second welcome');
    second.send('both here');
    for (const client of [first, second]) {
      await client.line((line) => line.endsWith(`${FORWARDED} say: both here`), 'the line on both connections');
    }
  });

  it('closes a plain-text client whose address a member of another identity holds as its name, with a line', async () => {
    // A host's authorize may name a user anything, an address too.
    const holder = await connect(`?user=u-9:${FORWARDED}`);
    await holder.join('lobby');
    const refused = lineClient();
    const line = await refused.line((text) => text.startsWith('Error:'), 'the refusal line');
    expect(line).toBe(`Error: the name "${FORWARDED}" is taken in room "lobby" by someone else; choose another`);
    expect(await within(refused.closed, 'the close')).toEqual({ code: 1008, reason: 'name_taken' });
  });
});
