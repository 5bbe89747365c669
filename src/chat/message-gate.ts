import { EventEmitter } from 'node:events';
import type { ChatSocket } from './chat-socket.js';

/** Says whether a received frame goes on to the socket's 'message' listeners. */
export type MessageGate = (socket: ChatSocket, data: unknown) => boolean;

const kGate = Symbol('chat.messageGate');
// Only ever called with .apply(socket, ...), never unbound.
// eslint-disable-next-line @typescript-eslint/unbound-method
const inheritedEmit = EventEmitter.prototype.emit;

type GatedSocket = ChatSocket & { emit: typeof inheritedEmit; [kGate]: MessageGate };

/** The `emit` of every gated socket: one shared function, the gate found on the socket. */
function gatedEmit(this: GatedSocket, event: string | symbol, data?: unknown): boolean {
  if (event === 'message' && !this[kGate](this, data)) return false;
  // `arguments`, not a rest parameter: no array per frame (this runs for every frame).
  // eslint-disable-next-line prefer-rest-params
  return inheritedEmit.apply(this, arguments as unknown as [string | symbol, ...unknown[]]);
}

/**
 * Puts `gate` in front of every 'message' listener of `socket`, the adapter's dispatcher
 * included: a frame the gate holds back reaches no handler, so whatever the gate answered
 * is the frame's only answer. A second listener could not do that, since every listener
 * sees every frame. For sockets that emit with EventEmitter's own `emit`, as ours and `ws`'s
 * (platform-ws) do.
 */
export function gateMessages(socket: ChatSocket, gate: MessageGate): void {
  const gated = socket as GatedSocket;
  if (gated.emit !== inheritedEmit)
    throw new TypeError('the chat gates sockets that use EventEmitter.prototype.emit only');
  gated[kGate] = gate;
  gated.emit = gatedEmit as typeof inheritedEmit;
}
