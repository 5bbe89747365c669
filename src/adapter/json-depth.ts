const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Nesting the adapter's default parser accepts: far beyond any ordinary gateway's payloads. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * True when JSON text nests arrays and objects more than `maxDepth` deep (`[]` and `{}` are
 * depth 1, a scalar depth 0). One pass, no allocation, brackets inside strings ignored; it
 * does not validate (JSON.parse does that once the depth is known to be safe), so on a
 * malformed text the answer only means "no deeper than that". Works on the text or on its
 * UTF-8 bytes alike: every structural character is ASCII, and no byte of a multi-byte UTF-8
 * sequence is.
 */
export function exceedsJsonDepth(json: string | Uint8Array, maxDepth: number): boolean {
  const isText = typeof json === 'string';
  const length = json.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const code = isText ? json.charCodeAt(i) : (json as Uint8Array)[i];
    if (inString) {
      if (code === BACKSLASH) i++; // the escaped character cannot end the string
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && depth > 0) {
      depth--;
    }
  }
  return false;
}
