import { connect } from 'node:net';
const HEADER_END = Buffer.from('\r\n\r\n');
/** Responses larger than this are not a 101 we can use. */
const MAX_RESPONSE = 16 * 1024;
/**
 * Checks an HTTP response head: status 101 and the expected Sec-WebSocket-Accept. Returns an
 * error message, or undefined when the upgrade succeeded.
 */
export function checkUpgradeResponse(head, accept) {
    const statusEnd = head.indexOf('\r\n');
    const statusLine = statusEnd === -1 ? head : head.slice(0, statusEnd);
    if (!/^HTTP\/1\.1 101 /.test(statusLine))
        return `expected 101, got "${statusLine}"`;
    for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon === -1 || line.slice(0, colon).trim().toLowerCase() !== 'sec-websocket-accept')
            continue;
        return line.slice(colon + 1).trim() === accept ? undefined : 'wrong Sec-WebSocket-Accept';
    }
    return 'no Sec-WebSocket-Accept in the 101 response';
}
/**
 * Opens a TCP connection from `localAddress`, performs the opening handshake and hands the
 * socket over with no listeners attached (and paused data flow resumed by the caller's
 * 'data' listener).
 */
export function openWebSocket(endpoint, localAddress, request, timeoutMs) {
    return new Promise((resolve, reject) => {
        const socket = connect({ host: endpoint.host, port: endpoint.port, localAddress, noDelay: true });
        let received = [];
        let length = 0;
        const timer = setTimeout(() => fail(`no 101 response within ${timeoutMs} ms`), timeoutMs);
        function cleanup() {
            clearTimeout(timer);
            socket.removeListener('data', onData);
            socket.removeListener('error', onError);
            socket.removeListener('close', onClose);
            socket.removeListener('connect', onConnect);
        }
        function fail(message) {
            cleanup();
            socket.destroy();
            reject(new Error(message));
        }
        function onConnect() {
            socket.write(request.bytes);
        }
        function onError(error) {
            fail(`${error.code ?? error.message} during the handshake`);
        }
        function onClose() {
            fail('connection closed during the handshake');
        }
        function onData(chunk) {
            received.push(chunk);
            length += chunk.length;
            const all = received.length === 1 ? chunk : Buffer.concat(received, length);
            received = [all];
            const end = all.indexOf(HEADER_END);
            if (end === -1) {
                if (length > MAX_RESPONSE)
                    fail('response headers too large');
                return;
            }
            const problem = checkUpgradeResponse(all.toString('latin1', 0, end), request.accept);
            if (problem !== undefined)
                return fail(problem);
            cleanup();
            socket.pause();
            resolve({ socket, rest: all.subarray(end + HEADER_END.length) });
        }
        socket.on('connect', onConnect);
        socket.on('data', onData);
        socket.on('error', onError);
        socket.on('close', onClose);
    });
}
/**
 * Opens `count` WebSockets with at most `concurrency` handshakes in flight; every socket goes
 * to `onOpen` as soon as it is ready. Rejects on the first failure.
 */
export async function openMany(count, concurrency, open, onOpen) {
    let next = 0;
    async function lane() {
        while (next < count) {
            const index = next++;
            onOpen(await open(), index);
        }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
//# sourceMappingURL=open-websocket.js.map