import { Controller, Get, Module, type LoggerService, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { Rfc6455Adapter } from '../src/adapter/index.js';
import { ChatModule } from '../src/chat/index.js';

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
      await request(app.getHttpServer()).get('/chat-ui/').expect(200).expect('Content-Type', /text\/html/);
      await request(app.getHttpServer()).get('/chat-api/rooms').expect(200).expect([]);
    } finally {
      await app.close();
    }
  });
});
