import { chatLine, clockTime, logoutText, peerName, welcomeLine } from './text-lines.js';

describe('plain-text lines', () => {
  it('formats a chat line with the local time of the message', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5).toISOString(); // 03:04:05 local time
    expect(chatLine({ at, from: '10.0.0.7:5000', text: 'hello <world>' })).toBe('03:04:05 10.0.0.7:5000 say: hello <world>');
  });

  it('pads every clock field to two digits', () => {
    expect(clockTime(new Date(2024, 5, 6, 0, 0, 0))).toBe('00:00:00');
    expect(clockTime(new Date(2024, 5, 6, 23, 59, 9))).toBe('23:59:09');
  });

  it('greets and says goodbye like the original servers', () => {
    expect(welcomeLine('1.2.3.4:80')).toBe('Welcome, 1.2.3.4:80 !');
    expect(logoutText('1.2.3.4:80')).toBe('1.2.3.4:80 Logout');
  });

  it('names peers by address and port', () => {
    expect(peerName('127.0.0.1', 50212)).toBe('127.0.0.1:50212');
    expect(peerName('::ffff:192.0.2.1', 80)).toBe('192.0.2.1:80');
    expect(peerName('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
    expect(peerName('::1', 443)).toBe('[::1]:443');
    expect(peerName(undefined, undefined)).toBe('unknown');
  });
});
