import { randomUUID } from 'node:crypto';
import { chatNameProblem } from './names.js';
import { errorFragment, messageFragment, tornadoName } from './tornado-fragments.js';

describe('Tornado chat room fragments', () => {
  it('shows a message as one element: the sender, then the text', () => {
    expect(messageFragment({ from: 'ann', text: 'hello' })).toBe('<div class="message"><b>ann</b>: hello</div>');
  });

  it('escapes every user value, so a fragment appended to the page runs nothing', () => {
    expect(messageFragment({ from: `o'neil & "co"`, text: '<img src=x onerror=alert(1)>' })).toBe(
      '<div class="message"><b>o&#39;neil &amp; &quot;co&quot;</b>: &lt;img src=x onerror=alert(1)&gt;</div>',
    );
  });

  it('shows a refusal as an error element, escaped too', () => {
    expect(errorFragment('no <room> for you')).toBe('<div class="error">Error: no &lt;room&gt; for you</div>');
  });
});

describe('tornadoName', () => {
  const uid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

  it('is the uid when names may be that long', () => {
    expect(tornadoName(uid, 36)).toBe(uid);
    expect(tornadoName(uid, 64)).toBe(uid);
  });

  it("is the uid's 32 hex digits under the default limit of 32, and their start under shorter ones", () => {
    expect(tornadoName(uid, 32)).toBe('1b4e28ba2fa111d2883f0016d3cca427');
    expect(tornadoName(uid, 8)).toBe('1b4e28ba');
  });

  it('is a valid chat name for any uid the server gives and any name limit', () => {
    for (let i = 0; i < 200; i++) {
      const maxNameLength = 1 + (i % 40);
      const name = tornadoName(randomUUID(), maxNameLength);
      expect(chatNameProblem(name, maxNameLength)).toBeNull();
    }
  });
});
