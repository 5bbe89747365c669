import {
  Controller,
  Get,
  Injectable,
  Module,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import request from 'supertest';
import { ChatModule, type ChatModuleOptions } from '../src/chat/index.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, LineChatClient } from './helpers/chat-clients.js';

// Host global guards written for HTTP (README "Embed it in your Nest app", guard patterns).

const API_KEY = 'k-123';
const hasApiKey = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-api-key'] === API_KEY;

@Controller('orders')
class OrdersController {
  @Get()
  list() {
    return [{ id: 7 }];
  }
}

/** Pattern (a): the guard only judges HTTP requests; it records the context types it saw. */
@Injectable()
class HttpOnlyGuard implements CanActivate {
  static readonly seenTypes = new Set<string>();

  canActivate(context: ExecutionContext): boolean {
    HttpOnlyGuard.seenTypes.add(context.getType());
    if (context.getType() !== 'http') return true;
    return hasApiKey(context);
  }
}

/** Pattern (b): everything needs the API key unless marked with the host's @Public(). */
function publicMarkerGuard(marker: string): Type<CanActivate> {
  @Injectable()
  class PublicMarkerGuard implements CanActivate {
    constructor(private readonly reflector: Reflector) {}

    canActivate(context: ExecutionContext): boolean {
      if (this.reflector.getAllAndOverride<boolean>(marker, [context.getHandler(), context.getClass()])) return true;
      // Written for HTTP only: on a WebSocket context this reads `headers` of the socket.
      return hasApiKey(context);
    }
  }
  return PublicMarkerGuard;
}

function hostModule(guard: Type<CanActivate>, chat: ChatModuleOptions): Type {
  @Module({
    imports: [ChatModule.forRoot(chat)],
    controllers: [OrdersController],
    providers: [Reflector, { provide: APP_GUARD, useClass: guard }],
  })
  class HostModule {}
  return HostModule;
}

async function chatRoundTrip(server: ChatApp, room: string): Promise<void> {
  const ann = await JsonChatClient.connect(server.wsUrl);
  await ann.welcome();
  await ann.join(room, { name: 'ann' });
  ann.send('message', { room, text: 'hello host', ref: 1 });
  const ack = await ann.waitFor('ack');
  expect(await ann.waitFor('message')).toMatchObject({ id: ack.id, from: 'ann', text: 'hello host' });
  await ann.close();
}

async function lineRoundTrip(server: ChatApp): Promise<void> {
  const bob = await LineChatClient.connect(server.wsUrl);
  bob.sendText('a line through the guard');
  await bob.waitForLine((line) => line.endsWith('say: a line through the guard'), 'the line echoed to the lobby');
  await bob.close();
}

describe('a host global guard that checks context.getType()', () => {
  let server: ChatApp;
  const http = () => request(server.app.getHttpServer());

  beforeAll(async () => {
    server = await startApp([hostModule(HttpOnlyGuard, {})]);
  });
  afterAll(() => server.close());

  it('sees the chat gateway as a "ws" context and lets chat traffic through', async () => {
    await chatRoundTrip(server, 'guard-type');
    expect([...HttpOnlyGuard.seenTypes].sort()).toEqual(['ws']);
    await lineRoundTrip(server);
  });

  it('still guards HTTP: the chat REST API and the host routes need the key', async () => {
    await http().post('/api/rooms/guard-type/messages').send({ from: 'ci', text: 'no key' }).expect(403);
    await http()
      .post('/api/rooms/guard-type/messages')
      .set('x-api-key', API_KEY)
      .send({ from: 'ci', text: 'key' })
      .expect(201);
    await http().get('/orders').expect(403);
    expect([...HttpOnlyGuard.seenTypes].sort()).toEqual(['http', 'ws']);
  });
});

describe('a host global guard that reads a @Public() marker through Reflector', () => {
  const IS_PUBLIC = 'host:isPublic';
  let server: ChatApp;
  const http = () => request(server.app.getHttpServer());

  beforeAll(async () => {
    server = await startApp([
      hostModule(publicMarkerGuard(IS_PUBLIC), { publicMetadata: { key: IS_PUBLIC, value: true } }),
    ]);
  });
  afterAll(() => server.close());

  it('lets the JSON and plain-text protocols through when the chat carries the marker', async () => {
    await chatRoundTrip(server, 'guard-public');
    await lineRoundTrip(server);
  });

  it('lets the REST API and the page through, and keeps the host routes guarded', async () => {
    const posted = await http()
      .post('/api/rooms/guard-public/messages')
      .send({ from: 'ci', text: 'public' })
      .expect(201);
    expect(posted.body).toMatchObject({ room: 'guard-public', from: 'ci', text: 'public' });
    await http().get('/api/rooms/guard-public/messages').expect(200);
    await http()
      .get('/')
      .expect(200)
      .expect('content-type', /text\/html/);
    await http().get('/orders').expect(403);
    await http()
      .get('/orders')
      .set('x-api-key', API_KEY)
      .expect(200)
      .expect([{ id: 7 }]);
  });
});

describe('the same Reflector guard without publicMetadata (what the option prevents)', () => {
  const OTHER_MARKER = 'host:isOpen';
  let server: ChatApp;

  beforeAll(async () => {
    server = await startApp([hostModule(publicMarkerGuard(OTHER_MARKER), {})]);
  });
  afterAll(() => server.close());

  it('turns chat requests into internal_error and REST into 403', async () => {
    const ann = await JsonChatClient.connect(server.wsUrl);
    await ann.welcome();
    ann.send('join', { room: 'guard-none', name: 'ann', ref: 1 });
    expect(await ann.waitFor('error')).toMatchObject({ code: 'internal_error' });
    await ann.close();
    await request(server.app.getHttpServer())
      .post('/api/rooms/guard-none/messages')
      .send({ from: 'ci', text: 'x' })
      .expect(403);
  });
});
