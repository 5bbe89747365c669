import { describeChunking, inPiecesOf, WHOLE, type Chunking } from '../chunking.js';
import { binary, continuation, fragments, frame, Op, pieces, text } from '../frame.js';
import {
  asciiPayload,
  binaryPayload,
  closesWith,
  expectBinary,
  expectText,
  staysOpen,
  type ConformanceCase,
  type Section,
} from './types.js';

const KIB = 1024;
const MIB = 1024 * KIB;
/** WS_MAX_PAYLOAD defaults to 1048576 (README, "Configuration"); a message of exactly that size is allowed. */
const MAX_PAYLOAD = MIB;
const LARGE_TIMEOUT_MS = 10_000;

const sizeName = (n: number) => (n >= MIB ? `${n / MIB} MiB` : `${n / KIB} KiB`);

function largeCases(kind: 'text' | 'binary', section: string): ConformanceCase[] {
  const chunkings: Chunking[] = [WHOLE, inPiecesOf(4 * KIB), inPiecesOf(64 * KIB)];
  const sizes = [64 * KIB, 256 * KIB, MIB];
  return sizes
    .flatMap((size) => chunkings.map((chunking) => ({ size, chunking })))
    .map(({ size, chunking }, i) => {
      const payload = kind === 'text' ? asciiPayload(size) : binaryPayload(size);
      return {
        id: `${section}.${i + 1}`,
        description: `${kind} message of ${sizeName(size)} sent ${describeChunking(chunking)} is echoed`,
        send: kind === 'text' ? text(payload) : binary(payload),
        chunking,
        expect: staysOpen([kind === 'text' ? expectText(payload) : expectBinary(payload)]),
        timeoutMs: LARGE_TIMEOUT_MS,
      };
    });
}

function fragmentedCases(): ConformanceCase[] {
  const variants: [kind: 'text' | 'binary', fragmentSize: number][] = [
    ['text', 256],
    ['text', 4 * KIB],
    ['text', 64 * KIB],
    ['text', 512 * KIB],
    ['binary', KIB],
    ['binary', 256 * KIB],
  ];
  return variants.map(([kind, fragmentSize], i) => {
    const payload = kind === 'text' ? asciiPayload(MIB) : binaryPayload(MIB);
    return {
      id: `9.3.${i + 1}`,
      description: `${kind} message of 1 MiB (the limit) in ${MIB / fragmentSize} fragments of ${fragmentSize} bytes is echoed`,
      send: Buffer.concat(fragments(kind === 'text' ? Op.TEXT : Op.BINARY, pieces(payload, fragmentSize))),
      chunking: inPiecesOf(64 * KIB),
      expect: staysOpen([kind === 'text' ? expectText(payload) : expectBinary(payload)]),
      timeoutMs: LARGE_TIMEOUT_MS,
    };
  });
}

// Only headers are sent for the oversized frames: the server must judge the size from the
// header, without waiting for (or buffering) the payload.
const overLimit: ConformanceCase[] = [
  {
    id: '9.4.1',
    description: 'a text header declaring 1 MiB + 1 byte fails the connection with 1009 before any payload',
    send: frame({ opcode: Op.TEXT, declaredLength: MAX_PAYLOAD + 1 }),
    chunking: WHOLE,
    expect: closesWith(1009),
  },
  {
    id: '9.4.2',
    description: 'a binary header declaring 1 MiB + 1 byte fails the connection with 1009 before any payload',
    send: frame({ opcode: Op.BINARY, declaredLength: MAX_PAYLOAD + 1 }),
    chunking: WHOLE,
    expect: closesWith(1009),
  },
  {
    id: '9.4.3',
    description: 'a binary header declaring 2^53 - 1 bytes fails the connection with 1009',
    send: frame({ opcode: Op.BINARY, declaredLength: 2n ** 53n - 1n }),
    chunking: WHOLE,
    expect: closesWith(1009),
  },
  {
    id: '9.4.4',
    description: 'a text of 512 KiB then a continuation header declaring 512 KiB + 1 fails with 1009',
    send: Buffer.concat([
      text(asciiPayload(512 * KIB), { fin: false }),
      frame({ opcode: Op.CONTINUATION, declaredLength: 512 * KIB + 1 }),
    ]),
    chunking: inPiecesOf(64 * KIB),
    expect: closesWith(1009),
    timeoutMs: LARGE_TIMEOUT_MS,
  },
  {
    id: '9.4.5',
    description: '16 binary fragments of 64 KiB (exactly 1 MiB) then a 1-byte continuation header fails with 1009',
    send: Buffer.concat([
      ...pieces(binaryPayload(MIB), 64 * KIB).map((p, i) =>
        frame({ opcode: i === 0 ? Op.BINARY : Op.CONTINUATION, fin: false, payload: p }),
      ),
      frame({ opcode: Op.CONTINUATION, declaredLength: 1 }),
    ]),
    chunking: inPiecesOf(64 * KIB),
    expect: closesWith(1009),
    timeoutMs: LARGE_TIMEOUT_MS,
  },
  {
    id: '9.4.6',
    description: 'a 1 MiB text echoed, then a header declaring 1 MiB + 1: echo, then 1009',
    send: Buffer.concat([text(asciiPayload(MIB)), frame({ opcode: Op.TEXT, declaredLength: MAX_PAYLOAD + 1 })]),
    chunking: inPiecesOf(64 * KIB),
    expect: closesWith(1009, [expectText(asciiPayload(MIB))]),
    timeoutMs: LARGE_TIMEOUT_MS,
  },
  {
    id: '9.4.7',
    description:
      'empty fragments do not reset the running size: 1 MiB, an empty fragment, then 1 more byte fails with 1009',
    send: Buffer.concat([
      text(asciiPayload(MIB), { fin: false }),
      continuation('', { fin: false }),
      frame({ opcode: Op.CONTINUATION, declaredLength: 1 }),
    ]),
    chunking: inPiecesOf(64 * KIB),
    expect: closesWith(1009),
    timeoutMs: LARGE_TIMEOUT_MS,
  },
];

export const limitsSection: Section = {
  id: '9',
  title: 'Large messages and the size limit',
  cases: [...largeCases('text', '9.1'), ...largeCases('binary', '9.2'), ...fragmentedCases(), ...overLimit],
};
