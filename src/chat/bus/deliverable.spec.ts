import { assertDeliverable, undeliverableDraft } from './deliverable.js';
import { InMemoryChatBus } from './in-memory-chat-bus.js';

describe('deliverable drafts', () => {
  it('are strings of well-formed Unicode in room, from and text', () => {
    expect(undeliverableDraft({ room: 'r', from: 'ann', text: 'hi\n😀 \u202e' })).toBeNull();
    expect(undeliverableDraft({ room: 'r', from: null as unknown as string, text: 'x' })).toBe(
      'from is not a string of well-formed Unicode',
    );
    expect(undeliverableDraft({ room: 'r', from: 'a', text: 42 as unknown as string })).toBe(
      'text is not a string of well-formed Unicode',
    );
    expect(undeliverableDraft({ room: 'r', from: 'a', text: 'half \udfff' })).toBe(
      'text is not a string of well-formed Unicode',
    );
    expect(() => assertDeliverable({ room: undefined as unknown as string, from: 'a', text: 'x' })).toThrow(
      'the chat bus cannot carry this message: room is not a string of well-formed Unicode',
    );
  });

  it('are all the in-memory bus stores: a refused draft leaves no history behind', async () => {
    const bus = new InMemoryChatBus();
    await expect(bus.publish({ room: 'r', from: null as unknown as string, text: 'x' })).rejects.toThrow(TypeError);
    expect((await bus.history('r', { limit: 10 })).messages).toEqual([]);
    await bus.close();
  });
});
