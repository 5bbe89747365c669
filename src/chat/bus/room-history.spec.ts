import type { ChatMessage } from './chat-events.js';
import { RoomHistory } from './room-history.js';

function message(n: number): ChatMessage {
  return { id: `${n}-0`, room: 'r', from: 'a', fromId: 'a-id', text: `m${n}`, at: new Date(n).toISOString() };
}

function filled(capacity: number, count: number): RoomHistory {
  const history = new RoomHistory(capacity, '0-0');
  for (let n = 1; n <= count; n++) history.append(message(n));
  return history;
}

const texts = (messages: ChatMessage[]): string[] => messages.map((m) => m.text);

describe('RoomHistory', () => {
  it('keeps the newest `capacity` messages, oldest first', () => {
    const history = filled(3, 5);
    expect(history.size).toBe(3);
    expect(texts(history.page({ limit: 10 }).messages)).toEqual(['m3', 'm4', 'm5']);
    expect(history.newest?.text).toBe('m5');
  });

  it('finds a message it still holds by id, and none it dropped or never had', () => {
    const history = filled(3, 5);
    expect(history.find('4-0')?.text).toBe('m4');
    expect(history.find('5-0')?.text).toBe('m5');
    expect(history.find('2-0')).toBeUndefined();
    expect(history.find('4-1')).toBeUndefined();
    expect(history.find('9-0')).toBeUndefined();
  });

  it('gives the newest `limit` without since', () => {
    expect(texts(filled(10, 6).page({ limit: 2 }).messages)).toEqual(['m5', 'm6']);
  });

  it('gives the first `limit` messages after since, oldest first', () => {
    const history = filled(10, 6);
    expect(texts(history.page({ since: '2-0', limit: 10 }).messages)).toEqual(['m3', 'm4', 'm5', 'm6']);
    expect(texts(history.page({ since: '2-0', limit: 2 }).messages)).toEqual(['m3', 'm4']);
    expect(texts(history.page({ since: '6-0', limit: 10 }).messages)).toEqual([]);
    // An id between two stored ones (e.g. from another room) still finds its place.
    expect(texts(history.page({ since: '3-5', limit: 10 }).messages)).toEqual(['m4', 'm5', 'm6']);
  });

  it('gives the newest `limit` messages before `before`', () => {
    const history = filled(10, 6);
    expect(texts(history.page({ before: '5-0', limit: 2 }).messages)).toEqual(['m3', 'm4']);
    expect(texts(history.page({ before: '1-0', limit: 2 }).messages)).toEqual([]);
    expect(texts(history.page({ since: '1-0', before: '5-0', limit: 10 }).messages)).toEqual(['m2', 'm3', 'm4']);
  });

  it('reports truncated only when messages after since were dropped', () => {
    const history = filled(3, 5); // m1 and m2 dropped
    expect(history.page({ since: '1-0', limit: 10 })).toEqual({
      messages: [message(3), message(4), message(5)],
      truncated: true,
    });
    expect(history.page({ since: '2-0', limit: 10 }).truncated).toBe(false);
    expect(history.page({ since: '4-0', limit: 10 }).truncated).toBe(false);
    expect(history.page({ limit: 10 }).truncated).toBe(false);
  });

  it('treats ids older than its starting horizon as truncated', () => {
    const history = new RoomHistory(5, '100-0');
    history.append(message(101));
    expect(history.page({ since: '50-0', limit: 10 }).truncated).toBe(true);
    expect(history.page({ since: '100-0', limit: 10 }).truncated).toBe(false);
  });

  it('stays ordered through many wrap-arounds of the ring', () => {
    const history = filled(7, 1000);
    expect(texts(history.page({ limit: 7 }).messages)).toEqual([
      'm994',
      'm995',
      'm996',
      'm997',
      'm998',
      'm999',
      'm1000',
    ]);
    expect(texts(history.page({ since: '996-0', limit: 2 }).messages)).toEqual(['m997', 'm998']);
    expect(texts(history.page({ before: '996-0', limit: 5 }).messages)).toEqual(['m994', 'm995']);
  });
});
