import type { PreparedFrame } from '../websocket/index.js';

export type ProtocolKind = 'json' | 'text' | 'tornado';

/** `WebSocket.OPEN` in `ws`, the browser and our own connection class. */
export const SOCKET_OPEN = 1;

/**
 * The part of a connection the chat uses: the `ws` surface that both `@nestjs/platform-ws`
 * and our adapter hand to gateways, plus `sendFrame` when the connection is one of ours.
 */
export interface ChatSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (this: ChatSocket, data: unknown, isBinary: boolean) => void): unknown;
  /** Writes bytes framed once for many recipients (our adapter only). */
  sendFrame?(frame: PreparedFrame): void;
  /** Lowers the largest message the connection accepts (our adapter only). */
  setMaxPayload?(bytes: number): void;
  /** What the adapter's `authorize` hook accepted the upgrade with (our adapter only). */
  principal?: unknown;
}

/** Sends one event of the JSON protocol to one client, if it can still receive. */
export function sendEvent(socket: ChatSocket, event: string, data: unknown): void {
  if (socket.readyState === SOCKET_OPEN) socket.send(JSON.stringify({ event, data }));
}

/** A received frame as a Buffer (`ws` may hand over an ArrayBuffer or fragments by option). */
export function frameBytes(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return Buffer.from(String(data));
}

/** The chat name an authenticated principal carries (`name`, else `sub`), if any. */
export function principalName(principal: unknown): string | undefined {
  if (typeof principal !== 'object' || principal === null) return undefined;
  const { name, sub } = principal as { name?: unknown; sub?: unknown };
  if (typeof name === 'string' && name !== '') return name;
  if (typeof sub === 'string' && sub !== '') return sub;
  return undefined;
}
