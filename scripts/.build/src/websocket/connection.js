import { EventEmitter } from 'node:events';
import { isValidCloseCode } from './close-codes.js';
import { CloseCode, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, DEFAULT_SEND_BUFFER_LIMIT, EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, Opcode, ReadyState, } from './constants.js';
import { protocolError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import { encodeClosePayload, encodeFrame, encodeTextFrame, frameHeaderSize, SharedFrame, writeFrame, } from './frame-writer.js';
import { QueuedFrame, SendQueue } from './send-queue.js';
import { sharedCompressedFrame } from './shared-compression.js';
import { isValidUtf8 } from './utf8.js';
import { WebSocketStats } from './stats.js';
/** Back-reference from a socket to its connection, read by the shared socket handlers. */
export const kConnection = Symbol('websocket.connection');
const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
function notOpenError(state) {
    return new Error(`WebSocket is not open: readyState ${state} (${STATE_NAMES[state]})`);
}
function toBuffer(data) {
    if (Buffer.isBuffer(data))
        return data;
    if (typeof data === 'string')
        return Buffer.from(data);
    if (ArrayBuffer.isView(data))
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return Buffer.from(data);
}
/**
 * One WebSocket connection over an upgraded socket, with the surface of a `ws` WebSocket.
 *
 * State machine: OPEN -> CLOSING (close frame sent or received, protocol error, TCP end) ->
 * CLOSED (the TCP socket is gone; 'close' is emitted once). Socket and parser callbacks are
 * shared static functions that find the connection through `socket[kConnection]`, so an idle
 * connection costs its fields and nothing else; the only timer is the close timeout.
 */
export class WebSocketConnection extends EventEmitter {
    static { this.CONNECTING = ReadyState.CONNECTING; }
    static { this.OPEN = ReadyState.OPEN; }
    static { this.CLOSING = ReadyState.CLOSING; }
    static { this.CLOSED = ReadyState.CLOSED; }
    get CONNECTING() {
        return ReadyState.CONNECTING;
    }
    get OPEN() {
        return ReadyState.OPEN;
    }
    get CLOSING() {
        return ReadyState.CLOSING;
    }
    get CLOSED() {
        return ReadyState.CLOSED;
    }
    /**
     * Takes over an upgraded socket (the 101 response already written). `head` holds bytes the
     * HTTP parser read past the request; they are replayed before anything else.
     */
    constructor(socket, head, options = {}) {
        super();
        /** What the server's `authorize` hook returned (undefined without one). */
        this.principal = undefined;
        /** Heartbeat bookkeeping: sweeps since bytes last arrived (heartbeat.ts); reset on any data. */
        this.idleSweeps = 0;
        this.state = ReadyState.OPEN;
        /** Frames waiting behind one being compressed; only ever created with permessage-deflate. */
        this.outbox = undefined;
        /** Sent, or queued behind frames still being compressed. */
        this.closeFrameSent = false;
        this.closeFrameReceived = false;
        /** Reported by 'close': the peer's code, the code we failed with, or 1006. */
        this.closeCode = CloseCode.ABNORMAL;
        this.closeReason = EMPTY_BUFFER;
        this.closeTimer = undefined;
        this.socket = socket;
        this.protocol = options.protocol ?? '';
        this.extensions = options.extensions ?? '';
        this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
        this.sendBufferLimit = options.sendBufferLimit ?? DEFAULT_SEND_BUFFER_LIMIT;
        this.stats = options.stats ?? new WebSocketStats();
        this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
        this.deflate = options.deflate;
        this.parser = new FrameParser(WebSocketConnection.sink, this, {
            maxPayload: this.maxPayload,
            allowRsv1: this.deflate !== undefined,
        });
        this.remoteAddress = this.socket.remoteAddress;
        this.socket[kConnection] = this;
        this.socket.setNoDelay?.(true);
        socket.on('error', WebSocketConnection.onSocketError);
        // Replayed through the stream so it arrives after listeners attached in the
        // 'connection' handler, like everything that follows.
        if (head !== undefined && head.length > 0 && socket.readable)
            socket.unshift(head);
        socket.on('data', WebSocketConnection.onSocketData);
        socket.on('end', WebSocketConnection.onSocketEnd);
        socket.on('close', WebSocketConnection.onSocketClose);
        socket.resume();
        if (socket.destroyed) {
            // The peer vanished before we took over; its 'close' may already be gone.
            this.state = ReadyState.CLOSING;
            if (socket.closed)
                process.nextTick(WebSocketConnection.finish, this);
        }
    }
    get readyState() {
        return this.state;
    }
    /** Bytes handed to send() (and friends) that have not reached the kernel yet. */
    get bufferedAmount() {
        return this.socket.writableLength + (this.outbox?.bytes ?? 0);
    }
    send(data, optionsOrCallback, maybeCallback) {
        const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
        const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
        if (this.state !== ReadyState.OPEN) {
            if (callback)
                process.nextTick(callback, notOpenError(this.state));
            return;
        }
        this.stats.messagesOut++;
        if (this.deflate !== undefined)
            return this.sendCompressible(this.deflate, data, options, callback);
        if (typeof data === 'string') {
            const frame = encodeTextFrame(data, options?.binary === true ? Opcode.BINARY : Opcode.TEXT);
            if (this.reserve(frame.length, callback))
                this.socket.write(frame, callback);
            return;
        }
        const payload = toBuffer(data);
        const opcode = options?.binary === false ? Opcode.TEXT : Opcode.BINARY;
        if (this.reserve(frameHeaderSize(payload.length) + payload.length, callback)) {
            writeFrame(this.socket, opcode, payload, callback);
        }
    }
    /** Writes a frame encoded once by prepareFrame() (fan-out: same bytes to many sockets). */
    sendFrame(frame) {
        if (this.state !== ReadyState.OPEN)
            return;
        this.stats.messagesOut++;
        if (this.deflate !== undefined)
            return this.sendFrameCompressible(this.deflate, frame);
        if (this.reserve(frame.bytes.length, undefined))
            this.socket.write(frame.bytes);
    }
    ping(data) {
        this.sendControl(Opcode.PING, data);
    }
    pong(data) {
        this.sendControl(Opcode.PONG, data);
    }
    /**
     * Starts the closing handshake: sends a close frame and waits up to closeTimeoutMs for the
     * peer's, then drops the socket. Without a code the close frame carries no payload.
     */
    close(code, reason) {
        if (code !== undefined && (!Number.isInteger(code) || !isValidCloseCode(code))) {
            throw new TypeError(`Invalid close code ${code}`);
        }
        if (reason !== undefined && Buffer.byteLength(reason) > MAX_CONTROL_PAYLOAD - 2) {
            throw new RangeError('A close reason must not exceed 123 bytes');
        }
        if (this.state === ReadyState.CLOSED || this.closeFrameSent)
            return;
        this.state = ReadyState.CLOSING;
        this.sendCloseFrame(code ?? (reason ? CloseCode.NORMAL : undefined), reason);
        this.armCloseTimer();
    }
    /** Destroys the TCP socket now, without a closing handshake ('close' reports 1006). */
    terminate() {
        if (this.state === ReadyState.CLOSED)
            return;
        this.state = ReadyState.CLOSING;
        this.parser.stop();
        this.socket.destroy();
    }
    sendControl(opcode, data) {
        const payload = data === undefined ? EMPTY_BUFFER : toBuffer(data);
        if (payload.length > MAX_CONTROL_PAYLOAD) {
            throw new RangeError('A control frame payload must not exceed 125 bytes');
        }
        if (this.state !== ReadyState.OPEN)
            return;
        if (this.reserve(frameHeaderSize(payload.length) + payload.length, undefined)) {
            writeFrame(this.socket, opcode, payload);
        }
    }
    sendCloseFrame(code, reason) {
        this.closeFrameSent = true;
        if (this.outbox !== undefined && !this.outbox.idle) {
            // After the messages sent before it, which are still being compressed.
            const entry = this.enqueue(0, undefined, true);
            entry.frame = encodeFrame(Opcode.CLOSE, encodeClosePayload(code, reason));
            this.outbox.ready(entry);
            return;
        }
        if (this.socket.writable)
            writeFrame(this.socket, Opcode.CLOSE, encodeClosePayload(code, reason));
    }
    /** Ends our side of TCP once every queued frame is out. */
    endAfterQueue() {
        if (this.outbox !== undefined)
            this.outbox.endAfterDrain();
        else
            this.socket.end();
    }
    /** send() with permessage-deflate: messages from the threshold up are compressed, in order. */
    sendCompressible(deflate, data, options, callback) {
        const isString = typeof data === 'string';
        const opcode = isString
            ? options?.binary === true ? Opcode.BINARY : Opcode.TEXT
            : options?.binary === false ? Opcode.TEXT : Opcode.BINARY;
        const payload = toBuffer(data);
        const size = frameHeaderSize(payload.length) + payload.length;
        if (!this.reserve(size, callback))
            return;
        if (payload.length < deflate.threshold) {
            this.writeInOrder(opcode, payload, size, callback);
            return;
        }
        this.compressInOrder(deflate, opcode, payload, size, callback);
    }
    /** sendFrame() with permessage-deflate: see shared-compression.ts for who shares what. */
    sendFrameCompressible(deflate, frame) {
        const size = frame.bytes.length;
        if (!this.reserve(size, undefined))
            return;
        if (!(frame instanceof SharedFrame) || frame.payloadLength < deflate.threshold) {
            this.writeFrameInOrder(frame.bytes, size);
            return;
        }
        if (!deflate.sharesFrames) {
            this.compressInOrder(deflate, frame.opcode, frame.payload, size, undefined);
            return;
        }
        let entry;
        const ready = sharedCompressedFrame(frame, deflate, (bytes) => {
            entry.frame = bytes;
            this.outbox.ready(entry);
        });
        if (ready !== undefined)
            this.writeFrameInOrder(ready, size);
        else
            entry = this.enqueue(size, undefined);
    }
    compressInOrder(deflate, opcode, payload, size, callback) {
        const entry = this.enqueue(size, callback);
        entry.opcode = opcode;
        deflate.compress(payload, (error, compressed) => {
            if (entry.dropped)
                return;
            if (error !== undefined)
                return this.fail(error);
            // Without context takeover a plain message is as valid and here smaller; with it, the
            // peer's window must see exactly what our compressor saw.
            const plain = deflate.sharesFrames && compressed.length >= payload.length;
            entry.payload = plain ? payload : compressed;
            entry.rsv1 = !plain;
            this.outbox.ready(entry);
        });
    }
    /** Writes an uncompressed frame now, or queues it behind frames still being compressed. */
    writeInOrder(opcode, payload, size, callback) {
        if (this.outbox === undefined || this.outbox.idle) {
            writeFrame(this.socket, opcode, payload, callback);
            return;
        }
        const entry = this.enqueue(size, callback);
        entry.opcode = opcode;
        entry.payload = payload;
        this.outbox.ready(entry);
    }
    writeFrameInOrder(bytes, size) {
        if (this.outbox === undefined || this.outbox.idle) {
            this.socket.write(bytes);
            return;
        }
        const entry = this.enqueue(size, undefined);
        entry.frame = bytes;
        this.outbox.ready(entry);
    }
    enqueue(size, callback, isClose = false) {
        const outbox = (this.outbox ??= new SendQueue(this, WebSocketConnection.writeQueued, WebSocketConnection.endQueued));
        const entry = new QueuedFrame(size, callback, isClose);
        outbox.push(entry);
        return entry;
    }
    static writeQueued(conn, entry) {
        const callback = entry.callback;
        if (entry.frame !== undefined) {
            if (!entry.isClose || conn.socket.writable)
                conn.socket.write(entry.frame, callback);
        }
        else {
            writeFrame(conn.socket, entry.opcode, entry.payload, callback, entry.rsv1);
        }
    }
    static endQueued(conn) {
        conn.socket.end();
    }
    /**
     * Inflates a compressed message. The parser and the socket wait meanwhile, so messages are
     * emitted in the order they came and a peer cannot pile up bytes while zlib works.
     */
    inflate(deflate, data, isBinary) {
        this.parser.pause();
        this.socket.pause();
        deflate.decompress(data, this.maxPayload, (error, message) => {
            this.socket.resume();
            if (this.parser.stopped)
                return; // failed, terminated or closed meanwhile
            if (error !== undefined)
                return this.fail(error);
            if (!isBinary && !isValidUtf8(message)) {
                return this.fail(protocolError('WS_ERR_INVALID_UTF8', 'Text message is not valid UTF-8'));
            }
            this.stats.messagesIn++;
            this.emit('message', message, isBinary);
            this.parser.resume();
        });
    }
    /**
     * Checks the send-buffer budget for `size` more bytes. A single frame may always go out on
     * an empty buffer; a peer that lets more than sendBufferLimit pile up is a slow consumer:
     * the frame is dropped and the connection closed with 1013.
     */
    reserve(size, callback) {
        const queued = this.socket.writableLength + (this.outbox?.bytes ?? 0);
        if (this.sendBufferLimit === 0 || queued === 0 || queued + size <= this.sendBufferLimit) {
            this.stats.bytesOut += size;
            return true;
        }
        this.stats.slowConsumerDrops++;
        const error = protocolError('WS_ERR_SEND_BUFFER_FULL', `Send buffer limit of ${this.sendBufferLimit} bytes exceeded (slow consumer)`);
        if (callback)
            process.nextTick(callback, error);
        this.fail(error);
        return false;
    }
    /** Fails the WebSocket connection (RFC 6455 section 7.1.7): close frame, then TCP close. */
    fail(error) {
        if (this.state === ReadyState.CLOSED)
            return;
        this.parser.stop();
        if (!this.closeFrameReceived)
            this.closeCode = error.closeCode;
        this.state = ReadyState.CLOSING;
        // Messages sent before a peer's error still go out first (they would have, uncompressed);
        // when sending itself failed, what waits is dropped, but a close frame already promised
        // still goes.
        if (error.code === 'WS_ERR_SEND_BUFFER_FULL' || error.code === 'WS_ERR_COMPRESSION_FAILED') {
            const queuedClose = this.outbox?.abort(error);
            if (queuedClose?.frame !== undefined && this.socket.writable)
                this.socket.write(queuedClose.frame);
        }
        if (!this.closeFrameSent)
            this.sendCloseFrame(error.closeCode);
        this.endAfterQueue();
        this.armCloseTimer();
        if (this.listenerCount('error') > 0)
            this.emit('error', error);
    }
    armCloseTimer() {
        if (this.closeTimer === undefined && this.state !== ReadyState.CLOSED) {
            this.closeTimer = setTimeout(WebSocketConnection.onCloseTimeout, this.closeTimeoutMs, this);
        }
    }
    static { this.sink = {
        onMessage(conn, data, isBinary, compressed) {
            if (compressed)
                return conn.inflate(conn.deflate, data, isBinary);
            conn.stats.messagesIn++;
            conn.emit('message', data, isBinary);
        },
        onPing(conn, payload) {
            // Through the send budget: a peer that pings without reading must not grow our buffer.
            if (conn.state === ReadyState.OPEN && conn.reserve(frameHeaderSize(payload.length) + payload.length, undefined)) {
                writeFrame(conn.socket, Opcode.PONG, payload);
            }
            conn.emit('ping', payload);
        },
        onPong(conn, payload) {
            conn.emit('pong', payload);
        },
        onClose(conn, code, reason) {
            conn.closeFrameReceived = true;
            conn.closeCode = code;
            conn.closeReason = reason;
            conn.state = ReadyState.CLOSING;
            // Echo the code (none if the peer sent none), then close TCP once it is flushed: the
            // server closes first (RFC 6455 section 7.1.1).
            if (!conn.closeFrameSent)
                conn.sendCloseFrame(code === CloseCode.NO_STATUS ? undefined : code);
            conn.endAfterQueue();
            conn.armCloseTimer();
        },
        onProtocolError(conn, error) {
            conn.fail(error);
        },
    }; }
    static onSocketData(chunk) {
        const conn = this[kConnection];
        if (conn === undefined)
            return;
        conn.idleSweeps = 0;
        conn.stats.bytesIn += chunk.length;
        conn.parser.push(chunk);
    }
    static onSocketEnd() {
        const conn = this[kConnection];
        if (conn === undefined)
            return;
        // The peer will send nothing more; with allowHalfOpen sockets we must end our side too.
        if (conn.state === ReadyState.OPEN)
            conn.state = ReadyState.CLOSING;
        conn.parser.stop();
        conn.endAfterQueue();
        conn.armCloseTimer();
    }
    static onSocketError() {
        // ECONNRESET and friends: the socket is destroyed and 'close' follows with 1006.
        this.destroy();
    }
    static onSocketClose() {
        const conn = this[kConnection];
        if (conn !== undefined)
            WebSocketConnection.finish(conn);
    }
    static onCloseTimeout(conn) {
        conn.closeTimer = undefined;
        conn.socket.destroy();
    }
    static finish(conn) {
        if (conn.state === ReadyState.CLOSED)
            return;
        conn.state = ReadyState.CLOSED;
        if (conn.closeTimer !== undefined) {
            clearTimeout(conn.closeTimer);
            conn.closeTimer = undefined;
        }
        conn.parser.stop();
        conn.outbox?.abort(notOpenError(ReadyState.CLOSED));
        conn.deflate?.release();
        conn.stats.recordClose(conn.closeCode);
        conn.emit('close', conn.closeCode, conn.closeReason);
    }
}
//# sourceMappingURL=connection.js.map