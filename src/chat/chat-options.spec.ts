import { maxLineBytes, resolveChatOptions } from './chat-options.js';

describe('chat frame limits', () => {
  it('sizes the JSON frame limit for the longest text with every character escaped', () => {
    expect(resolveChatOptions().maxFrameBytes).toBe(6 * 2000 + 2048);
    expect(resolveChatOptions({ maxTextLength: 100 }).maxFrameBytes).toBe(6 * 100 + 2048);
    const longest = JSON.stringify({
      event: 'message',
      data: { room: 'r'.repeat(64), text: '\u0001'.repeat(2000), ref: 'x'.repeat(64) },
    });
    expect(Buffer.byteLength(longest)).toBeLessThanOrEqual(resolveChatOptions().maxFrameBytes);
  });

  it('takes an explicit maxFrameBytes and refuses a bad one', () => {
    expect(resolveChatOptions({ maxFrameBytes: 4096 }).maxFrameBytes).toBe(4096);
    expect(() => resolveChatOptions({ maxFrameBytes: 0 })).toThrow(/maxFrameBytes/);
    expect(() => resolveChatOptions({ maxFrameBytes: 1.5 })).toThrow(/maxFrameBytes/);
  });

  it('limits plain-text lines to 3 bytes per character and 1 KiB, never above the frame limit', () => {
    expect(maxLineBytes(resolveChatOptions())).toBe(3 * 2000 + 1024);
    expect(Buffer.byteLength('\u{1f600}'.repeat(1000))).toBeLessThanOrEqual(maxLineBytes(resolveChatOptions()));
    expect(maxLineBytes(resolveChatOptions({ maxFrameBytes: 1000 }))).toBe(1000);
  });
});
