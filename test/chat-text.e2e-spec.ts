import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';

const LINE = /^\d\d:\d\d:\d\d (.+?) say: (.*)$/s;

/** The line a message makes, written here rather than by the code under test: local HH:MM:SS. */
const lineOf = (message: { at: string }, from: string, text: string): string =>
  `${new Date(message.at).toTimeString().slice(0, 8)} ${from} say: ${text}`;

describe('chat: plain-text protocol on /', () => {
  let server: ChatApp;
  const clients: Array<JsonChatClient | LineChatClient> = [];

  async function lineClient(): Promise<LineChatClient> {
    const client = await LineChatClient.connect(server.wsUrl);
    clients.push(client);
    return client;
  }

  async function jsonClient(name: string): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(server.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join('lobby', { name });
    return client;
  }

  beforeEach(async () => {
    server = await startChatApp({ rateLimit: false, historySize: 5 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('names a newcomer by its address and welcomes it to everyone in the lobby', async () => {
    const first = await lineClient();
    expect(await first.nextLine()).toBe(`Welcome, ${first.localName} !`);
    expect(first.localName).toMatch(/^127\.0\.0\.1:\d+$/);
    const watcher = await jsonClient('watcher');
    await watcher.next('presence');
    // A /chat client joining the lobby is greeted like everyone else.
    expect(await first.nextLine()).toBe('Welcome, watcher !');
    const second = await lineClient();
    expect(await second.nextLine()).toBe(`Welcome, ${second.localName} !`);
    expect(await first.nextLine()).toBe(`Welcome, ${second.localName} !`);
    expect(await watcher.next('presence')).toEqual({
      room: 'lobby',
      name: second.localName,
      event: 'join',
      members: [first.localName, 'watcher', second.localName],
      count: 3,
    });
  });

  it('sends each line to everyone in the lobby, as lines and as message events', async () => {
    const speaker = await lineClient();
    await speaker.nextLine();
    const listener = await lineClient();
    await listener.nextLine();
    await speaker.nextLine();
    const watcher = await jsonClient('watcher');
    await watcher.next('presence');
    await speaker.nextLine();
    await listener.nextLine();

    speaker.sendText('hello <there> & everyone');
    const event = await watcher.next('message');
    expect(event).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      room: 'lobby',
      from: speaker.localName,
      // The speaker's connection id: two plain-text clients never share one.
      fromId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      text: 'hello <there> & everyone',
      at: expect.any(String),
    });
    // Lines escape HTML by default (CHAT_TEXT_ESCAPE_HTML); the JSON protocol keeps it verbatim.
    const expected = lineOf(event, speaker.localName, 'hello &lt;there&gt; &amp; everyone');
    expect(expected).toMatch(LINE);
    expect(await speaker.nextLine()).toBe(expected);
    expect(await listener.nextLine()).toBe(expected);
  });

  it('shows /chat lobby messages to plain-text clients as lines', async () => {
    const lines = await lineClient();
    await lines.nextLine();
    const ann = await jsonClient('ann');
    await lines.nextLine(); // Welcome, ann !
    ann.send('message', { room: 'lobby', text: 'from json' });
    const stored = await ann.waitFor('message');
    expect(await lines.nextLine()).toBe(lineOf(stored, 'ann', 'from json'));
    expect(stored.from).toBe('ann');
  });

  it('does not show other rooms to plain-text clients', async () => {
    const lines = await lineClient();
    await lines.nextLine();
    const ann = await JsonChatClient.connect(server.wsUrl);
    clients.push(ann);
    await ann.welcome();
    await ann.join('elsewhere', { name: 'ann' });
    ann.send('message', { room: 'elsewhere', text: 'not for the lobby' });
    await ann.waitFor('message');
    const probe = await jsonClient('probe');
    // The next line is the probe's welcome: nothing from `elsewhere` came before it.
    expect(await lines.nextLine()).toBe('Welcome, probe !');
    await probe.close();
  });

  it('gives a newcomer the recent lines of the lobby first', async () => {
    const ann = await jsonClient('ann');
    const sent = [];
    for (const text of ['one', 'two', 'three']) {
      ann.send('message', { room: 'lobby', text });
      sent.push(await ann.waitFor('message', (m) => m.text === text));
    }
    const late = await lineClient();
    expect([await late.nextLine(), await late.nextLine(), await late.nextLine()]).toEqual([
      lineOf(sent[0], 'ann', 'one'),
      lineOf(sent[1], 'ann', 'two'),
      lineOf(sent[2], 'ann', 'three'),
    ]);
    expect(await late.nextLine()).toBe(`Welcome, ${late.localName} !`);
  });

  it('on quit, tells everyone the client logged out and closes with 1000', async () => {
    const leaver = await lineClient();
    await leaver.nextLine();
    const stayer = await lineClient();
    await stayer.nextLine();
    await leaver.nextLine();
    const watcher = await jsonClient('watcher');
    await leaver.nextLine();
    await stayer.nextLine();
    await watcher.next('presence');

    leaver.sendText('quit');
    const logout = `${leaver.localName} say: ${leaver.localName} Logout`;
    const leaverLine = await leaver.nextLine('the logout line');
    expect(leaverLine).toMatch(LINE);
    expect(leaverLine.slice(9)).toBe(logout);
    expect((await stayer.nextLine('the logout line')).slice(9)).toBe(logout);
    expect(await leaver.closed).toEqual({ code: 1000, reason: '' });
    expect(await watcher.waitFor('presence')).toMatchObject({ name: leaver.localName, event: 'leave' });
    expect(await watcher.waitFor('message')).toMatchObject({
      from: leaver.localName,
      text: `${leaver.localName} Logout`,
    });
  });

  it("escapes HTML's special characters in names and text, history replay included", async () => {
    const ann = await jsonClient('<b>ann</b>');
    ann.send('message', { room: 'lobby', text: '<img src=x onerror=alert(1)>' });
    await ann.waitFor('message');
    const late = await lineClient();
    expect((await late.nextLine('the history line')).slice(9)).toBe(
      '&lt;b&gt;ann&lt;/b&gt; say: &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(await late.nextLine()).toBe(`Welcome, ${late.localName} !`);
    const renamed = await jsonClient("o'neil & co");
    await renamed.next('presence');
    expect(await late.nextLine()).toBe('Welcome, o&#39;neil &amp; co !');
  });

  it('sends raw text with textEscapeHtml: false, for terminal clients', async () => {
    await server.close();
    server = await startChatApp({ rateLimit: false, textEscapeHtml: false });
    const ann = await jsonClient('<ann>');
    const lines = await lineClient();
    await lines.nextLine();
    ann.send('message', { room: 'lobby', text: 'a < b && c' });
    expect((await lines.nextLine()).slice(9)).toBe('<ann> say: a < b && c');
  });

  it('closes with 1003 on a binary frame', async () => {
    const client = await lineClient();
    await client.nextLine();
    client.socket.send(Buffer.from([1, 2, 3]));
    expect((await client.closed).code).toBe(1003);
  });
});
