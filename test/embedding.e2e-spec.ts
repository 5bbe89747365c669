import {
  Controller,
  Get,
  Injectable,
  Module,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import request from 'supertest';
import WebSocket from 'ws';
import { ChatModule, InMemoryChatBus, RoomsController } from '../src/chat/index.js';
import { startApp, type ChatApp } from './helpers/chat-app.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';

// ---- an enterprise backend: its own settings, controller, gateway and a global API-key guard ----

const HOST_SETTINGS = Symbol('HOST_SETTINGS');
const API_KEY = 's3cret';
const IS_PUBLIC = 'host:isPublic';
const Public = () => SetMetadata(IS_PUBLIC, true);

@Module({
  providers: [{ provide: HOST_SETTINGS, useValue: { chatHistory: 3, chatTextLimit: 20 } }],
  exports: [HOST_SETTINGS],
})
class HostSettingsModule {}

@Controller()
class HostController {
  @Get()
  @Public()
  home() {
    return { app: 'host' };
  }

  @Get('orders')
  orders() {
    return [{ id: 1 }];
  }
}

@WebSocketGateway({ path: '/notifications' })
class HostGateway {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown) {
    return { event: 'pong', data };
  }
}

/** HTTP routes need the API key unless public; the host lists the chat's REST API as public. */
@Injectable()
class ApiKeyGuard implements CanActivate {
  private static readonly publicControllers: unknown[] = [RoomsController];

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    if (ApiKeyGuard.publicControllers.includes(context.getClass())) return true;
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-api-key'] === API_KEY;
  }
}

const hostBus = new InMemoryChatBus({ historySize: 3 });

@Module({
  imports: [
    HostSettingsModule,
    ChatModule.forRootAsync({
      imports: [HostSettingsModule],
      inject: [HOST_SETTINGS],
      useFactory: (settings: { chatHistory: number; chatTextLimit: number }) => ({
        historySize: settings.chatHistory,
        maxTextLength: settings.chatTextLimit,
        bus: hostBus,
      }),
      // The host serves its own `/` and has no use for the plain-text protocol.
      page: false,
      textProtocol: false,
    }),
  ],
  controllers: [HostController],
  providers: [HostGateway, { provide: APP_GUARD, useClass: ApiKeyGuard }],
})
class HostAppModule {}

describe('chat embedded in another Nest application', () => {
  let server: ChatApp;
  const http = () => request(server.app.getHttpServer());

  beforeAll(async () => {
    server = await startApp([HostAppModule]);
  });
  afterAll(async () => {
    await server.close();
    await hostBus.close();
  });

  it('keeps the host routes and guard working', async () => {
    await http().get('/').expect(200).expect({ app: 'host' });
    await http().get('/orders').expect(403);
    await http()
      .get('/orders')
      .set('x-api-key', API_KEY)
      .expect(200)
      .expect([{ id: 1 }]);
  });

  it('keeps the host gateway working next to the chat', async () => {
    const socket = new WebSocket(`${server.wsUrl}/notifications`);
    const reply = within(
      new Promise<string>((resolve, reject) => {
        socket.once('message', (data: Buffer) => resolve(data.toString()));
        socket.once('error', reject);
      }),
      'the pong of the host gateway',
    );
    await within(new Promise((resolve) => socket.once('open', resolve)), 'the host gateway to accept');
    socket.send(JSON.stringify({ event: 'ping', data: 42 }));
    expect(JSON.parse(await reply)).toEqual({ event: 'pong', data: 42 });
    socket.close();
  });

  it('runs the chat with the options from the host configuration', async () => {
    const ann = await JsonChatClient.connect(server.wsUrl);
    await ann.welcome();
    await ann.join('team', { name: 'ann' });
    ann.send('message', { room: 'team', text: 'this text is longer than twenty', ref: 1 });
    expect(await ann.waitFor('error')).toMatchObject({
      code: 'invalid_payload',
      message: 'text must be a string of 1 to 20 characters',
      ref: 1,
    });
    ann.send('message', { room: 'team', text: 'short', ref: 2 });
    const ack = await ann.waitFor('ack');
    expect(await ann.waitFor('message')).toMatchObject({ id: ack.id, from: 'ann', text: 'short' });
    // The host's bus instance is the one in use.
    expect((await hostBus.history('team', { limit: 10 })).messages.map((m) => m.text)).toEqual(['short']);
    await ann.close();
  });

  it('lets the chat REST API through the host guard, as the host configured', async () => {
    const posted = await http().post('/api/rooms/team/messages').send({ from: 'ci', text: 'build ok' }).expect(201);
    const history = await http().get('/api/rooms/team/messages').expect(200);
    expect(history.body.at(-1)).toEqual(posted.body);
  });

  it('leaves out the parts the host switched off', async () => {
    await http().get('/assets/app.js').expect(404);
    const refused = new WebSocket(`${server.wsUrl}/`);
    const status = await within(
      new Promise<number>((resolve) => {
        refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        refused.once('error', () => resolve(-1));
        refused.once('open', () => resolve(101));
      }),
      'the upgrade to / to be refused',
    );
    expect(status).toBe(404);
  });

  it('does not close a bus the host owns when the application shuts down', async () => {
    const app = await startApp([HostAppModule]);
    await app.close();
    await expect(hostBus.publish({ room: 'after', from: 'x', text: 'still open' })).resolves.toMatchObject({
      text: 'still open',
    });
  });
});
