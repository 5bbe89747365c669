import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Keep-alive connections that hold until the server lets them go, and let go cleanly.
 *
 * - Idle: the server keeps an idle connection `timeoutMs` and announces it on every
 *   keep-alive response as `Keep-Alive: timeout=<whole seconds>` (Node writes the header from
 *   `keepAliveTimeout`, rounded down). Clients that honour the hint drop an idle socket before
 *   the server does (Node's http.Agent given a `timeout`, undici/fetch: a second early), so they
 *   never write a request into a socket the server is closing (the ECONNRESET of a reused
 *   socket, which a POST cannot safely retry).
 * - Shutdown (`drain`): idle connections are closed at once, and every response from then on,
 *   those in flight included, carries `Connection: close`, so no client reuses a socket the
 *   server is about to close.
 */
export class KeepAliveConnections {
  private readonly inFlight = new Set<ServerResponse>();
  /** One listener shared by every response ('close' calls it with the response as `this`). */
  private readonly forget: (this: ServerResponse) => void;
  private draining = false;

  constructor(private readonly timeoutMs: number) {
    const { inFlight } = this;
    this.forget = function (this: ServerResponse) {
      inFlight.delete(this);
    };
  }

  /** Applies the idle timeout to the server (before or after it listens). */
  configure(server: Server): void {
    server.keepAliveTimeout = this.timeoutMs;
  }

  /** Wraps the request handler: responses are tracked until they end, or told to close. */
  wrap<Handler extends (request: IncomingMessage, response: ServerResponse) => void>(handler: Handler) {
    return (request: IncomingMessage, response: ServerResponse): void => {
      if (this.draining) response.setHeader('Connection', 'close');
      else {
        this.inFlight.add(response);
        response.once('close', this.forget);
      }
      handler(request, response);
    };
  }

  /** From now on every response closes its connection; idle connections are closed now. */
  drain(server: Server | undefined): void {
    if (this.draining) return;
    this.draining = true;
    for (const response of this.inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    this.inFlight.clear();
    server?.closeIdleConnections();
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
