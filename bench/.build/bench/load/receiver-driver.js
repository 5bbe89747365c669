import { BROADCAST_HEAD_BYTES, monotonicMicros, readSendTime } from './broadcast-message.js';
import { maskedFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, upgradeRequest } from './client-frames.js';
import { Driver } from './driver.js';
import { openMany, openWebSocket } from './open-websocket.js';
import { ServerFrameReader } from './server-frame-reader.js';
const OPEN_CONCURRENCY = 64;
/**
 * Broadcast receivers: count every delivery and record its end-to-end latency from the send
 * time the sender wrote into the message (one clock reading per TCP read).
 *
 * Reading a fan-out costs the reader about what writing it costs the server: one syscall and
 * one callback per delivery. At max rate, where only the server's throughput and CPU matter,
 * the receivers therefore read in batches: every socket is paused and all are resumed every
 * `readEveryMs`, so one read picks up many deliveries and the load generator stays off the
 * critical path. Latency is only meaningful when reading as data arrives (readEveryMs = 0).
 */
export class ReceiverDriver extends Driver {
    constructor(job) {
        super();
        this.job = job;
        this.receivers = [];
        this.batched = false;
    }
    async prepare() {
        const { job } = this;
        const request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path);
        await openMany(job.connections, OPEN_CONCURRENCY, () => openWebSocket(job.endpoint, job.localAddress, request, job.connectTimeoutMs), ({ socket, rest }) => {
            this.own(socket);
            this.receivers.push(new Receiver(this, socket, rest));
        });
    }
    start(_send, readEveryMs) {
        if (this.readTimer !== undefined)
            clearInterval(this.readTimer);
        this.readTimer = undefined;
        this.batched = readEveryMs > 0;
        if (this.batched) {
            this.readTimer = setInterval(() => this.resumeAll(), readEveryMs);
        }
        else {
            this.resumeAll();
        }
    }
    close() {
        if (this.readTimer !== undefined)
            clearInterval(this.readTimer);
        super.close();
    }
    resumeAll() {
        for (const receiver of this.receivers)
            receiver.socket.resume();
    }
}
class Receiver {
    constructor(driver, socket, rest) {
        this.driver = driver;
        this.socket = socket;
        this.reader = new ServerFrameReader(this);
        this.now = 0;
        this.reader.captureHead(BROADCAST_HEAD_BYTES);
        socket.on('data', (chunk) => this.onData(chunk));
        socket.resume();
        if (rest.length > 0)
            this.onData(rest);
    }
    onFrame(opcode, fin, payloadLength, head) {
        const { driver } = this;
        if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
            driver.bytes += payloadLength;
            driver.messages++;
            const sentAt = readSendTime(head);
            if (Number.isNaN(sentAt) || !fin)
                driver.error('a delivery without a send time');
            else if (!driver.batched)
                driver.histogram.record(this.now - sentAt);
        }
        else if (opcode === OPCODE_CLOSE) {
            driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
        }
        else if (opcode === OPCODE_PING) {
            this.socket.write(maskedFrame(OPCODE_PONG, head));
        }
    }
    onData(chunk) {
        this.now = monotonicMicros();
        this.reader.push(chunk);
        if (this.driver.batched)
            this.socket.pause();
    }
}
//# sourceMappingURL=receiver-driver.js.map