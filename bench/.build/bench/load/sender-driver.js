import { BroadcastFrames, monotonicMicros } from './broadcast-message.js';
import { maskedFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, upgradeRequest } from './client-frames.js';
import { Driver } from './driver.js';
import { openWebSocket } from './open-websocket.js';
import { ServerFrameReader } from './server-frame-reader.js';
/** How often the fixed-rate sender checks what is due. */
const RATE_TICK_MS = 1;
/**
 * The broadcast publisher: one connection, opened after every receiver, so the server's fan-out
 * loop reaches it last and its own copy says "the server has written this broadcast to
 * everyone". `messages` counts those copies (acknowledgements), `sent` the broadcasts.
 *
 * At max rate it keeps `window` broadcasts unacknowledged; at a fixed rate a 1 ms timer sends
 * what is due, stamped with the time it leaves.
 */
export class SenderDriver extends Driver {
    constructor(job) {
        super();
        this.job = job;
        this.reader = new ServerFrameReader(this);
        this.sending = false;
        this.rateStart = 0;
        this.rateSent = 0;
        this.acksThisRead = 0;
        this.frames = new BroadcastFrames(job.size);
    }
    async prepare() {
        const { job } = this;
        const request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path);
        const { socket, rest } = await openWebSocket(job.endpoint, job.localAddress, request, job.connectTimeoutMs);
        this.socket = socket;
        this.own(socket);
        socket.on('data', (chunk) => this.onData(chunk));
        socket.resume();
        if (rest.length > 0)
            this.onData(rest);
    }
    start(send) {
        if (send === undefined)
            throw new Error('the sender needs a send mode');
        this.mode = send;
        this.sending = true;
        if (send.mode === 'max') {
            this.send(send.window);
            return;
        }
        this.rateStart = performance.now();
        this.rateSent = 0;
        this.timer = setInterval(() => this.sendDue(send.perSecond), RATE_TICK_MS);
    }
    stopSending() {
        this.sending = false;
        if (this.timer !== undefined)
            clearInterval(this.timer);
        this.timer = undefined;
    }
    onFrame(opcode, _fin, _payloadLength, head) {
        if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
            this.messages++;
            this.acksThisRead++;
        }
        else if (opcode === OPCODE_CLOSE) {
            this.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
        }
        else if (opcode === OPCODE_PING) {
            this.socket?.write(maskedFrame(OPCODE_PONG, head));
        }
    }
    onData(chunk) {
        this.acksThisRead = 0;
        this.reader.push(chunk);
        if (this.sending && this.mode?.mode === 'max' && this.acksThisRead > 0)
            this.send(this.acksThisRead);
    }
    sendDue(perSecond) {
        const due = Math.floor(((performance.now() - this.rateStart) * perSecond) / 1000) - this.rateSent;
        if (due <= 0)
            return;
        this.rateSent += due;
        this.send(due);
    }
    send(count) {
        if (this.socket === undefined)
            return;
        this.socket.write(this.frames.build(count, monotonicMicros(), this.sent));
        this.sent += count;
    }
}
//# sourceMappingURL=sender-driver.js.map