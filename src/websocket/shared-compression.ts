import { COMPRESSED, encodeFrame, type SharedFrame } from './frame-writer.js';
import type { PerMessageDeflate } from './permessage-deflate.js';

/** Receives the bytes to write for a prepared frame: compressed, or plain when that is smaller. */
export type VariantWaiter = (bytes: Buffer) => void;

/** One compressed form of a prepared frame, for every connection whose compressor matches. */
export interface CompressedVariant {
  readonly key: number;
  /** The frame to write; undefined while it is being compressed. */
  bytes: Buffer | undefined;
  waiters: VariantWaiter[];
}

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
export function sharedCompressedFrame(
  frame: SharedFrame,
  deflate: PerMessageDeflate,
  waiter: VariantWaiter,
): Buffer | undefined {
  const key = deflate.sharedKey;
  const variants = (frame.compressed ??= []);
  for (const variant of variants) {
    if (variant.key !== key) continue;
    if (variant.bytes !== undefined) return variant.bytes;
    variant.waiters.push(waiter);
    return undefined;
  }
  const variant: CompressedVariant = { key, bytes: undefined, waiters: [waiter] };
  variants.push(variant);
  deflate.pool.deflate(deflate.deflaterSettings, frame.payload, (error, compressed) => {
    // Without context takeover a plain message is always valid: used when compression fails
    // (the peer still gets its message) or does not make the frame smaller.
    const bytes =
      error === undefined && compressed.length < frame.payloadLength
        ? encodeFrame(frame.opcode, compressed, COMPRESSED)
        : frame.bytes;
    variant.bytes = bytes;
    const waiters = variant.waiters;
    variant.waiters = [];
    for (const notify of waiters) notify(bytes);
  });
  return undefined;
}
