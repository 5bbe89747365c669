import { Controller, Get, Module, type LoggerService, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { WebSocketGateway } from '@nestjs/websockets';
import { ChatModule } from '../src/chat/index.js';
import { EchoModule } from '../src/echo/echo.module.js';

/** Keeps the error lines; the rest is dropped. */
class ErrorLines implements LoggerService {
  readonly errors: string[] = [];
  error(message: unknown, ...rest: unknown[]): void {
    this.errors.push([message, ...rest].map(String).join(' '));
  }
  log(): void {}
  warn(): void {}
  debug(): void {}
  verbose(): void {}
}

@Controller()
class HostController {
  @Get()
  home() {
    return { app: 'host' };
  }

  @Get('api/rooms')
  rooms() {
    return ['the host has rooms too'];
  }

  @Get('orders')
  orders() {
    return [];
  }
}

async function bootWith(imports: ModuleMetadata['imports'], prefix?: string) {
  @Module({ imports, controllers: [HostController] })
  class HostAppModule {}
  const logger = new ErrorLines();
  const app = await NestFactory.create(HostAppModule, { logger });
  if (prefix !== undefined) app.setGlobalPrefix(prefix);
  app.useWebSocketAdapter(new Rfc6455Adapter(app));
  await app.init();
  return { app, logger };
}

describe('host routes in the way of the chat', () => {
  it('are reported at start, naming the host handler and the chat handler they hide', async () => {
    const { app, logger } = await bootWith([ChatModule.forRoot({ textProtocol: false })], 'v1');
    try {
      // The host registered first and wins: the report is what tells the user.
      await request(app.getHttpServer()).get('/v1').expect(200).expect({ app: 'host' });
      const collisions = logger.errors.filter((line) => line.includes('Route collision'));
      expect(collisions).toHaveLength(2);
      expect(collisions[0]).toContain('GET /v1 (HostController.home) of the host');
      expect(collisions[0]).toContain("ChatModule's GET /v1 (PageController.page)");
      expect(collisions[1]).toContain('GET /v1/api/rooms (HostController.rooms) of the host');
      expect(collisions[1]).toContain("ChatModule's GET /v1/api/rooms (RoomsController.list)");
      expect(collisions[1]).toContain('CHAT_REST_PREFIX');
    } finally {
      await app.close();
    }
  });

  it('are not reported once the chat is moved out of their way', async () => {
    const chat = ChatModule.forRoot({ textProtocol: false, paths: { page: '/chat-ui', rest: '/chat-api' } });
    const { app, logger } = await bootWith([chat]);
    try {
      expect(logger.errors).toEqual([]);
      await request(app.getHttpServer()).get('/').expect(200).expect({ app: 'host' });
      await request(app.getHttpServer())
        .get('/chat-ui/')
        .expect(200)
        .expect('Content-Type', /text\/html/);
      await request(app.getHttpServer()).get('/chat-api/rooms').expect(200).expect([]);
    } finally {
      await app.close();
    }
  });
});

@WebSocketGateway({ path: '/chat' })
class HostChatGateway {}

describe('WebSocket paths given to two gateways', () => {
  async function creationError(imports: ModuleMetadata['imports'], providers: ModuleMetadata['providers'] = []) {
    @Module({ imports, providers })
    class HostAppModule {}
    return NestFactory.create(HostAppModule, { logger: false, abortOnError: false }).then(
      async (app) => {
        await app.close();
        return 'created';
      },
      (error: Error) => error.message,
    );
  }

  it('stop the start when the chat and the echo share a path, naming both', async () => {
    const chat = ChatModule.forRoot({ paths: { json: ['/chat', '/live'] } });
    expect(await creationError([chat, EchoModule.forRoot({ paths: 'live/' })])).toBe(
      'WebSocket path "/live" is served by both JsonChatGateway and EchoGateway: give each its own path',
    );
  });

  it('stop the start when a host gateway takes a path of the chat, naming both', async () => {
    expect(await creationError([ChatModule.forRoot()], [HostChatGateway])).toMatch(
      /WebSocket path "\/chat" is served by both (HostChatGateway and JsonChatGateway|JsonChatGateway and HostChatGateway)/,
    );
  });

  it('let the start go on when every gateway has its own path', async () => {
    expect(await creationError([ChatModule.forRoot(), EchoModule.forRoot({ paths: '/live' })])).toBe('created');
  });
});
