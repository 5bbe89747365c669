import { Logger, type LoggerService } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { ConnectionWatcher } from '../adapter/index.js';
import { clientAddress } from '../http/client-address.js';
import type { WebSocketConnection, WebSocketServer } from '../websocket/index.js';
import { loggablePath, peerOf } from './loggable-path.js';

interface OpenConnection {
  peer: string;
  /** The proxy the connection came through, when the peer is a forwarded address. */
  via: string | undefined;
  path: string;
  openedAt: number;
}

/**
 * One log line when a WebSocket opens (peer, path) and one when it closes (peer, path, close
 * code, duration). Never the query string (tokens travel there), never message content.
 */
export class ConnectionLog implements ConnectionWatcher {
  private readonly open = new Map<WebSocketConnection, OpenConnection>();
  // Shared by every connection (`this` is the connection), not a closure per connection.
  private readonly onConnection: (conn: WebSocketConnection, request: IncomingMessage) => void;
  private readonly onClose: (this: WebSocketConnection, code: number) => void;

  constructor(private readonly logger: LoggerService = new Logger('WebSocket')) {
    const log = this;
    this.onConnection = (conn, request) => log.opened(conn, request);
    this.onClose = function (code) {
      log.closed(this, code);
    };
  }

  /** Logs the connections of `server` from now on. */
  watch(server: WebSocketServer): void {
    server.on('connection', this.onConnection);
  }

  unwatch(server: WebSocketServer): void {
    server.off('connection', this.onConnection);
  }

  /** Connections opened and not closed yet. */
  get openCount(): number {
    return this.open.size;
  }

  private opened(conn: WebSocketConnection, request: IncomingMessage): void {
    const client = clientAddress(request);
    const entry: OpenConnection = {
      peer: peerOf(client.address, client.port),
      via: client.forwarded ? peerOf(client.socketAddress, request.socket.remotePort) : undefined,
      path: loggablePath(request.url),
      openedAt: performance.now(),
    };
    this.open.set(conn, entry);
    // 'close' comes once: `on` spares the wrapper `once` allocates per connection.
    conn.on('close', this.onClose);
    this.logger.log('WebSocket open', fieldsOf(entry));
  }

  private closed(conn: WebSocketConnection, code: number): void {
    const entry = this.open.get(conn);
    if (entry === undefined) return;
    this.open.delete(conn);
    const fields = fieldsOf(entry);
    fields.code = code;
    fields.durationMs = Math.round(performance.now() - entry.openedAt);
    this.logger.log('WebSocket closed', fields);
  }
}

function fieldsOf(entry: OpenConnection): Record<string, string | number> {
  return entry.via === undefined
    ? { peer: entry.peer, path: entry.path }
    : { peer: entry.peer, via: entry.via, path: entry.path };
}
