import { messageOf } from './tornado-chat.gateway.js';

describe('messageOf (a frame of the Tornado chat room page)', () => {
  const frame = (text: string) => Buffer.from(text);

  it("reads the page's {uid, message}", () => {
    expect(messageOf(frame(JSON.stringify({ uid: 'u-1', message: 'hi <there>' })))).toBe('hi <there>');
    expect(messageOf(frame('{"message":""}'))).toBe('');
  });

  it('finds nothing in a frame that is not JSON, not an object, or has no string message', () => {
    for (const text of ['hello', '{"uid":"u"', '"message"', '["message"]', 'null', '{"uid":"u"}', '{"message":5}']) {
      expect(messageOf(frame(text))).toBeUndefined();
    }
  });
});
