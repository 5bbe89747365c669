import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { chatLine } from '../src/chat/text-lines.js';
import { messageFragment } from '../src/chat/tornado-fragments.js';
import { startChatApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, LineChatClient, TornadoChatClient } from './helpers/chat-clients.js';
import { eventually } from './helpers/waiting.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const XSS = '<img src=x onerror=alert(1)>';

/** The chat name a uid gets under the default name limit of 32: its hex digits. */
const nameOf = (uid: string) => uid.replace(/-/g, '');

describe('chat: Tornado chat room protocol on /tornado', () => {
  let server: ChatApp;
  const clients: Array<JsonChatClient | LineChatClient | TornadoChatClient> = [];

  async function tornado(): Promise<{ client: TornadoChatClient; uid: string }> {
    const client = await TornadoChatClient.connect(server.wsUrl);
    clients.push(client);
    const uid = await client.nextFrame('the uid');
    return { client, uid };
  }

  async function json(name: string): Promise<JsonChatClient> {
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
    jest.restoreAllMocks();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('sends a fresh uid first, and the lobby sees the client under a name made of it', async () => {
    const watcher = await json('watcher');
    const first = await tornado();
    const second = await tornado();
    expect(first.uid).toMatch(UUID);
    expect(second.uid).toMatch(UUID);
    expect(second.uid).not.toBe(first.uid);
    const joins = () => watcher.waitFor('presence', (p) => p.event === 'join' && p.name !== 'watcher');
    expect(await joins()).toMatchObject({ name: nameOf(first.uid) });
    expect(await joins()).toMatchObject({ name: nameOf(second.uid) });
  });

  it('gives a newcomer the uid, then the lobby history one fragment per message, escaped', async () => {
    const ann = await json('ann');
    const sent = [];
    for (const text of ['one', XSS]) {
      ann.send('message', { room: 'lobby', text });
      sent.push(await ann.waitFor('message', (m) => m.text === text));
    }
    const client = await TornadoChatClient.connect(server.wsUrl);
    clients.push(client);
    expect(await client.nextFrame('the uid')).toMatch(UUID);
    expect(await client.nextFrame('the first message of the history')).toBe(
      '<div class="message"><b>ann</b>: one</div>',
    );
    expect(await client.nextFrame('the second message of the history')).toBe(
      '<div class="message"><b>ann</b>: &lt;img src=x onerror=alert(1)&gt;</div>',
    );
    // Nothing else: presence is not part of this protocol.
    ann.send('message', { room: 'lobby', text: 'live' });
    expect(await client.nextFrame('the live message')).toBe(messageFragment({ from: 'ann', text: 'live' }));
  });

  it("shares the lobby: a Tornado client's message reaches all three protocols, from its own uid", async () => {
    const watcher = await json('watcher');
    const lines = await LineChatClient.connect(server.wsUrl);
    clients.push(lines);
    const speaker = await tornado();
    const listener = await tornado();
    // The uid claimed in the frame is not believed: the server knows whose connection it is.
    speaker.client.say(listener.uid, 'hello <all> & "you"');
    const stored = await watcher.waitFor('message');
    expect(stored).toMatchObject({
      room: 'lobby',
      from: nameOf(speaker.uid),
      fromId: speaker.uid,
      text: 'hello <all> & "you"',
    });
    const fragment = `<div class="message"><b>${nameOf(speaker.uid)}</b>: hello &lt;all&gt; &amp; &quot;you&quot;</div>`;
    expect(await speaker.client.nextFrame('its own message')).toBe(fragment);
    expect(await listener.client.nextFrame('the message')).toBe(fragment);
    expect(await lines.waitForLine((line) => line.includes(' say: '), 'the line')).toBe(chatLine(stored));
  });

  it('shows /chat and plain-text users their messages as fragments', async () => {
    const { client } = await tornado();
    const ann = await json('ann');
    const lines = await LineChatClient.connect(server.wsUrl);
    clients.push(lines);
    ann.send('message', { room: 'lobby', text: XSS });
    expect(await client.nextFrame('the /chat message')).toBe(messageFragment({ from: 'ann', text: XSS }));
    lines.sendText('from a terminal');
    expect(await client.nextFrame('the line')).toBe(
      messageFragment({ from: lines.localName, text: 'from a terminal' }),
    );
  });

  it('ignores a frame that is not JSON {uid, message}, logging a warning, and keeps the connection', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const watcher = await json('watcher');
    const { client, uid } = await tornado();
    for (const frame of ['not json', '{"uid":"x"}', '{"uid":"x","message":42}', '[1,2]']) client.sendText(frame);
    await eventually(
      () => warn.mock.calls.filter(([text]) => String(text).includes('not JSON with a string "message"')).length === 4,
      'four warnings',
    );
    client.say(uid, 'still here');
    // The first message the lobby sees is this one: nothing was posted for the frames before.
    expect(await watcher.waitFor('message')).toMatchObject({ text: 'still here', from: nameOf(uid) });
    expect(await client.nextFrame('its message')).toBe(messageFragment({ from: nameOf(uid), text: 'still here' }));
  });

  it('posts nothing for an empty message (the page sends its empty input too)', async () => {
    const watcher = await json('watcher');
    const { client, uid } = await tornado();
    client.say(uid, '');
    client.say(uid, '   ');
    client.say(uid, 'after');
    expect(await watcher.waitFor('message')).toMatchObject({ text: 'after' });
  });

  it('tells the sender, with an error fragment, about a message longer than the limit', async () => {
    await server.close();
    server = await startChatApp({ rateLimit: false, maxTextLength: 10 });
    const { client, uid } = await tornado();
    client.say(uid, 'x'.repeat(11));
    expect(await client.nextFrame('the error')).toBe(
      '<div class="error">Error: a message can be at most 10 characters</div>',
    );
    client.say(uid, 'x'.repeat(10));
    expect(await client.nextFrame('the message')).toContain(': xxxxxxxxxx</div>');
  });

  it('applies the rate limit of the other protocols', async () => {
    await server.close();
    server = await startChatApp({ rateLimit: { burst: 2, perSecond: 0.001, closeAfter: 2 } });
    const { client, uid } = await tornado();
    for (const text of ['a', 'b', 'c']) client.say(uid, text);
    const frames = [await client.nextFrame(), await client.nextFrame(), await client.nextFrame()];
    expect(frames).toContainEqual('<div class="error">Error: too many messages, slow down</div>');
    expect(frames.filter((frame) => frame.startsWith('<div class="message">'))).toHaveLength(2);
    // Refused past closeAfter in a row: a flood, closed with 1008 as on /chat and /.
    for (const text of ['d', 'e']) client.say(uid, text);
    expect((await client.closed).code).toBe(1008);
  });

  it('leaves the lobby when the page closes, and closes with 1003 on a binary frame', async () => {
    const watcher = await json('watcher');
    const { client, uid } = await tornado();
    await watcher.waitFor('presence', (p) => p.event === 'join' && p.name === nameOf(uid));
    client.socket.send(Buffer.from([1, 2, 3]));
    expect((await client.closed).code).toBe(1003);
    expect(await watcher.waitFor('presence', (p) => p.event === 'leave')).toMatchObject({ name: nameOf(uid) });
  });
});

describe('chat: Tornado protocol options', () => {
  it('names a client by its whole uid when names may be 36 characters long', async () => {
    const server = await startChatApp({ maxNameLength: 40 });
    const client = await TornadoChatClient.connect(server.wsUrl);
    try {
      const uid = await client.nextFrame('the uid');
      client.say(uid, 'hi');
      expect(await client.nextFrame('its message')).toBe(messageFragment({ from: uid, text: 'hi' }));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('is not served with tornadoProtocol: false', async () => {
    const server = await startChatApp({ tornadoProtocol: false });
    try {
      await expect(TornadoChatClient.connect(server.wsUrl)).rejects.toThrow('404');
    } finally {
      await server.close();
    }
  });
});
