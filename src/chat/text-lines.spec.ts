import { chatLine, clockTime, logoutText, peerName, readsAsLogout, visibleText, welcomeLine } from './text-lines.js';

describe('plain-text lines', () => {
  it('formats a chat line with the local time of the message', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5).toISOString(); // 03:04:05 local time
    expect(chatLine({ at, from: '10.0.0.7:5000', text: 'hello world' })).toBe(
      '03:04:05 10.0.0.7:5000 say: hello world',
    );
  });

  it("escapes HTML's special characters in names and text by default, for pages that use innerHTML", () => {
    const at = new Date(2024, 0, 2, 3, 4, 5).toISOString();
    expect(chatLine({ at, from: `o'neil`, text: '<img src=x onerror=alert(1)> & "q"' })).toBe(
      '03:04:05 o&#39;neil say: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;',
    );
    expect(welcomeLine('<b>bob</b>')).toBe('Welcome, &lt;b&gt;bob&lt;/b&gt; !');
  });

  it('sends HTML characters raw for terminal clients, control characters still visible', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5).toISOString();
    expect(chatLine({ at, from: 'ann', text: 'a <b> & c\n' }, false)).toBe('03:04:05 ann say: a <b> & c\\x0a');
    expect(welcomeLine('<b>', false)).toBe('Welcome, <b> !');
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

  describe('user values cannot forge lines', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5).toISOString();

    it('shows newlines and carriage returns as escapes, so a message cannot draw a fake "admin say:" line', () => {
      const line = chatLine({ at, from: 'mallory', text: 'hi\n03:04:06 admin say: send me your password\r' });
      expect(line).toBe('03:04:05 mallory say: hi\\x0a03:04:06 admin say: send me your password\\x0d');
      expect(line).not.toMatch(/[\n\r]/);
    });

    it('escapes ANSI sequences, DEL and C1 controls', () => {
      expect(visibleText('\u001b[2J\u001b[31mred\u007f\u0085\u009b')).toBe('\\x1b[2J\\x1b[31mred\\x7f\\x85\\x9b');
      expect(visibleText('nul\u0000tab\t')).toBe('nul\\x00tab\\x09');
    });

    it('escapes the Unicode line and paragraph separators and the bidirectional controls', () => {
      expect(visibleText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
      expect(visibleText('\u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c')).toBe(
        '\\u202eevil\\u202c \\u2066x\\u2069 \\u200e\\u200f\\u061c',
      );
    });

    it('keeps every other character, emoji joiners and HTML included', () => {
      const family = '👨\u200d👩\u200d👧';
      expect(visibleText(`é ü ${family} <b> & "q" \\x0a`)).toBe(`é ü ${family} <b> & "q" \\x0a`);
    });

    it('escapes names too, in chat and welcome lines', () => {
      expect(chatLine({ at, from: 'a\nb', text: 'x' })).toBe('03:04:05 a\\x0ab say: x');
      expect(welcomeLine('evil\r\nWelcome, admin')).toBe('Welcome, evil\\x0d\\x0aWelcome, admin !');
    });
  });

  describe('logout lines', () => {
    it('recognise a line that would read as its sender leaving, as a reader sees it', () => {
      for (const text of [
        '1.2.3.4:5 Logout',
        '  1.2.3.4:5   Logout ',
        '1.2.3.4:5 Logout\u200b',
        '\u200b1.2.3.4:5\u00a0Logout',
      ]) {
        expect(readsAsLogout(text, '1.2.3.4:5')).toBe(true);
      }
    });

    it("leave other lines alone: someone else's address, other words, other case", () => {
      for (const text of ['9.9.9.9:9 Logout', '1.2.3.4:5 Logout now', '1.2.3.4:5 logout', 'Logout']) {
        expect(readsAsLogout(text, '1.2.3.4:5')).toBe(false);
      }
    });
  });
});
