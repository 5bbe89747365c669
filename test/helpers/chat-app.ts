import type { DynamicModule, INestApplication, Type, WebSocketAdapter } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { Rfc6455Adapter } from '../../src/adapter/index.js';
import { ChatModule, type ChatModuleOptions } from '../../src/chat/index.js';

/** The WebSocket adapter every chat end-to-end test runs on (the one `npm start` uses). */
export function createChatAdapter(app: INestApplication): WebSocketAdapter {
  return new Rfc6455Adapter(app);
}

export interface ChatApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  close(): Promise<void>;
}

/** Boots a Nest app of the given modules on 127.0.0.1, port 0, with the chat's adapter. */
export async function startApp(
  imports: Array<Type | DynamicModule>,
  createAdapter: (app: INestApplication) => WebSocketAdapter = createChatAdapter,
): Promise<ChatApp> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  app.useWebSocketAdapter(createAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    app,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => (closing ??= app.close()),
  };
}

/** An app with nothing but `ChatModule.forRoot(options)`. */
export function startChatApp(options: ChatModuleOptions = {}): Promise<ChatApp> {
  return startApp([ChatModule.forRoot(options)]);
}
