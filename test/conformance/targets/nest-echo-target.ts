import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { Rfc6455Adapter, type Rfc6455AdapterOptions } from '../../../src/adapter/index.js';
import { EchoModule } from '../../../src/echo/echo.module.js';
import type { ConformanceTarget } from './target.js';

/** The product: the /echo gateway in a Nest app on our own adapter (default options unless given). */
export async function startNestEchoTarget(options?: Rfc6455AdapterOptions): Promise<ConformanceTarget> {
  const moduleRef = await Test.createTestingModule({ imports: [EchoModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new Rfc6455Adapter(app, options));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { port, path: '/echo', stop: () => app.close() };
}
