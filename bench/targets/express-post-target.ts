import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExpressAdapter } from '@nestjs/platform-express';
import { failTarget, serveTarget } from './target-control.js';

interface ExpressApp {
  post(path: string, handler: (request: IncomingMessage & { body?: unknown }, response: ExpressResponse) => void): void;
  (request: IncomingMessage, response: ServerResponse): void;
}

interface ExpressResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * The floor under any REST route of a Nest app on Express, for the rest-publish scenario: Express
 * 5 as Nest's Express adapter sets it up (its JSON and urlencoded body parsers), one POST route
 * on the chat's path answering 201 with a small JSON body, and nothing else: no Nest routing,
 * guards, pipes, validation or headers, nothing stored or delivered.
 */
async function main(): Promise<void> {
  const adapter = new ExpressAdapter();
  adapter.registerParserMiddleware();
  const app = adapter.getInstance<ExpressApp>();
  let next = 0;
  app.post('/api/rooms/:room/messages', (request, response) => {
    const { from, text } = (request.body ?? {}) as { from?: unknown; text?: unknown };
    response.status(201).json({ id: `${Date.now()}-${next++}`, from, text });
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await serveTarget((server.address() as AddressInfo).port);
}

main().catch(failTarget);
