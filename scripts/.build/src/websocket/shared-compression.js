import { encodeFrame } from './frame-writer.js';
const RSV1 = { rsv1: true };
/**
 * The frame a connection without server context takeover writes for `frame`. Such output
 * depends only on the message and the compressor settings (window, level, memLevel), so it
 * is built once per settings and shared by every recipient with those settings: a room
 * fan-out costs one compression. Connections with server context takeover cannot use it
 * (their peer's window would no longer match their compressor's) and compress on their own.
 *
 * Returns the bytes when they are ready; otherwise calls `waiter` once they are (never
 * synchronously), starting the compression if this is the first request.
 */
export function sharedCompressedFrame(frame, deflate, waiter) {
    const key = deflate.sharedKey;
    const variants = (frame.compressed ??= []);
    for (const variant of variants) {
        if (variant.key !== key)
            continue;
        if (variant.bytes !== undefined)
            return variant.bytes;
        variant.waiters.push(waiter);
        return undefined;
    }
    const variant = { key, bytes: undefined, waiters: [waiter] };
    variants.push(variant);
    deflate.pool.deflate(deflate.deflaterSettings, frame.payload, (error, compressed) => {
        // Without context takeover a plain message is always valid: used when compression fails
        // (the peer still gets its message) or does not make the frame smaller.
        const bytes = error === undefined && compressed.length < frame.payloadLength
            ? encodeFrame(frame.opcode, compressed, RSV1)
            : frame.bytes;
        variant.bytes = bytes;
        const waiters = variant.waiters;
        variant.waiters = [];
        for (const notify of waiters)
            notify(bytes);
    });
    return undefined;
}
//# sourceMappingURL=shared-compression.js.map