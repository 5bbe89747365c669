import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError } from './chat-error.js';
import { lobbyRefusal, postRefusal } from './lobby-refusals.js';

describe('lobbyRefusal', () => {
  it('closes a client kept out of the lobby with 1008, and one the chat cannot take now with 1013', () => {
    expect(lobbyRefusal(new ChatError('forbidden', 'not you'))).toEqual({
      text: 'not you',
      code: 1008,
      reason: 'forbidden',
    });
    expect(lobbyRefusal(new ChatError('name_taken', 'taken'))).toEqual({
      text: 'taken',
      code: 1008,
      reason: 'name_taken',
    });
    expect(lobbyRefusal(new ChatBusUnavailableError('join', new Error('down')))).toEqual({
      text: 'the chat is temporarily unavailable, try again shortly',
      code: 1013,
      reason: 'chat unavailable',
    });
  });

  it('leaves any other error to the caller', () => {
    expect(lobbyRefusal(new ChatError('too_many_rooms', 'full'))).toBeUndefined();
    expect(lobbyRefusal(new Error('bug'))).toBeUndefined();
  });
});

describe('postRefusal', () => {
  it('tells the sender why its message was not posted', () => {
    expect(postRefusal(new ChatError('forbidden', 'read only'))).toBe('read only');
    expect(postRefusal(new ChatError('too_many_rooms', 'full'))).toBe('full');
    expect(postRefusal(new ChatBusUnavailableError('post', new Error('down')))).toBe(
      'the chat is temporarily unavailable, try again shortly',
    );
    expect(postRefusal(new ChatBusUnavailableError('post', new Error('timed out'), true))).toBe(
      'the chat did not answer in time; your line may still appear',
    );
  });

  it('says nothing about a message that raced its own close, and leaves other errors to the caller', () => {
    expect(postRefusal(new ChatError('not_in_room', 'gone'))).toBeNull();
    expect(postRefusal(new Error('bug'))).toBeUndefined();
  });
});
