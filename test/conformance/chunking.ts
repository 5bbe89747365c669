/**
 * How the bytes of a case are handed to the socket: whole, in fixed-size pieces, or at
 * reproducible random split points. Each piece is its own write, with a turn of the event loop
 * in between, so the server's parser sees reads that end mid-header, mid-length, mid-mask and
 * mid-payload.
 */

export type Chunking =
  | { readonly kind: 'whole' }
  | { readonly kind: 'fixed'; readonly size: number }
  | { readonly kind: 'random'; readonly seed: number; readonly maxSize: number };

export const WHOLE: Chunking = { kind: 'whole' };
export const BYTEWISE: Chunking = { kind: 'fixed', size: 1 };
export const inPiecesOf = (size: number): Chunking => ({ kind: 'fixed', size });
export const randomSplits = (seed: number, maxSize = 64): Chunking => ({ kind: 'random', seed, maxSize });

export function split(bytes: Buffer, chunking: Chunking): Buffer[] {
  if (chunking.kind === 'whole' || bytes.length === 0) return [bytes];
  const next = chunking.kind === 'fixed' ? () => chunking.size : randomSizes(chunking.seed, chunking.maxSize);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = next();
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

export function describeChunking(chunking: Chunking): string {
  switch (chunking.kind) {
    case 'whole':
      return 'in one write';
    case 'fixed':
      return chunking.size === 1 ? 'one byte at a time' : `in ${chunking.size}-byte writes`;
    case 'random':
      return `split at random points (seed ${chunking.seed}, writes of 1-${chunking.maxSize} bytes)`;
  }
}

/** mulberry32: a tiny seeded generator, so a failing split reproduces from its seed. */
function randomSizes(seed: number, maxSize: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return 1 + Math.floor(unit * maxSize);
  };
}
