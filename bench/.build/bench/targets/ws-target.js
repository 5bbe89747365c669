import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { failTarget, serveTarget } from './target-control.js';
/**
 * The same three endpoints on a bare `ws` server, written the way the `ws` README does it:
 * one HTTP server, `noServer` WebSocket servers, upgrades routed by path.
 */
function echo(data, isBinary) {
    this.send(data, { binary: isBinary });
}
function envelopeOf(data) {
    try {
        return JSON.parse(data.toString());
    }
    catch {
        return undefined;
    }
}
function nestEcho(data) {
    const message = envelopeOf(data);
    if (message?.event === 'echo')
        this.send(JSON.stringify({ event: 'echo', data: message.data }));
}
async function main() {
    const echoServer = new WebSocketServer({ noServer: true });
    const nestEchoServer = new WebSocketServer({ noServer: true });
    const broadcastServer = new WebSocketServer({ noServer: true });
    echoServer.on('connection', (ws) => ws.on('message', echo));
    nestEchoServer.on('connection', (ws) => ws.on('message', nestEcho));
    broadcastServer.on('connection', (ws) => ws.on('message', (data) => {
        const message = envelopeOf(data);
        if (message?.event !== 'broadcast')
            return;
        const text = JSON.stringify({ event: 'broadcast', data: message.data });
        for (const client of broadcastServer.clients) {
            if (client.readyState === WebSocket.OPEN)
                client.send(text);
        }
    }));
    const servers = new Map([
        ['/echo', echoServer],
        ['/nest-echo', nestEchoServer],
        ['/broadcast', broadcastServer],
    ]);
    const http = createServer();
    http.on('upgrade', (request, socket, head) => {
        const server = servers.get(new URL(request.url ?? '/', 'http://localhost').pathname);
        if (server === undefined)
            return socket.destroy();
        server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
    });
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    await serveTarget(http.address().port);
}
main().catch(failTarget);
//# sourceMappingURL=ws-target.js.map