import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import * as http from 'node:http';
import * as https from 'node:https';
import { ClientErrorCounter } from './client-errors.js';
import { httpServerOptions, type HttpLimits } from './http-limits.js';
import { KeepAliveConnections } from './keep-alive.js';

export interface LimitedHttpOptions extends HttpLimits {
  /** How long an idle keep-alive connection is kept (and announced as `Keep-Alive: timeout`). Default 65000. */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

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
 * forceCloseConnections). Its keep-alive connections hold and close cleanly (keep-alive.ts).
 */
export class LimitedExpressAdapter extends ExpressAdapter {
  readonly clientErrors = new ClientErrorCounter();
  private readonly keepAlive: KeepAliveConnections;

  constructor(private readonly limits: LimitedHttpOptions) {
    super();
    this.keepAlive = new KeepAliveConnections(limits.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS);
    // Express announces itself on every response; nothing needs to know.
    this.getInstance<{ disable(setting: string): unknown }>().disable('x-powered-by');
  }

  override initHttpServer(options: NestApplicationOptions): void {
    const serverOptions = httpServerOptions(this.limits);
    const handler = this.keepAlive.wrap(this.getInstance<http.RequestListener>());
    const server = options?.httpsOptions
      ? https.createServer({ ...options.httpsOptions, ...serverOptions }, handler)
      : http.createServer(serverOptions, handler);
    server.on('clientError', this.clientErrors.listener);
    this.keepAlive.configure(server);
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

  /**
   * The start of Nest's shutdown (before the WebSocket servers close their clients): idle
   * keep-alive connections are closed now and every response from here on says
   * `Connection: close`, so no client writes its next request into a closing socket.
   */
  override beforeClose(): void {
    super.beforeClose();
    this.keepAlive.drain(this.httpServer);
  }
}
