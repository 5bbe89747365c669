import { constants, deflateRawSync } from 'node:zlib';
import { BYTEWISE, randomSplits, WHOLE } from '../chunking.js';
import { ClientCompressor, parseDeflateResponse } from '../deflate.js';
import { close, closePayload, continuation, frame, Op, ping, Rsv, text } from '../frame.js';
import { closesWith, expectPong, staysOpen, type ConformanceCase, type ExpectedEvent, type Section } from './types.js';

/** What a browser offers on every connection. */
export const BROWSER_OFFER = 'permessage-deflate; client_max_window_bits';

/** How the target server is set up, as far as the cases of section 12 need to know. */
export interface CompressionProfile {
  /** The 101's answer to BROWSER_OFFER. */
  readonly negotiated: string;
  /** Whether the echo of a compressible message of `size` bytes must come back compressed. */
  readonly echoCompressed: (size: number) => boolean;
}

const SIZES = [16, 64, 256, 1024, 4096, 8192, 16_384, 65_536, 131_072];

/** Chat-like text: compresses well, and differs for every seed. */
export function chatText(length: number, seed: number): Buffer {
  const words = ['hello', 'deploy', 'room', 'lunch', 'done', 'build', 'green', 'ship', 'it', 'ok', 'thanks', 'see'];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = `${words[(i * 7 + seed * 3 + (i >> 4)) % words.length]}${i % 13 === 0 ? '.\n' : ' '}`;
    parts.push(word);
    size += word.length;
  }
  return Buffer.from(parts.join('').slice(0, length));
}

/** Binary with structure (it compresses), unlike random bytes. */
function structuredBinary(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i % 64 < 48 ? i % 7 : i * 31) & 0xff;
  return out;
}

/** A compressed data frame: RSV1 on the first frame of the message. */
function compressedFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  return frame({ opcode, payload, rsv: Rsv.RSV1, fin });
}

function syncFlushed(data: Buffer | string, options: { level?: number } = {}): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, ...options });
  return out.subarray(0, out.length - 4);
}

/** Section 12 for one server profile; the offer is BROWSER_OFFER throughout. */
export function compressionSection(profile: CompressionProfile): Section {
  const agreed = parseDeflateResponse(profile.negotiated);
  if (typeof agreed === 'string') throw new Error(`bad profile: ${agreed}`);
  /** A fresh compressor per case: each case runs on its own connection. */
  const compressor = () =>
    new ClientCompressor({ noContextTakeover: agreed.clientNoContextTakeover, windowBits: agreed.clientMaxWindowBits });
  const echo = (data: Buffer, binary = false): ExpectedEvent => ({
    type: 'message',
    binary,
    data,
    compressed: profile.echoCompressed(data.length),
  });
  const base = { offer: BROWSER_OFFER, negotiated: profile.negotiated };

  const cases: ConformanceCase[] = [];
  const add = (c: Omit<ConformanceCase, 'offer' | 'negotiated'>) => cases.push({ ...base, ...c });

  SIZES.forEach((size, i) => {
    const message = chatText(size, i);
    add({
      id: `12.1.${i + 1}`,
      description: `a compressed text of ${size} bytes is echoed intact${profile.echoCompressed(size) ? ', compressed' : ''}`,
      send: compressedFrame(Op.TEXT, compressor().compress(message)),
      chunking: WHOLE,
      expect: staysOpen([echo(message)]),
      timeoutMs: 5000,
    });
  });

  SIZES.forEach((size, i) => {
    const message = structuredBinary(size);
    add({
      id: `12.2.${i + 1}`,
      description: `a compressed binary message of ${size} bytes is echoed intact`,
      send: compressedFrame(Op.BINARY, compressor().compress(message)),
      chunking: WHOLE,
      expect: staysOpen([echo(message, true)]),
      timeoutMs: 5000,
    });
  });

  [16, 1024, 4096].forEach((size, i) => {
    const c = compressor();
    const messages = Array.from({ length: 10 }, (_, n) => chatText(size, n % 3));
    const send = Buffer.concat(messages.map((m) => compressedFrame(Op.TEXT, c.compress(m))));
    add({
      id: `12.3.${i + 1}`,
      description: `10 compressed texts of ${size} bytes back to back are echoed in order (context kept as agreed)`,
      send,
      chunking: WHOLE,
      expect: staysOpen(messages.map((m) => echo(m))),
    });
    add({
      id: `12.4.${i + 1}`,
      description: `the same sent ${size === 16 ? 'one byte at a time' : 'at random split points'}`,
      send,
      chunking: size === 16 ? BYTEWISE : randomSplits(1200 + i, 97),
      expect: staysOpen(messages.map((m) => echo(m))),
      timeoutMs: 5000,
    });
  });

  [
    [4096, 1],
    [4096, 64],
    [65_536, 1000],
  ].forEach(([size, fragmentSize], i) => {
    const message = chatText(size, 7);
    const compressed = compressor().compress(message);
    const parts: Buffer[] = [];
    for (let at = 0; at < compressed.length; at += fragmentSize) parts.push(compressed.subarray(at, at + fragmentSize));
    const frames = parts.map((part, n) =>
      n === 0
        ? compressedFrame(Op.TEXT, part, parts.length === 1)
        : continuation(part, { fin: n === parts.length - 1 }),
    );
    add({
      id: `12.5.${i + 1}`,
      description: `a compressed text of ${size} bytes in ${parts.length} fragments of ${fragmentSize} compressed bytes (RSV1 on the first only) is echoed once`,
      send: Buffer.concat(frames),
      chunking: WHOLE,
      expect: staysOpen([echo(message)]),
      timeoutMs: 5000,
    });
  });

  {
    const message = chatText(3000, 9);
    const compressed = compressor().compress(message);
    const half = compressed.length >> 1;
    add({
      id: '12.6.1',
      description: 'a ping between the fragments of a compressed message is answered first, then the message echoed',
      send: Buffer.concat([
        compressedFrame(Op.TEXT, compressed.subarray(0, half), false),
        ping('between'),
        continuation(compressed.subarray(half)),
      ]),
      chunking: WHOLE,
      expect: staysOpen([expectPong('between'), echo(message)], true),
    });
  }

  {
    const c = compressor();
    const messages = [
      chatText(40, 1),
      chatText(5000, 2),
      chatText(3, 3),
      chatText(2000, 4),
      chatText(70_000, 5),
      chatText(1, 6),
    ];
    const send = Buffer.concat(
      messages.map((m, n) => (n % 2 === 0 ? text(m) : compressedFrame(Op.TEXT, c.compress(m)))),
    );
    add({
      id: '12.7.1',
      description: 'compressed and uncompressed messages mixed are echoed in the order sent',
      send,
      chunking: WHOLE,
      expect: staysOpen(messages.map((m) => echo(m))),
    });
    add({
      id: '12.7.2',
      description: 'the same at random split points',
      send,
      chunking: randomSplits(127, 300),
      expect: staysOpen(messages.map((m) => echo(m))),
      timeoutMs: 5000,
    });
  }

  const empty = Buffer.alloc(0);
  add({
    id: '12.8.1',
    description: 'an empty compressed message (the single byte 00) is echoed as an empty text',
    send: compressedFrame(Op.TEXT, Buffer.from([0x00])),
    chunking: WHOLE,
    expect: staysOpen([echo(empty)]),
  });
  add({
    id: '12.8.2',
    description: 'a compressed message ending in a final block (BFINAL = 1, RFC 7692 7.2.3.4) is echoed',
    send: compressedFrame(Op.TEXT, deflateRawSync(chatText(2000, 2))),
    chunking: WHOLE,
    expect: staysOpen([echo(chatText(2000, 2))]),
  });
  add({
    id: '12.8.3',
    description: 'a message of uncompressed (stored) deflate blocks is echoed',
    send: compressedFrame(Op.TEXT, syncFlushed(chatText(3000, 3), { level: 0 })),
    chunking: WHOLE,
    expect: staysOpen([echo(chatText(3000, 3))]),
  });
  {
    // Two sync-flushed pieces: the payload holds an empty stored block in the middle.
    const first = deflateRawSync(chatText(1500, 4), { finishFlush: constants.Z_SYNC_FLUSH });
    const second = syncFlushed(chatText(1500, 5));
    add({
      id: '12.8.4',
      description: 'a compressed payload with a sync flush (00 00 ff ff) in its middle is echoed whole',
      send: compressedFrame(Op.TEXT, Buffer.concat([first, second])),
      chunking: WHOLE,
      expect: staysOpen([echo(Buffer.concat([chatText(1500, 4), chatText(1500, 5)]))]),
    });
  }

  const error = (id: string, description: string, send: Buffer, code: number, events: ExpectedEvent[] = []) =>
    add({ id, description, send, chunking: WHOLE, expect: closesWith(code, events), timeoutMs: 5000 });
  const hello = compressor().compress('Hello');
  error(
    '12.9.1',
    'RSV1 on a continuation frame fails with 1002',
    Buffer.concat([text('Hel', { fin: false }), continuation('lo', { rsv: Rsv.RSV1 })]),
    1002,
  );
  error(
    '12.9.2',
    'RSV1 on the continuation of a compressed message fails with 1002',
    Buffer.concat([
      compressedFrame(Op.TEXT, hello.subarray(0, 2), false),
      frame({ opcode: Op.CONTINUATION, payload: hello.subarray(2), rsv: Rsv.RSV1 }),
    ]),
    1002,
  );
  error('12.9.3', 'RSV1 on a ping fails with 1002, unanswered', ping('compressed?', { rsv: Rsv.RSV1 }), 1002);
  error(
    '12.9.4',
    'RSV1 on a close frame fails with 1002',
    frame({ opcode: Op.CLOSE, payload: closePayload(1000), rsv: Rsv.RSV1 }),
    1002,
  );
  error(
    '12.9.5',
    'RSV2 on a compressed text fails with 1002 (only RSV1 is negotiated)',
    frame({ opcode: Op.TEXT, payload: hello, rsv: Rsv.RSV1 | Rsv.RSV2 }),
    1002,
  );
  error(
    '12.9.6',
    'a compressed text that is not valid deflate fails with 1007, after echoing the message before it',
    Buffer.concat([text('before'), compressedFrame(Op.TEXT, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))]),
    1007,
    [{ type: 'message', binary: false, data: Buffer.from('before') }],
  );
  error(
    '12.9.7',
    'a compressed text that inflates to invalid UTF-8 fails with 1007',
    compressedFrame(Op.TEXT, syncFlushed(Buffer.from([0x61, 0xed, 0xa0, 0x80]))),
    1007,
  );
  error(
    '12.9.8',
    'a compressed text that inflates to a truncated UTF-8 sequence fails with 1007',
    compressedFrame(Op.TEXT, syncFlushed(Buffer.from([0x61, 0xe2, 0x82]))),
    1007,
  );
  error(
    '12.9.9',
    'a compressed message of 16 KiB that inflates to 16 MiB fails with 1009 (limit 1 MiB, after inflating)',
    compressedFrame(Op.BINARY, syncFlushed(Buffer.alloc(16 * 1024 * 1024))),
    1009,
  );
  error(
    '12.9.10',
    'a compressed message then a close: the echo goes out before the close is answered',
    Buffer.concat([compressedFrame(Op.TEXT, compressor().compress(chatText(5000, 8))), close(1000)]),
    1000,
    [echo(chatText(5000, 8))],
  );

  return { id: '12', title: 'Compressed messages (permessage-deflate, RFC 7692)', cases };
}
