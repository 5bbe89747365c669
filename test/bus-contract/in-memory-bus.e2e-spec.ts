import { inMemoryBusDriver } from '../../src/chat/bus/drivers/in-memory-bus.module.js';
import type { ChatBus } from '../../src/chat/index.js';
import { describeChatBusContract } from './chat-bus.contract.js';

describeChatBusContract('the in-memory bus', {
  instances: 1,
  truncation: 'exact',
  presence: false,
  openStore: async () => {
    let bus: ChatBus | undefined;
    return {
      open: async (options, rooms) => {
        if (bus !== undefined) throw new Error('the in-memory bus serves one instance');
        bus = inMemoryBusDriver.createBus(options, rooms);
        return bus;
      },
      close: async () => {
        await bus?.close?.();
      },
    };
  },
});
