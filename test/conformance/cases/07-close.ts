import { BYTEWISE, WHOLE } from '../chunking.js';
import { close, continuation, frame, Op, ping, text } from '../frame.js';
import { asciiPayload, closesWith, expectPong, expectText, hex, type ConformanceCase, type Section } from './types.js';

// RFC 6455 7.4.1 and the IANA registry: codes an endpoint may send. 1012-1014 were registered
// after the RFC; 3000-4999 belong to libraries and applications.
const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
// Out of range, reserved never-on-the-wire (1004-1006, 1015) or unassigned (1016-2999).
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const sequences: ConformanceCase[] = [
  {
    id: '7.1.1',
    description: 'a text then a close: the text is echoed, then our close code',
    send: Buffer.concat([text('Hello World!'), close(1000)]),
    chunking: WHOLE,
    expect: closesWith(1000, [expectText('Hello World!')]),
  },
  {
    id: '7.1.2',
    description: 'a second close after the first is ignored: exactly one close frame comes back',
    send: Buffer.concat([close(1000), close(1001)]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.1.3',
    description: 'a ping after the close is not answered',
    send: Buffer.concat([close(1000), ping('after close')]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.1.4',
    description: 'a text after the close is not echoed',
    send: Buffer.concat([close(1000), text('after close')]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.1.5',
    description: 'a message completed after the close is not echoed',
    send: Buffer.concat([text('frag', { fin: false }), close(1000), continuation('ment')]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.1.6',
    description: 'pings, a 64 KiB text and a close in one write: pongs and echo come before the close',
    send: Buffer.concat([ping('1'), text(asciiPayload(65536)), ping('2'), close(1000)]),
    chunking: WHOLE,
    expect: closesWith(1000, [expectPong('1'), expectText(asciiPayload(65536)), expectPong('2')]),
  },
  {
    id: '7.1.7',
    description: 'a close sent one byte at a time is echoed and the server closes TCP',
    send: close(1000, 'bye'),
    chunking: BYTEWISE,
    expect: closesWith(1000),
  },
  {
    id: '7.1.8',
    description: 'garbage after the close is ignored: the close is echoed and the server closes TCP',
    send: Buffer.concat([close(1000), hex('ff ff ff ff 00 01 02 03')]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
];

const payloads: ConformanceCase[] = [
  {
    id: '7.3.1',
    // RFC 6455 5.5.1: the reply typically echoes the code; with none received, none or 1000.
    description: 'a close without payload is answered with a close without code, or 1000',
    send: close(),
    chunking: WHOLE,
    expect: closesWith([null, 1000]),
  },
  {
    id: '7.3.2',
    description: 'a close with a 1-byte payload fails the connection with 1002',
    send: frame({ opcode: Op.CLOSE, payload: hex('03') }),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '7.3.3',
    description: 'a close with code 1000 and no reason is echoed with 1000',
    send: close(1000),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.3.4',
    description: 'a close with code 1000 and a reason is echoed with 1000',
    send: close(1000, 'Hello World!'),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.3.5',
    description: 'a close with code 1000 and a 123-byte reason (125-byte payload) is echoed with 1000',
    send: close(1000, asciiPayload(123)),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.3.6',
    description: 'a close with a 124-byte reason (126-byte payload, too large) fails the connection with 1002',
    send: close(1000, asciiPayload(124)),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '7.3.7',
    description: 'a close with a multi-byte UTF-8 reason is echoed with 1000',
    send: close(1000, 'κόσμε 😀'),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
  {
    id: '7.5.1',
    description: 'a close reason that is not UTF-8 (a surrogate) fails the connection with 1007',
    send: close(1000, hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64')),
    chunking: WHOLE,
    expect: closesWith(1007),
  },
  {
    id: '7.5.2',
    description: 'a close reason ending in a truncated character fails the connection with 1007',
    send: close(1000, hex('ce ba ce')),
    chunking: WHOLE,
    expect: closesWith(1007),
  },
  {
    id: '7.5.3',
    description: 'a close reason with an overlong encoding fails the connection with 1007',
    send: close(1000, hex('c0 af')),
    chunking: WHOLE,
    expect: closesWith(1007),
  },
];

const validCodes: ConformanceCase[] = VALID_CODES.map((code, i) => ({
  id: `7.7.${i + 1}`,
  description: `a close with valid code ${code} is echoed with ${code}`,
  send: close(code, 'reason'),
  chunking: WHOLE,
  expect: closesWith(code),
}));

const invalidCodes: ConformanceCase[] = INVALID_CODES.map((code, i) => ({
  id: `7.9.${i + 1}`,
  description: `a close with invalid code ${code} fails the connection with 1002`,
  send: close(code),
  chunking: WHOLE,
  expect: closesWith(1002),
}));

export const closeSection: Section = {
  id: '7',
  title: 'Close handling',
  cases: [...sequences, ...payloads, ...validCodes, ...invalidCodes],
};
