import type { INestApplication, Type, WebSocketAdapter } from '@nestjs/common';
import type { ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { wsBaseUrl } from './adapter-ports.js';

export type AdapterFactory = (app: INestApplication) => WebSocketAdapter;

export interface RunningApp {
  app: INestApplication;
  /** `ws://127.0.0.1:<port>` of the app's HTTP server. */
  baseUrl: string;
  get<T>(token: Type<T>): T;
  close(): Promise<void>;
}

/**
 * Boots a Nest app with the given modules and WebSocket adapter on
 * 127.0.0.1, port 0. `close()` is idempotent so a test may close early.
 */
export async function startApp(metadata: ModuleMetadata, createAdapter: AdapterFactory): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(createAdapter(app));
  await app.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    app,
    baseUrl: wsBaseUrl(app.getHttpServer()),
    get: (token) => app.get(token),
    close: () => (closing ??= app.close()),
  };
}
