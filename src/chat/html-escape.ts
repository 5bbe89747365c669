const HTML_SPECIAL = /[&<>"']/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `value` safe to write into HTML text or a quoted attribute: `& < > " '` as character
 * references, the set Tornado's templates escape. The legacy pages put what they receive into
 * `innerHTML` or jQuery's `append()`, so whatever a user typed must reach them escaped.
 */
export function escapeHtml(value: string): string {
  return value.replace(HTML_SPECIAL, (character) => ENTITIES[character]);
}
