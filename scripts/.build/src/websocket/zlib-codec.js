import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import { protocolError } from './errors.js';
/** The empty stored block a sync flush ends with (RFC 7692 section 7.2.1). */
export const DEFLATE_TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const kCodec = Symbol('websocket.zlibCodec');
/**
 * One raw-deflate stream (either direction) and the job running on it. A job writes one
 * whole message, flushes, and collects the output; the codec then either keeps its context
 * (context takeover), is `reset()` for the next message, or is closed. Only one job runs on a
 * codec at a time; callers queue through a ZlibLimiter.
 */
class ZlibCodec {
    constructor(windowBits) {
        this.windowBits = windowBits;
        this.chunks = [];
        this.length = 0;
        /** Largest output allowed for the running job; 0 = no limit. */
        this.limit = 0;
        this.callback = undefined;
        /** The running job compresses: its output loses the flush trailer. */
        this.stripTrailer = false;
        /** Set once the stream can no longer be used (error, limit, end of the deflate stream). */
        this.broken = false;
        /**
         * Jobs waiting for this codec while one runs on it (see CompressionPool.serially);
         * undefined when no job is running or waiting.
         */
        this.backlog = undefined;
        this.onFlushed = () => this.flushed();
    }
    /** True while a job runs on this codec or waits for it. */
    get busy() {
        return this.callback !== undefined || this.backlog !== undefined;
    }
    /** Clears the context for the next message (no context takeover). */
    reset() {
        if (this.broken)
            this.close();
        else
            this.stream?.reset();
    }
    /** Frees the zlib context; the next job creates a new one. */
    close() {
        const stream = this.stream;
        if (stream === undefined)
            return;
        this.stream = undefined;
        this.broken = false;
        delete stream[kCodec];
        stream.close();
    }
    /** Deflate jobs strip the trailer from the output, inflate jobs append it to the input. */
    start(input, compress, limit, callback) {
        if (this.broken)
            this.close();
        let stream = this.stream;
        if (stream === undefined) {
            stream = this.create();
            stream[kCodec] = this;
            stream.on('data', onData);
            stream.on('error', onError);
            stream.on('end', onEnd);
            this.stream = stream;
        }
        this.callback = callback;
        this.limit = limit;
        this.stripTrailer = compress;
        stream.write(input);
        if (!compress)
            stream.write(DEFLATE_TRAILER);
        stream.flush(constants.Z_SYNC_FLUSH, this.onFlushed);
    }
    collect(chunk) {
        if (this.callback === undefined)
            return;
        this.length += chunk.length;
        if (this.limit > 0 && this.length > this.limit) {
            // Stop here instead of inflating the rest: a few kilobytes may expand to gigabytes.
            const limit = this.limit;
            this.broken = true;
            this.close();
            this.settle(protocolError('WS_ERR_MESSAGE_TOO_BIG', `Message larger than ${limit} bytes once decompressed`));
            return;
        }
        this.chunks.push(chunk);
    }
    flushed() {
        if (this.callback === undefined)
            return;
        // An inflate stream ends when the peer used a final block (RFC 7692 7.2.3.4, allowed):
        // the context cannot continue, the next message gets a new one.
        const stream = this.stream;
        if (stream !== undefined && (stream.readableEnded || stream.writableEnded))
            this.broken = true;
        this.settle(undefined);
    }
    failed(error) {
        this.broken = true;
        if (this.callback === undefined)
            return;
        this.settle(this.error(error));
    }
    settle(error) {
        const callback = this.callback;
        const chunks = this.chunks;
        const length = this.length;
        this.callback = undefined;
        this.chunks = [];
        this.length = 0;
        if (error !== undefined) {
            callback(error, EMPTY);
            return;
        }
        let result = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
        if (this.stripTrailer && endsWithTrailer(result))
            result = result.subarray(0, result.length - 4);
        callback(undefined, result);
    }
    static onData(codec, chunk) {
        codec.collect(chunk);
    }
    static onError(codec, error) {
        codec.failed(error);
    }
    static onEnd(codec) {
        codec.broken = true;
    }
}
const EMPTY = Buffer.alloc(0);
function onData(chunk) {
    const codec = this[kCodec];
    if (codec !== undefined)
        ZlibCodec.onData(codec, chunk);
}
function onError(error) {
    // Listening also keeps a zlib error from crashing the process once the codec let go.
    const codec = this[kCodec];
    if (codec !== undefined)
        ZlibCodec.onError(codec, error);
}
function onEnd() {
    const codec = this[kCodec];
    if (codec !== undefined)
        ZlibCodec.onEnd(codec);
}
/** Decompresses messages of one peer (or, pooled, of anyone without context takeover). */
export class Inflater extends ZlibCodec {
    create() {
        return createInflateRaw({ windowBits: this.windowBits });
    }
    /**
     * Inflates one whole message: its payload with the 00 00 ff ff the sender removed put back
     * (RFC 7692 7.2.2). Fails with 1009 as soon as the output passes `maxPayload` (0 = no
     * limit), and with 1007 when the data is not valid deflate.
     */
    inflate(payload, maxPayload, callback) {
        this.start(payload, false, maxPayload, callback);
    }
    error(cause) {
        return protocolError('WS_ERR_INVALID_COMPRESSED_DATA', `Invalid compressed data: ${cause.message}`);
    }
}
/** Compresses our messages for one peer (context takeover) or for anyone (pooled). */
export class Deflater extends ZlibCodec {
    constructor(settings) {
        // zlib refuses an 8-bit window for raw deflate. A 9-bit one is safe for a peer that
        // asked for 8: zlib never emits a distance beyond the window minus 262 bytes (MAX_DIST),
        // 250 here, which fits in 256.
        super(Math.max(settings.windowBits, 9));
        this.level = settings.level;
        this.memLevel = settings.memLevel;
    }
    create() {
        return createDeflateRaw({ windowBits: this.windowBits, level: this.level, memLevel: this.memLevel });
    }
    /**
     * Compresses one whole message and removes the 00 00 ff ff the sync flush ends with
     * (RFC 7692 7.2.1). An empty message compresses to the single byte 00 (7.2.3.6).
     */
    deflate(payload, callback) {
        this.start(payload, true, 0, callback);
    }
    error(cause) {
        return protocolError('WS_ERR_COMPRESSION_FAILED', `Compression failed: ${cause.message}`);
    }
}
function endsWithTrailer(data) {
    const n = data.length;
    return n >= 4 && data[n - 4] === 0x00 && data[n - 3] === 0x00 && data[n - 2] === 0xff && data[n - 1] === 0xff;
}
//# sourceMappingURL=zlib-codec.js.map