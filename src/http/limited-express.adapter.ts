import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import * as http from 'node:http';
import * as https from 'node:https';
import { ClientErrorCounter } from './client-errors.js';
import { httpServerOptions, type HttpLimits } from './http-limits.js';

/** ExpressAdapter's private helpers this subclass relies on (present in Nest 10 to 12). */
interface ExpressAdapterInternals {
  isShuttingDown: boolean;
  trackOpenConnections(): void;
}

/**
 * Nest's Express adapter with an HTTP server created with our limits: header size (431),
 * request head timeout checked often enough to be precise (408, slowloris), and a count of
 * what the HTTP layer refused. Node only takes `maxHeaderSize` at server creation, so the
 * server cannot be adjusted after ExpressAdapter has made it; this creates it instead, and
 * keeps the rest of what ExpressAdapter.initHttpServer does (https, return503OnClosing,
 * forceCloseConnections).
 */
export class LimitedExpressAdapter extends ExpressAdapter {
  readonly clientErrors = new ClientErrorCounter();

  constructor(private readonly limits: HttpLimits) {
    super();
    // Express announces itself on every response; nothing needs to know.
    this.getInstance<{ disable(setting: string): unknown }>().disable('x-powered-by');
  }

  override initHttpServer(options: NestApplicationOptions): void {
    const serverOptions = httpServerOptions(this.limits);
    const handler = this.getInstance<http.RequestListener>();
    const server = options?.httpsOptions
      ? https.createServer({ ...options.httpsOptions, ...serverOptions }, handler)
      : http.createServer(serverOptions, handler);
    server.on('clientError', this.clientErrors.listener);
    this.httpServer = server;
    const internals = this as unknown as ExpressAdapterInternals;
    if (options?.return503OnClosing) {
      this.use((_req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
        if (!internals.isShuttingDown) return next();
        res.setHeader('Connection', 'close');
        res.statusCode = 503;
        res.end('Service Unavailable');
      });
    }
    if (options?.forceCloseConnections) internals.trackOpenConnections();
  }
}
