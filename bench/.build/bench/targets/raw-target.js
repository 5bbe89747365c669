import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { failTarget, serveTarget } from './target-control.js';
/**
 * The calibration target: the least a server can do. It answers the opening handshake and
 * then writes every byte back as it came (the client's masked frames included, which the load
 * generator's reader accepts). Its rates are the ceiling of the load generator.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
const KEY_HEADER = /^sec-websocket-key:\s*(\S+)\s*$/im;
const CLOSE_FIN = 0x88;
function acceptResponse(head) {
    const key = KEY_HEADER.exec(head)?.[1];
    if (key === undefined)
        return undefined;
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}
function serve(socket) {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    let pending;
    socket.once('data', function handshake(chunk) {
        const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
        const end = data.indexOf(HEADER_END);
        if (end === -1) {
            pending = data;
            socket.once('data', handshake);
            return;
        }
        const response = acceptResponse(data.toString('latin1', 0, end));
        if (response === undefined)
            return void socket.destroy();
        socket.write(response);
        let first = true;
        const echoBytes = (bytes) => {
            // The one thing it understands: a close frame as the very first frame ends the
            // connection (the handshake scenario); echo traffic never starts with one.
            if (first && bytes[0] === CLOSE_FIN)
                return void socket.end();
            first = false;
            socket.write(bytes);
        };
        socket.on('data', echoBytes);
        const rest = data.subarray(end + HEADER_END.length);
        if (rest.length > 0)
            echoBytes(rest);
    });
}
async function main() {
    const server = createServer(serve);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    await serveTarget(server.address().port);
}
main().catch(failTarget);
//# sourceMappingURL=raw-target.js.map