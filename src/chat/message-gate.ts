import type { ChatSocket } from './chat-socket.js';

/** Says whether a received frame goes on to the socket's 'message' listeners. */
export type MessageGate = (socket: ChatSocket, data: unknown) => boolean;

const kGate = Symbol('chat.messageGate');

type Emitter = { emit(event: string | symbol, ...args: unknown[]): boolean };
type GatedSocket = ChatSocket & Emitter & { [kGate]: MessageGate };

/** The `emit` of every gated socket: one shared function, the gate found on the socket. */
function gatedEmit(this: GatedSocket, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'message' && !this[kGate](this, args[0])) return false;
  return (Object.getPrototypeOf(this) as Emitter).emit.call(this, event, ...args);
}

/**
 * Puts `gate` in front of every 'message' listener of `socket`, the adapter's dispatcher
 * included: a frame the gate holds back reaches no handler, so whatever the gate answered
 * is the frame's only answer. A second listener could not do that, since every listener
 * sees every frame. Works with any EventEmitter socket (ours, or `ws` under platform-ws).
 */
export function gateMessages(socket: ChatSocket, gate: MessageGate): void {
  const gated = socket as GatedSocket;
  gated[kGate] = gate;
  gated.emit = gatedEmit;
}
