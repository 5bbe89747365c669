import type { Subscription } from 'rxjs';
import { RedisChatBus, type RedisChatBusOptions } from '../../src/chat/bus/redis/redis-chat-bus.js';
import type { ChatEvent, ChatMessage, PresenceNotice } from '../../src/chat/index.js';
import { RedisConnections, type RedisConnectionOptions } from '../../src/infrastructure/index.js';
import { within } from './chat-clients.js';

/**
 * One instance's Redis bus, on connections of its own, recording every event it delivers so a
 * test can await them (bounded) instead of sleeping.
 */
export class BusNode {
  readonly events: ChatEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly subscription: Subscription;

  private constructor(
    readonly name: string,
    readonly connections: RedisConnections,
    readonly bus: RedisChatBus,
  ) {
    this.subscription = bus.events$.subscribe((event) => {
      this.events.push(event);
      for (const wake of this.waiters) wake();
    });
  }

  static async start(
    url: string,
    name: string,
    options: RedisChatBusOptions,
    connection: Omit<RedisConnectionOptions, 'url'> = {},
  ): Promise<BusNode> {
    const connections = new RedisConnections({ url, connectionName: `${options.prefix ?? ''}${name}`, ...connection });
    const node = new BusNode(name, connections, new RedisChatBus(connections, { node: name, ...options }));
    await within(node.bus.ready(), `bus node ${name} to be ready`, 5000);
    return node;
  }

  messages(room: string): ChatMessage[] {
    const messages: ChatMessage[] = [];
    for (const event of this.events) if (event.type === 'message' && event.message.room === room) messages.push(event.message);
    return messages;
  }

  presence(room: string): PresenceNotice[] {
    const notices: PresenceNotice[] = [];
    for (const event of this.events) if (event.type === 'presence' && event.presence.room === room) notices.push(event.presence);
    return notices;
  }

  /** Resolves once `condition` holds for the events delivered so far. */
  until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    let wake!: () => void;
    const reached = new Promise<void>((resolve) => {
      wake = () => {
        if (condition()) resolve();
      };
      this.waiters.add(wake);
    });
    return within(reached, `${this.name}: ${what}`, ms).finally(() => this.waiters.delete(wake));
  }

  async close(): Promise<void> {
    await this.bus.close();
    this.subscription.unsubscribe();
    await this.connections.close();
  }
}
