import { BYTEWISE, describeChunking, inPiecesOf, randomSplits, WHOLE, type Chunking } from '../chunking.js';
import { binary, frame, Op, text, type LengthEncoding } from '../frame.js';
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

// The boundaries of the three length encodings: 7-bit up to 125, 16-bit from 126 to 65535,
// 64-bit from 65536.
const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

function lengthCases(kind: 'text' | 'binary', section: string, seed: number): ConformanceCase[] {
  const payloadOf = kind === 'text' ? asciiPayload : binaryPayload;
  const build = kind === 'text' ? text : binary;
  const expect = kind === 'text' ? expectText : expectBinary;
  const one = (n: number, length: number, chunking: Chunking): ConformanceCase => {
    const payload = payloadOf(length);
    return {
      id: `${section}.${n}`,
      description: `${kind} message of ${length} bytes sent ${describeChunking(chunking)} is echoed`,
      send: build(payload),
      chunking,
      expect: staysOpen([expect(payload)]),
    };
  };
  return [
    ...LENGTHS.map((length, i) => one(i + 1, length, WHOLE)),
    one(8, 65536, inPiecesOf(997)),
    one(9, 65535, randomSplits(seed, 512)),
    one(10, 128, BYTEWISE),
    one(11, 126, BYTEWISE),
  ];
}

// RFC 6455 5.2 asks the sender for the minimal length encoding but gives the receiver no duty
// to enforce it, and our contract does not make it a violation: such frames are accepted.
function encodingCase(
  n: number,
  kind: 'text' | 'binary',
  length: number,
  lengthEncoding: LengthEncoding,
): ConformanceCase {
  const payload = kind === 'text' ? asciiPayload(length) : binaryPayload(length);
  return {
    id: `1.3.${n}`,
    description: `${kind} message of ${length} bytes with a ${lengthEncoding}-bit length field is echoed`,
    send: frame({ opcode: kind === 'text' ? Op.TEXT : Op.BINARY, payload, lengthEncoding }),
    chunking: BYTEWISE,
    expect: staysOpen([kind === 'text' ? expectText(payload) : expectBinary(payload)]),
  };
}

function batchCases(): ConformanceCase[] {
  const messages = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? binaryPayload(i * 13) : asciiPayload(i * 7)));
  const frames = messages.map((m, i) => (i % 3 === 0 ? binary(m) : text(m)));
  const expected = messages.map((m, i) => (i % 3 === 0 ? expectBinary(m) : expectText(m)));
  const three = [asciiPayload(5), binaryPayload(200), asciiPayload(70000)];
  return [
    {
      id: '1.4.1',
      description: 'three messages in one write are echoed in order',
      send: Buffer.concat([text(three[0]), binary(three[1]), text(three[2])]),
      chunking: WHOLE,
      expect: staysOpen([expectText(three[0]), expectBinary(three[1]), expectText(three[2])]),
    },
    {
      id: '1.4.2',
      description: 'three small messages sent one byte at a time are echoed in order',
      send: Buffer.concat([text('a'), binary(binaryPayload(3)), text('')]),
      chunking: BYTEWISE,
      expect: staysOpen([expectText('a'), expectBinary(binaryPayload(3)), expectText('')]),
    },
    {
      id: '1.4.3',
      description: `100 text and binary messages ${describeChunking(randomSplits(3, 300))} are echoed in order`,
      send: Buffer.concat(frames),
      chunking: randomSplits(3, 300),
      expect: staysOpen(expected),
    },
  ];
}

export const framingSection: Section = {
  id: '1',
  title: 'Framing',
  cases: [
    ...lengthCases('text', '1.1', 11),
    ...lengthCases('binary', '1.2', 12),
    encodingCase(1, 'text', 5, 16),
    encodingCase(2, 'text', 5, 64),
    encodingCase(3, 'binary', 300, 64),
    {
      id: '1.3.4',
      // RFC 6455 5.2: "the most significant bit MUST be 0"; such a header is malformed.
      description: 'a 64-bit length with the most significant bit set fails the connection with 1002',
      send: frame({ opcode: Op.BINARY, declaredLength: 0x8000_0000_0000_0005n }),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
    ...batchCases(),
  ],
};
