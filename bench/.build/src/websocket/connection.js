import { EventEmitter } from 'node:events';
import { isValidCloseCode } from './close-codes.js';
import { CloseCode, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, DEFAULT_SEND_BUFFER_LIMIT, EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, Opcode, ReadyState, } from './constants.js';
import { protocolError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import { encodeClosePayload, encodeTextFrame, frameHeaderSize, writeFrame, } from './frame-writer.js';
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
        this.state = ReadyState.OPEN;
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
        this.parser = new FrameParser(WebSocketConnection.sink, this, {
            maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
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
        return this.socket.writableLength;
    }
    send(data, optionsOrCallback, maybeCallback) {
        const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
        const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
        if (this.state !== ReadyState.OPEN) {
            if (callback)
                process.nextTick(callback, notOpenError(this.state));
            return;
        }
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
        writeFrame(this.socket, opcode, payload);
    }
    sendCloseFrame(code, reason) {
        this.closeFrameSent = true;
        if (this.socket.writable)
            writeFrame(this.socket, Opcode.CLOSE, encodeClosePayload(code, reason));
    }
    /**
     * Checks the send-buffer budget for `size` more bytes. A single frame may always go out on
     * an empty buffer; a peer that lets more than sendBufferLimit pile up is a slow consumer:
     * the frame is dropped and the connection closed with 1013.
     */
    reserve(size, callback) {
        const queued = this.socket.writableLength;
        if (this.sendBufferLimit === 0 || queued === 0 || queued + size <= this.sendBufferLimit)
            return true;
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
        if (!this.closeFrameSent)
            this.sendCloseFrame(error.closeCode);
        this.socket.end();
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
        onMessage(conn, data, isBinary) {
            conn.emit('message', data, isBinary);
        },
        onPing(conn, payload) {
            if (conn.state === ReadyState.OPEN)
                writeFrame(conn.socket, Opcode.PONG, payload);
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
            conn.socket.end();
            conn.armCloseTimer();
        },
        onProtocolError(conn, error) {
            conn.fail(error);
        },
    }; }
    static onSocketData(chunk) {
        this[kConnection]?.parser.push(chunk);
    }
    static onSocketEnd() {
        const conn = this[kConnection];
        if (conn === undefined)
            return;
        // The peer will send nothing more; with allowHalfOpen sockets we must end our side too.
        if (conn.state === ReadyState.OPEN)
            conn.state = ReadyState.CLOSING;
        conn.parser.stop();
        this.end();
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
        conn.emit('close', conn.closeCode, conn.closeReason);
    }
}
//# sourceMappingURL=connection.js.map