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
 * depth 1, a scalar depth 0). One pass, no allocation, brackets inside strings ignored (a string
 * is skipped with a native indexOf to its closing quote); it does not validate (JSON.parse does
 * that once the depth is known to be safe), so on a malformed text the answer only means "no
 * deeper than that". Works on the text or on its UTF-8 bytes alike: every structural character
 * is ASCII, and no byte of a multi-byte UTF-8 sequence is.
 */
export function exceedsJsonDepth(json: string | Uint8Array, maxDepth: number): boolean {
  // Each level takes at least two characters.
  if (json.length <= 2 * maxDepth) return false;
  const isText = typeof json === 'string';
  const length = json.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const code = isText ? json.charCodeAt(i) : json[i];
    if (code === QUOTE) {
      i = closingQuote(json, i + 1);
      if (i < 0) return false;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && depth > 0) {
      depth--;
    }
  }
  return false;
}

/** Where the string starting at `from` ends (its closing quote), or -1 when it does not. */
function closingQuote(json: string | Uint8Array, from: number): number {
  const isText = typeof json === 'string';
  for (let start = from; ;) {
    const quote = isText ? json.indexOf('"', start) : json.indexOf(QUOTE, start);
    if (quote < 0) return -1;
    // Escaped when an odd number of backslashes precede it (each backslash run is counted once).
    let backslashes = 0;
    for (let j = quote - 1; j >= start && (isText ? json.charCodeAt(j) : json[j]) === BACKSLASH; j--) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
    start = quote + 1;
  }
}
