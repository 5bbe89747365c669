import type { SubscriptionListener } from '../../../infrastructure/redis/redis-subscription.js';
import { RedisConnections } from '../../../infrastructure/index.js';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../../../test/helpers/redis-availability.js';
import { BusEventLog } from '../../../../test/helpers/bus-event-log.js';
import { within } from '../../../../test/helpers/waiting.js';
import type { ChatMessage } from '../chat-events.js';
import { RedisChatBus, type ChatBusSubscription } from './redis-chat-bus.js';
import { RedisKeys } from './redis-keys.js';

/**
 * The events channel driven by hand: the test decides when the feed is up, when it drops and
 * what arrives on it. Everything else (streams, presence, scripts) is the real Redis.
 */
class HandFedChannel implements ChatBusSubscription {
  isActive = false;
  private listener: SubscriptionListener | undefined;
  private readonly firstSubscribed: Promise<void>;
  private resolveFirst!: () => void;

  constructor(readonly channel: string) {
    this.firstSubscribed = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  attach(channel: string, listener: SubscriptionListener): ChatBusSubscription {
    expect(channel).toBe(this.channel);
    this.listener = listener;
    return this;
  }

  ready(): Promise<void> {
    return this.firstSubscribed;
  }

  async close(): Promise<void> {
    this.isActive = false;
  }

  up(resumed: boolean): void {
    this.isActive = true;
    this.listener!.subscribed(resumed);
    this.resolveFirst();
  }

  down(): void {
    this.isActive = false;
    this.listener!.interrupted();
  }

  /** An envelope as the publish scripts put it on the channel. */
  message(message: Pick<ChatMessage, 'id' | 'room' | 'from' | 'text'>): void {
    const { id, room, from, text } = message;
    this.listener!.message(JSON.stringify({ id, v: 1, type: 'message', node: 'other', room, from, fromId: '', text }));
  }

  presence(room: string, name: string, event: 'join' | 'leave', members: string[]): void {
    this.listener!.message(
      JSON.stringify({ v: 1, type: 'presence', node: 'other', room, name, event, count: members.length, members }),
    );
  }
}

/** The id right after `id` within the same millisecond: newer than anything stored so far. */
function nextId(id: string): string {
  const [ms, sequence] = id.split('-');
  return `${ms}-${Number(sequence) + 1}`;
}

describeWithRedis('RedisChatBus with a hand-fed events channel', () => {
  let prefix: string;
  let connections: RedisConnections;
  let feed: HandFedChannel;
  let bus: RedisChatBus;
  let log: BusEventLog;

  beforeEach(async () => {
    prefix = uniquePrefix('bus-feed');
    connections = new RedisConnections({ url: TEST_REDIS_URL, connectionName: `${prefix}unit` });
    feed = new HandFedChannel(new RedisKeys(prefix, false).sharedChannel());
    bus = new RedisChatBus(
      { commands: connections.commands, subscribe: (channel, listener) => feed.attach(channel, listener) },
      { prefix, node: 'here' },
    );
    log = new BusEventLog('here', bus);
    feed.up(false);
    await within(bus.ready(), 'the bus to be ready', 5000);
    await bus.presence.enter('lobby', { id: 'c1', name: 'ann' });
  });

  afterEach(async () => {
    await bus.close();
    log.stop();
    await connections.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('delivers what arrives during the catch-up after the messages it reads, each once, in order', async () => {
    feed.down();
    const missed = await bus.publish({ room: 'lobby', from: 'bob', text: 'missed' });
    feed.up(true);
    // Arriving while the missed messages are read: the feed's copy of the missed message, a
    // presence notice (never in a stream) and a message newer than anything the read finds.
    feed.message(missed);
    feed.presence('lobby', 'bob', 'leave', ['ann']);
    feed.message({ id: nextId(missed.id), room: 'lobby', from: 'cy', text: 'after the read' });
    await within(bus.ready(), 'the catch-up', 5000);
    expect(log.timeline('lobby')).toEqual(['missed', 'bob leave', 'after the read']);
    expect(bus.recoveredMessages).toBe(1);
  });

  it('keeps holding when the feed drops again during the catch-up, and loses nothing once it is back', async () => {
    feed.down();
    await bus.publish({ room: 'lobby', from: 'bob', text: 'first outage' });
    feed.up(true);
    feed.presence('lobby', 'bob', 'join', ['ann', 'bob']);
    feed.down();
    await log.until(() => log.events.length === 2, 'the first catch-up', 5000);
    const second = await bus.publish({ room: 'lobby', from: 'bob', text: 'second outage' });
    feed.up(true);
    feed.message({ id: nextId(second.id), room: 'lobby', from: 'cy', text: 'after the second read' });
    await within(bus.ready(), 'the second catch-up', 5000);
    expect(log.timeline('lobby')).toEqual(['first outage', 'bob join', 'second outage', 'after the second read']);
  });
});
