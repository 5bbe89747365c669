import { BYTEWISE, randomSplits, WHOLE } from '../chunking.js';
import { binary, close, continuation, ping, text } from '../frame.js';
import {
  asciiPayload,
  binaryPayload,
  closesWith,
  expectBinary,
  expectText,
  hex,
  staysOpen,
  type ConformanceCase,
  type Section,
} from './types.js';

const unmasked = { mask: false } as const;

const rejected: ConformanceCase[] = [
  {
    id: '10.1.1',
    description: 'an unmasked text frame fails the connection with 1002',
    send: text('Hello', unmasked),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '10.1.2',
    description: 'an unmasked binary frame fails the connection with 1002',
    send: binary(binaryPayload(10), unmasked),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '10.1.3',
    description: 'an unmasked ping fails the connection with 1002 and is not answered',
    send: ping('Hello', unmasked),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '10.1.4',
    description: 'an unmasked close fails the connection with 1002',
    send: close(1000, '', unmasked),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '10.1.5',
    description: 'an unmasked continuation after a masked first fragment fails the connection with 1002',
    send: Buffer.concat([text('Hel', { fin: false }), continuation('lo', unmasked)]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '10.1.6',
    description: 'a masked text echoed, then an unmasked one sent one byte at a time: echo, then 1002',
    send: Buffer.concat([text('masked'), text('unmasked', unmasked)]),
    chunking: BYTEWISE,
    expect: closesWith(1002, [expectText('masked')]),
  },
  {
    id: '10.1.7',
    description: 'an unmasked empty text frame fails the connection with 1002',
    send: text('', unmasked),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
];

// Every length 0-16 exercises the word-at-a-time unmasking paths and their byte-wise tails.
const lengths = Array.from({ length: 17 }, (_, n) => n);

const accepted: ConformanceCase[] = [
  {
    id: '10.2.1',
    description: 'a text masked with the all-zero key is echoed',
    send: text('zero key', { mask: hex('00 00 00 00') }),
    chunking: WHOLE,
    expect: staysOpen([expectText('zero key')]),
  },
  {
    id: '10.2.2',
    description: 'a binary masked with the all-ones key is echoed',
    send: binary(binaryPayload(77), { mask: hex('ff ff ff ff') }),
    chunking: WHOLE,
    expect: staysOpen([expectBinary(binaryPayload(77))]),
  },
  {
    id: '10.2.3',
    description: 'binary messages of every length from 0 to 16 bytes are echoed',
    send: Buffer.concat(lengths.map((n) => binary(binaryPayload(n)))),
    chunking: WHOLE,
    expect: staysOpen(lengths.map((n) => expectBinary(binaryPayload(n)))),
  },
  {
    id: '10.2.4',
    description: 'binary of 65536 bytes split at odd points keeps the mask aligned across reads',
    send: binary(binaryPayload(65536), { mask: hex('01 02 03 04') }),
    chunking: randomSplits(1024, 4093),
    expect: staysOpen([expectBinary(binaryPayload(65536))]),
  },
  {
    id: '10.2.5',
    description: 'fragments each with their own key, sent one byte at a time, are unmasked separately',
    send: Buffer.concat([
      text('abcde', { fin: false, mask: hex('11 22 33 44') }),
      continuation('fghij', { fin: false, mask: hex('aa bb cc dd') }),
      continuation(asciiPayload(7), { mask: hex('00 00 00 01') }),
    ]),
    chunking: BYTEWISE,
    expect: staysOpen([expectText(Buffer.concat([Buffer.from('abcdefghij'), asciiPayload(7)]))]),
  },
];

export const maskingSection: Section = {
  id: '10',
  title: 'Client masking',
  cases: [...rejected, ...accepted],
};
