/**
 * HTTP header list parsing (RFC 7230 sections 3.2.6 and 7) by loops over character codes.
 * Every function is a single forward pass: no regular expressions, so no input can make them
 * backtrack.
 */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~")
    TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++)
    TCHAR[c] = 1; // 0-9
for (let c = 0x41; c <= 0x5a; c++)
    TCHAR[c] = 1; // A-Z
for (let c = 0x61; c <= 0x7a; c++)
    TCHAR[c] = 1; // a-z
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export function isTokenChar(code) {
    return code < 128 && TCHAR[code] === 1;
}
/** True when `value` is a non-empty RFC 7230 token. */
export function isToken(value) {
    if (value.length === 0)
        return false;
    for (let i = 0; i < value.length; i++) {
        if (!isTokenChar(value.charCodeAt(i)))
            return false;
    }
    return true;
}
function skipWhitespace(value, i) {
    while (i < value.length) {
        const c = value.charCodeAt(i);
        if (c !== SPACE && c !== TAB)
            break;
        i++;
    }
    return i;
}
function skipToken(value, i) {
    while (i < value.length && isTokenChar(value.charCodeAt(i)))
        i++;
    return i;
}
/**
 * Parses `token *( OWS "," OWS token )`, skipping empty elements as RFC 7230 section 7 asks.
 * Returns null when anything else appears.
 */
export function parseTokenList(value) {
    const tokens = [];
    let i = skipWhitespace(value, 0);
    while (i < value.length) {
        if (value.charCodeAt(i) === COMMA) {
            i = skipWhitespace(value, i + 1);
            continue;
        }
        const end = skipToken(value, i);
        if (end === i)
            return null;
        tokens.push(value.slice(i, end));
        i = skipWhitespace(value, end);
        if (i < value.length) {
            if (value.charCodeAt(i) !== COMMA)
                return null;
            i = skipWhitespace(value, i + 1);
        }
    }
    return tokens;
}
/**
 * True when the comma-separated header `value` has an element equal to `token`, compared
 * ASCII case-insensitively (`token` must be lower case). Elements that are not tokens are
 * skipped rather than failing the whole header: `Connection` often carries other values.
 */
export function headerHasToken(value, token) {
    if (value === undefined)
        return false;
    let i = 0;
    while (i < value.length) {
        i = skipWhitespace(value, i);
        const start = i;
        while (i < value.length && value.charCodeAt(i) !== COMMA)
            i++;
        let end = i;
        while (end > start && (value.charCodeAt(end - 1) === SPACE || value.charCodeAt(end - 1) === TAB))
            end--;
        if (end - start === token.length && equalsLowerCase(value, start, token))
            return true;
        i++; // past the comma
    }
    return false;
}
function equalsLowerCase(value, start, lower) {
    for (let j = 0; j < lower.length; j++) {
        let c = value.charCodeAt(start + j);
        if (c >= 0x41 && c <= 0x5a)
            c += 0x20;
        if (c !== lower.charCodeAt(j))
            return false;
    }
    return true;
}
/**
 * Parses a Sec-WebSocket-Extensions value (RFC 6455 section 9.1):
 * `extension *( "," extension )`, `extension = token *( ";" param )`,
 * `param = token [ "=" ( token / quoted-string ) ]`, where a quoted value must itself be a
 * token once unquoted. Returns null on any syntax error.
 */
export function parseExtensions(value) {
    const offers = [];
    let i = skipWhitespace(value, 0);
    while (i < value.length) {
        if (value.charCodeAt(i) === COMMA) {
            i = skipWhitespace(value, i + 1);
            continue;
        }
        const nameEnd = skipToken(value, i);
        if (nameEnd === i)
            return null;
        const offer = { name: value.slice(i, nameEnd), params: [] };
        i = skipWhitespace(value, nameEnd);
        while (i < value.length && value.charCodeAt(i) === SEMICOLON) {
            i = skipWhitespace(value, i + 1);
            const paramEnd = skipToken(value, i);
            if (paramEnd === i)
                return null;
            const paramName = value.slice(i, paramEnd);
            let paramValue = true;
            i = skipWhitespace(value, paramEnd);
            if (i < value.length && value.charCodeAt(i) === EQUALS) {
                i = skipWhitespace(value, i + 1);
                if (i < value.length && value.charCodeAt(i) === QUOTE) {
                    const quoted = readQuotedString(value, i);
                    if (quoted === null || !isToken(quoted.text))
                        return null;
                    paramValue = quoted.text;
                    i = quoted.end;
                }
                else {
                    const valueEnd = skipToken(value, i);
                    if (valueEnd === i)
                        return null;
                    paramValue = value.slice(i, valueEnd);
                    i = valueEnd;
                }
                i = skipWhitespace(value, i);
            }
            offer.params.push([paramName, paramValue]);
        }
        if (i < value.length) {
            if (value.charCodeAt(i) !== COMMA)
                return null;
            i = skipWhitespace(value, i + 1);
        }
        offers.push(offer);
    }
    return offers;
}
/** Reads a quoted-string starting at the opening quote; `end` is just past the closing one. */
function readQuotedString(value, start) {
    let text = '';
    let i = start + 1;
    while (i < value.length) {
        const c = value.charCodeAt(i);
        if (c === QUOTE)
            return { text, end: i + 1 };
        if (c === BACKSLASH) {
            i++;
            if (i === value.length)
                return null;
        }
        text += value[i];
        i++;
    }
    return null;
}
//# sourceMappingURL=header-tokens.js.map