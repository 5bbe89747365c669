import { FrameScreen } from './frame-screen.js';

const screen = new FrameScreen(['join', 'message', 'leave']);
const check = (text: string) => screen.check(Buffer.from(text));

describe('FrameScreen', () => {
  it('lets known events through, whatever the key order or spacing', () => {
    expect(check('{"event":"join","data":{"room":"lobby"}}')).toBeNull();
    expect(check('{"event":"leave"}')).toBeNull();
    expect(check('{"data":{"room":"x"},"event":"message"}')).toBeNull();
    expect(check('{ "event" : "join" , "data" : 1 }')).toBeNull();
  });

  it('does not mistake an event whose name starts like a known one', () => {
    expect(check('{"event":"joined","data":{}}')).toMatchObject({ code: 'unknown_event' });
    expect(check('{"event":"join\\u0000","data":{}}')).toMatchObject({ code: 'unknown_event' });
  });

  it('answers unknown events with unknown_event and the ref of the request', () => {
    expect(check('{"event":"dance","data":{"ref":7}}')).toEqual({
      code: 'unknown_event',
      message: 'unknown event "dance"; expected one of join, message, leave',
      ref: 7,
    });
    expect(check('{"event":"dance","data":{"ref":{"no":1}}}')).not.toHaveProperty('ref');
  });

  it('answers frames that are not {event: string} objects with invalid_payload', () => {
    for (const text of ['', 'hello', '{"event":', '[]', '"join"', 'null', '42', '{"event":42}', '{"data":{}}']) {
      expect(check(text)).toMatchObject({ code: 'invalid_payload' });
    }
  });
});
