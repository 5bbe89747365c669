import { RedisChatBus, type RedisChatBusOptions } from '../../src/chat/bus/redis/redis-chat-bus.js';
import type { ChatMessage, PresenceNotice } from '../../src/chat/index.js';
import { RedisConnections, type RedisConnectionOptions } from '../../src/infrastructure/index.js';
import { BusEventLog } from './bus-event-log.js';
import { within } from './chat-clients.js';

/**
 * One instance's Redis bus, on connections of its own, recording every event it delivers so a
 * test can await them (bounded) instead of sleeping.
 */
export class BusNode {
  private readonly log: BusEventLog;

  private constructor(
    readonly name: string,
    readonly connections: RedisConnections,
    readonly bus: RedisChatBus,
  ) {
    this.log = new BusEventLog(name, bus);
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

  get events() {
    return this.log.events;
  }

  messages(room: string): ChatMessage[] {
    return this.log.messages(room);
  }

  presence(room: string): PresenceNotice[] {
    return this.log.presence(room);
  }

  /** Resolves once `condition` holds for the events delivered so far. */
  until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
    return this.log.until(condition, what, ms);
  }

  async close(): Promise<void> {
    await this.bus.close();
    this.log.stop();
    await this.connections.close();
  }
}
