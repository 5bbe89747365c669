import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { Rfc6455Adapter } from '../../src/adapter/index.js';
import { ChatModule } from '../../src/chat/chat.module.js';
import type { ChatModuleOptions } from '../../src/chat/chat-options.js';

export interface RunningChat {
  /** `http://127.0.0.1:<port>`: the page is at `/`, the socket at `/chat`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** The real chat module on our own WebSocket adapter, on 127.0.0.1 and a free port. */
export async function startChatApp(options: ChatModuleOptions = {}): Promise<RunningChat> {
  const moduleRef = await Test.createTestingModule({ imports: [ChatModule.forRoot(options)] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new Rfc6455Adapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => (closing ??= app.close()),
  };
}
