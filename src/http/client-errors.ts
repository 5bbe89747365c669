import type { Duplex } from 'node:stream';

/** The HTTP answers to requests Node's parser gave up on, as Node itself would send them. */
const ANSWERS: Record<number, string> = {
  400: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  408: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  413: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  431: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
};

/** The status Node answers a client error with (see `socketOnError` in Node's _http_server). */
export function statusOfClientError(error: Error & { code?: string }): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

type ClientSocket = Duplex & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Requests refused by the HTTP layer before the app (or a WebSocket gateway) saw them:
 * headers too large (431), head not complete in time (408), unparsable (400). Counted by
 * status for the metrics; the answer is the one Node gives without a 'clientError' listener.
 */
export class ClientErrorCounter {
  readonly byStatus = new Map<number, number>();

  /** A 'clientError' listener for an http.Server. */
  readonly listener = (error: Error & { code?: string }, socket: ClientSocket): void => {
    // A peer that reset the connection gets no answer and is not a refusal.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusOfClientError(error);
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (!socket._httpMessage?.headersSent) socket.write(ANSWERS[status]);
    socket.destroy();
  };
}
