import { BYTEWISE, WHOLE } from '../chunking.js';
import { binary, close, closePayload, continuation, frame, Op, ping, Rsv, text } from '../frame.js';
import { binaryPayload, closesWith, expectBinary, expectText, type ConformanceCase, type Section } from './types.js';

// No extension is ever negotiated by this client, so every RSV bit is a protocol error
// (RFC 6455 5.2), including RSV1, which only means "compressed" under permessage-deflate.
const BITS: readonly [string, number][] = [
  ['RSV1', Rsv.RSV1],
  ['RSV2', Rsv.RSV2],
  ['RSV3', Rsv.RSV3],
  ['all three RSV bits', Rsv.RSV1 | Rsv.RSV2 | Rsv.RSV3],
];

function perBit(section: string, what: string, build: (rsv: number) => Buffer): ConformanceCase[] {
  return BITS.map(([name, rsv], i) => ({
    id: `${section}.${i + 1}`,
    description: `${what} with ${name} set fails the connection with 1002`,
    send: build(rsv),
    chunking: WHOLE,
    expect: closesWith(1002),
  }));
}

export const reservedBitsSection: Section = {
  id: '3',
  title: 'Reserved bits',
  cases: [
    ...perBit('3.1', 'a text frame', (rsv) => text('Hello', { rsv })),
    ...perBit('3.2', 'a binary frame', (rsv) => binary(binaryPayload(16), { rsv })),
    ...perBit('3.3', 'a ping', (rsv) => ping('Hello', { rsv })),
    ...perBit('3.4', 'a close frame', (rsv) => frame({ opcode: Op.CLOSE, payload: closePayload(1000), rsv })),
    ...perBit('3.5', 'a continuation frame', (rsv) =>
      Buffer.concat([text('Hel', { fin: false }), continuation('lo', { rsv })]),
    ),
    {
      id: '3.6.1',
      description: 'a text echoed, then a text with RSV2, then a ping: the first is echoed, then 1002, no pong',
      send: Buffer.concat([text('before'), text('bad', { rsv: Rsv.RSV2 }), ping('never answered')]),
      chunking: WHOLE,
      expect: closesWith(1002, [expectText('before')]),
    },
    {
      id: '3.6.2',
      description: 'the same sent one byte at a time: the first is echoed, then 1002, no pong',
      send: Buffer.concat([text('before'), text('bad', { rsv: Rsv.RSV2 }), ping('never answered')]),
      chunking: BYTEWISE,
      expect: closesWith(1002, [expectText('before')]),
    },
    {
      id: '3.6.3',
      description: 'a binary echoed, then a binary with RSV3, then a text: the first is echoed, then 1002',
      send: Buffer.concat([
        binary(binaryPayload(40)),
        binary(binaryPayload(4), { rsv: Rsv.RSV3 }),
        text('never echoed'),
      ]),
      chunking: WHOLE,
      expect: closesWith(1002, [expectBinary(binaryPayload(40))]),
    },
    {
      id: '3.6.4',
      description: 'a text echoed, then a ping with RSV1, then a close: the first is echoed, then 1002',
      send: Buffer.concat([text('before'), ping('bad', { rsv: Rsv.RSV1 }), close(1000)]),
      chunking: BYTEWISE,
      expect: closesWith(1002, [expectText('before')]),
    },
  ],
};
