const QUESTION = 0x3f;
const HASH = 0x23;
/** Longest path written to a log line; longer ones are cut (a client chooses its URL). */
export const MAX_LOGGED_PATH = 256;
/**
 * The path of a request target as it may appear in logs: no query string (browsers send
 * `access_token` there), no fragment, and bounded in length.
 */
export function loggablePath(url) {
    if (url === undefined || url === '')
        return '/';
    let end = 0;
    while (end < url.length) {
        const c = url.charCodeAt(end);
        if (c === QUESTION || c === HASH)
            break;
        end++;
    }
    if (end > MAX_LOGGED_PATH)
        return `${url.slice(0, MAX_LOGGED_PATH)}...`;
    return end === url.length ? url : url.slice(0, end);
}
/** `address:port` of the peer (`[v6]:port` for IPv6), or "unknown" once the socket is gone. */
export function peerOf(address, port) {
    if (address === undefined)
        return 'unknown';
    const host = address.includes(':') ? `[${address}]` : address;
    return port === undefined ? host : `${host}:${port}`;
}
//# sourceMappingURL=loggable-path.js.map