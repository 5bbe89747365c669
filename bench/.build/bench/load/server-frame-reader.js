const MAX_HEADER = 14;
const MAX_CONTROL_PAYLOAD = 125;
const EMPTY = Buffer.alloc(0);
export class ServerFrameReader {
    constructor(listener) {
        this.listener = listener;
        /** How many leading payload bytes of each data frame to hand to the listener. */
        this.dataCaptureLimit = 0;
        /** The limit for the current frame. */
        this.captureLimit = 0;
        this.capture = Buffer.allocUnsafe(MAX_CONTROL_PAYLOAD);
        this.captured = 0;
        this.header = Buffer.allocUnsafe(MAX_HEADER);
        this.headerFill = 0;
        this.inPayload = false;
        this.remaining = 0;
        this.opcode = 0;
        this.fin = false;
        this.payloadLength = 0;
        this.masked = false;
        this.maskingKey = Buffer.allocUnsafe(4);
    }
    /** Starts (or, with 0, stops) capturing the first `bytes` payload bytes of each data frame. */
    captureHead(bytes) {
        this.dataCaptureLimit = bytes;
        if (this.capture.length < bytes)
            this.capture = Buffer.allocUnsafe(bytes);
    }
    push(chunk) {
        const end = chunk.length;
        let at = 0;
        while (at < end) {
            if (this.inPayload) {
                const take = Math.min(this.remaining, end - at);
                if (this.captured < this.captureLimit)
                    this.copyHead(chunk, at, take);
                this.remaining -= take;
                at += take;
                if (this.remaining === 0)
                    this.finishFrame();
                continue;
            }
            if (this.headerFill === 0 && end - at >= 2) {
                // Fast path: the whole header is inside this chunk.
                const size = headerSize(chunk[at + 1]);
                if (end - at >= size) {
                    this.parseHeader(chunk, at);
                    at += size;
                    continue;
                }
            }
            // Slow path: gather the header across chunks.
            this.header[this.headerFill++] = chunk[at++];
            if (this.headerFill < 2)
                continue;
            const size = headerSize(this.header[1]);
            const take = Math.min(size - this.headerFill, end - at);
            chunk.copy(this.header, this.headerFill, at, at + take);
            this.headerFill += take;
            at += take;
            if (this.headerFill === size) {
                this.headerFill = 0;
                this.parseHeader(this.header, 0);
            }
        }
    }
    parseHeader(bytes, at) {
        const b0 = bytes[at];
        const b1 = bytes[at + 1];
        this.fin = (b0 & 0x80) !== 0;
        this.opcode = b0 & 0x0f;
        this.masked = (b1 & 0x80) !== 0;
        const length7 = b1 & 0x7f;
        let next = at + 2;
        if (length7 === 126) {
            this.payloadLength = bytes.readUInt16BE(next);
            next += 2;
        }
        else if (length7 === 127) {
            this.payloadLength = bytes.readUInt32BE(next) * 2 ** 32 + bytes.readUInt32BE(next + 4);
            next += 8;
        }
        else {
            this.payloadLength = length7;
        }
        if (this.masked)
            bytes.copy(this.maskingKey, 0, next, next + 4);
        this.captureLimit = this.opcode >= 0x8 ? MAX_CONTROL_PAYLOAD : this.dataCaptureLimit;
        this.captured = 0;
        this.remaining = this.payloadLength;
        if (this.payloadLength === 0)
            this.finishFrame();
        else
            this.inPayload = true;
    }
    copyHead(chunk, at, available) {
        const count = Math.min(available, this.captureLimit - this.captured);
        chunk.copy(this.capture, this.captured, at, at + count);
        if (this.masked) {
            for (let i = this.captured; i < this.captured + count; i++)
                this.capture[i] ^= this.maskingKey[i & 3];
        }
        this.captured += count;
    }
    finishFrame() {
        this.inPayload = false;
        const head = this.captured === 0 ? EMPTY : this.capture.subarray(0, this.captured);
        this.listener.onFrame(this.opcode, this.fin, this.payloadLength, head);
    }
}
/** Header bytes announced by the second header byte (length form and MASK bit). */
function headerSize(b1) {
    const length7 = b1 & 0x7f;
    return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
//# sourceMappingURL=server-frame-reader.js.map