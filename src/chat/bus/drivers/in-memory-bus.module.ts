import { Module, type DynamicModule } from '@nestjs/common';
import { InMemoryChatBus } from '../in-memory-chat-bus.js';
import { CHAT_BUS_DRIVER, type ChatBusDriver } from './chat-bus-driver.js';

/** The bus of a single instance (InMemoryChatBus), sized by the chat module's options. */
export const inMemoryBusDriver: ChatBusDriver = {
  name: 'memory',
  createBus: (options, rooms) =>
    new InMemoryChatBus({
      historySize: options.historySize,
      maxRooms: options.maxRooms,
      roomMinIdleMs: options.roomMinIdleMs,
      idempotency: options.idempotency,
      isOccupied: (room) => rooms.isOccupied(room),
    }),
  healthChecks: [],
};

/**
 * The in-memory bus driver (`BUS=memory`): one instance, history in memory, nothing to connect
 * to, nothing for /health to check. It is also what ChatModule uses without any bus module.
 * Global, like RedisBusModule, so that a ChatModule anywhere in the application finds it.
 */
@Module({})
export class InMemoryBusModule {
  static forRoot(): DynamicModule {
    return {
      module: InMemoryBusModule,
      global: true,
      providers: [{ provide: CHAT_BUS_DRIVER, useValue: inMemoryBusDriver }],
      exports: [CHAT_BUS_DRIVER],
    };
  }
}
