import request from 'supertest';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory.js';
import { JsonChatClient, LineChatClient, TornadoChatClient, within } from './helpers/chat-clients.js';
import { ChatModule } from '../src/chat/index.js';
import { EchoModule } from '../src/echo/echo.module.js';
import { startApp } from './helpers/chat-app.js';
import { firstJsonMessage, startService, upgradeOutcome, type ServiceApp } from './helpers/service-app.js';

const PATHS = {
  CHAT_JSON_PATHS: '/live,/ws/chat',
  CHAT_TEXT_PATHS: '/plain',
  CHAT_TORNADO_PATHS: '/room,/tornado-chat',
  ECHO_PATHS: '/mirror,/chatsocket',
  CHAT_REST_PREFIX: '/rest/v2',
  CHAT_PAGE_PATH: '/ui',
};

function echoOnce(url: string, text: string): Promise<string> {
  const socket = new WebSocket(url);
  const reply = new Promise<string>((resolve, reject) => {
    socket.once('open', () => socket.send(text));
    socket.once('message', (data: Buffer) => resolve(data.toString('utf8')));
    socket.once('error', reject);
  });
  return within(reply, `the echo on ${url}`).finally(() => socket.close());
}

describe('the service on paths from the environment', () => {
  let service: ServiceApp;
  const clients: Array<JsonChatClient | LineChatClient | TornadoChatClient> = [];
  const http = () => request(service.app.getHttpServer());

  beforeAll(async () => {
    service = await startService(PATHS);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await service.close();
  });

  it('speaks the JSON protocol on every path of CHAT_JSON_PATHS, all in the same rooms', async () => {
    const ann = await JsonChatClient.connect(service.wsUrl, '/live');
    const bob = await JsonChatClient.connect(service.wsUrl, '/ws/chat/');
    clients.push(ann, bob);
    await ann.welcome();
    await bob.welcome();
    await ann.join('general', { name: 'ann' });
    await bob.join('general', { name: 'bob' });
    ann.send('message', { room: 'general', text: 'hello from /live', ref: 'r1' });
    const seen = await bob.waitFor('message', (message) => message.text === 'hello from /live');
    expect(seen).toMatchObject({ room: 'general', from: 'ann' });
    // The EVENTS screen and the handlers work on the second path too.
    bob.send('shout', {});
    expect(await bob.waitFor('error')).toMatchObject({ code: 'unknown_event' });
  });

  it('speaks the plain-text protocol on CHAT_TEXT_PATHS, in the lobby of the JSON protocol', async () => {
    const line = await LineChatClient.connect(service.wsUrl, '/plain');
    const json = await JsonChatClient.connect(service.wsUrl, '/live');
    clients.push(line, json);
    await json.welcome();
    await json.join('lobby', { name: 'jo' });
    line.sendText('hi from a terminal');
    const seen = await json.waitFor('message', (message) => message.text === 'hi from a terminal');
    expect(seen.room).toBe('lobby');
  });

  it('speaks the Tornado protocol on every path of CHAT_TORNADO_PATHS, in the same lobby', async () => {
    const json = await JsonChatClient.connect(service.wsUrl, '/live');
    const first = await TornadoChatClient.connect(service.wsUrl, '/room');
    const second = await TornadoChatClient.connect(service.wsUrl, '/tornado-chat');
    clients.push(json, first, second);
    await json.welcome();
    await json.join('lobby', { name: 'jo' });
    const uid = await first.nextFrame('the uid');
    await second.nextFrame('the uid');
    first.say(uid, 'hi from the Tornado page');
    expect(await json.waitFor('message')).toMatchObject({ text: 'hi from the Tornado page', fromId: uid });
    expect(await second.nextMatching((frame) => frame.includes('hi from the Tornado page'), 'the fragment')).toMatch(
      /^<div class="message">/,
    );
  });

  it('echoes on every path of ECHO_PATHS', async () => {
    expect(await echoOnce(`${service.wsUrl}/mirror`, 'one')).toBe('one');
    expect(await echoOnce(`${service.wsUrl}/chatsocket`, 'two')).toBe('two');
  });

  it('no longer upgrades the default paths', async () => {
    for (const path of ['/chat', '/', '/tornado', '/echo']) {
      await expect(upgradeOutcome(`${service.wsUrl}${path}`)).resolves.toBe(404);
    }
  });

  it('serves the REST API under CHAT_REST_PREFIX only', async () => {
    await http().get('/rest/v2/rooms').expect(200);
    await http().post('/rest/v2/rooms/news/messages').send({ from: 'ops', text: 'deployed' }).expect(201);
    const history = await http().get('/rest/v2/rooms/news/messages').expect(200);
    expect(history.body).toEqual([expect.objectContaining({ from: 'ops', text: 'deployed' })]);
    await http().get('/api/rooms').expect(404);
  });

  it('serves the page at CHAT_PAGE_PATH, pointing to the socket and the API relative to itself', async () => {
    await http().get('/ui').expect(301).expect('Location', './ui/');
    await http().get('/ui?x=1').expect(301).expect('Location', './ui/?x=1');
    const page = await http()
      .get('/ui/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<meta name="chat-socket" content="../live">');
    expect(page.text).toContain('<meta name="chat-rooms" content="../rest/v2/rooms">');
    expect(page.text).toContain('src="assets/app.js"');
    expect(page.text).not.toMatch(/(src|href)="\/(?!\/)/);
    await http()
      .get('/ui/assets/app.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await http().get('/assets/app.js').expect(404);
  });
});

describe('paths in conflict', () => {
  it('stop the start, naming both variables', async () => {
    await expect(
      createApp({ CHAT_JSON_PATHS: '/chat,/live', ECHO_PATHS: '/live/' }, { logger: false }),
    ).rejects.toThrow('path "/live" is given to both CHAT_JSON_PATHS and ECHO_PATHS');
    await expect(createApp({ CHAT_TORNADO_PATHS: '/chat' }, { logger: false })).rejects.toThrow(
      'path "/chat" is given to both CHAT_JSON_PATHS and CHAT_TORNADO_PATHS',
    );
    await expect(createApp({ CHAT_TORNADO_PATHS: '/x,/echo' }, { logger: false })).rejects.toThrow(
      'path "/echo" is given to both CHAT_TORNADO_PATHS and ECHO_PATHS',
    );
  });

  it("stop a host app whose own gateway takes the Tornado protocol's path, naming both gateways", async () => {
    await expect(
      startApp([ChatModule.forRoot({ paths: { tornado: '/mirror' } }), EchoModule.forRoot({ paths: '/mirror' })]),
    ).rejects.toThrow('WebSocket path "/mirror" is served by both TornadoChatGateway and EchoGateway');
  });
});

describe("the tutorial pages' paths", () => {
  it('serve the Tornado protocol on /chat with the JSON protocol moved, and the echo on /chatsocket', async () => {
    const service = await startService({
      CHAT_TORNADO_PATHS: '/chat',
      CHAT_JSON_PATHS: '/json',
      ECHO_PATHS: '/chatsocket',
    });
    try {
      const page = await TornadoChatClient.connect(service.wsUrl, '/chat');
      expect(await page.nextFrame('the uid')).toMatch(/^[0-9a-f-]{36}$/);
      await page.close();
      expect(await firstJsonMessage(`${service.wsUrl}/json`)).toMatchObject({ event: 'welcome' });
      expect(await echoOnce(`${service.wsUrl}/chatsocket`, 'ping')).toBe('ping');
    } finally {
      await service.close();
    }
  });
});
