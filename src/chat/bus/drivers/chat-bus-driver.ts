import type { DependencyCheck } from '../../../health/dependency-check.js';
import type { ResolvedChatOptions } from '../../chat-options.js';
import type { ChatBus } from '../chat-bus.js';

/** Injection token of the bus driver a bus module provides (InMemoryBusModule, RedisBusModule). */
export const CHAT_BUS_DRIVER = Symbol('CHAT_BUS_DRIVER');

/** What the chat module tells a driver about its rooms when it asks for a bus. */
export interface ChatRoomState {
  /** Whether the room has members on this instance now (their rooms' history is never dropped). */
  isOccupied(room: string): boolean;
}

/**
 * One kind of bus with what it runs on: `createBus` makes the bus of a chat module (which
 * closes it on shutdown), sized by the module's resolved options; `healthChecks` are the
 * dependencies /health reports while this bus is in use (none for the in-memory bus).
 *
 * A new driver (NATS, Redis Cluster) implements this, is provided by a module of its own next to
 * InMemoryBusModule and RedisBusModule, and passes the contract suite
 * (test/bus-contract/chat-bus.contract.ts).
 */
export interface ChatBusDriver {
  /** The BUS value that selects it: `memory`, `redis`. */
  readonly name: string;
  createBus(options: ResolvedChatOptions, rooms: ChatRoomState): ChatBus;
  readonly healthChecks: readonly DependencyCheck[];
}
