import { FrameScreen, MAX_FRAME_DEPTH } from './frame-screen.js';

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

describe('FrameScreen depth limit', () => {
  const deep = (depth: number) => '{"event":"message","data":' + '['.repeat(depth) + ']'.repeat(depth) + '}';

  it('answers a known event nested too deep with invalid_payload, fast path or not', () => {
    expect(check(deep(500_000))).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringMatching(/at most 9 deep/),
    });
    expect(check(deep(MAX_FRAME_DEPTH))).toMatchObject({ code: 'invalid_payload' });
    expect(check('{"data":' + '{"a":'.repeat(20) + '1' + '}'.repeat(20) + ',"event":"join"}')).toMatchObject({
      code: 'invalid_payload',
    });
  });

  it('lets through a known event at the deepest allowed nesting', () => {
    expect(check(deep(MAX_FRAME_DEPTH - 1))).toBeNull();
    expect(check('{"event":"message","data":{"room":"r","text":"[[[[[[[[[[[[[[[["}}')).toBeNull();
  });
});
