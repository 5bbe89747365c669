import fc from 'fast-check';
import { escapeHtml } from './html-escape.js';

describe('escapeHtml', () => {
  it('writes the five characters special to HTML as character references', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')"> & co`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co',
    );
  });

  it('leaves everything else as it is, including references already written', () => {
    expect(escapeHtml('héllo 😀 \\x0a')).toBe('héllo 😀 \\x0a');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('never leaves a character that could open a tag, an attribute or an entity', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
    );
  });
});
