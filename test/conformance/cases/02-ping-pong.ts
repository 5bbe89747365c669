import { BYTEWISE, WHOLE } from '../chunking.js';
import { binary, frame, Op, ping, pong, text } from '../frame.js';
import {
  asciiPayload,
  binaryPayload,
  closesWith,
  expectBinary,
  expectPong,
  expectText,
  hex,
  staysOpen,
  type Section,
} from './types.js';

const tenPings = Array.from({ length: 10 }, (_, i) => Buffer.from(`ping ${i}`));

export const pingPongSection: Section = {
  id: '2',
  title: 'Pings and pongs',
  cases: [
    {
      id: '2.1',
      description: 'a ping without payload is answered with an empty pong',
      send: ping(),
      chunking: WHOLE,
      expect: staysOpen([expectPong()]),
    },
    {
      id: '2.2',
      description: 'a ping with a text payload is answered with a pong carrying the same payload',
      send: ping('Hello, world!'),
      chunking: WHOLE,
      expect: staysOpen([expectPong('Hello, world!')]),
    },
    {
      id: '2.3',
      description: 'a ping with a binary payload is answered with a pong carrying the same bytes',
      send: ping(hex('00 ff fe fd fc fb 00 ff')),
      chunking: WHOLE,
      expect: staysOpen([expectPong(hex('00 ff fe fd fc fb 00 ff'))]),
    },
    {
      id: '2.4',
      description: 'a ping with the largest control payload (125 bytes) is answered',
      send: ping(binaryPayload(125)),
      chunking: WHOLE,
      expect: staysOpen([expectPong(binaryPayload(125))]),
    },
    {
      id: '2.5',
      description: 'a ping with 126 bytes (control frame too large) fails the connection with 1002',
      send: frame({ opcode: Op.PING, payload: binaryPayload(126) }),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
    {
      id: '2.6',
      description: 'a 125-byte ping sent one byte at a time is answered',
      send: ping(asciiPayload(125)),
      chunking: BYTEWISE,
      expect: staysOpen([expectPong(asciiPayload(125))]),
    },
    {
      id: '2.7',
      description: 'an unsolicited pong without payload is ignored',
      send: pong(),
      chunking: WHOLE,
      expect: staysOpen([]),
    },
    {
      id: '2.8',
      description: 'an unsolicited pong with payload is ignored',
      send: pong('unsolicited pong payload'),
      chunking: WHOLE,
      expect: staysOpen([]),
    },
    {
      id: '2.9',
      description: 'an unsolicited pong followed by a ping: only the ping is answered',
      send: Buffer.concat([pong('unsolicited pong payload'), ping('ping payload')]),
      chunking: WHOLE,
      expect: staysOpen([expectPong('ping payload')]),
    },
    {
      id: '2.10',
      description: '10 pings in one write are answered by 10 pongs in order',
      send: Buffer.concat(tenPings.map((p) => ping(p))),
      chunking: WHOLE,
      expect: staysOpen(tenPings.map((p) => expectPong(p))),
    },
    {
      id: '2.11',
      description: '10 pings sent one byte at a time are answered by 10 pongs in order',
      send: Buffer.concat(tenPings.map((p) => ping(p))),
      chunking: BYTEWISE,
      expect: staysOpen(tenPings.map((p) => expectPong(p))),
    },
    {
      id: '2.12',
      description: 'pings interleaved with text and binary messages are all answered, messages echoed',
      send: Buffer.concat([ping('a'), text('first'), ping('b'), binary(binaryPayload(300)), ping('c'), text('last')]),
      chunking: WHOLE,
      expect: staysOpen([
        expectPong('a'),
        expectText('first'),
        expectPong('b'),
        expectBinary(binaryPayload(300)),
        expectPong('c'),
        expectText('last'),
      ]),
    },
    {
      id: '2.13',
      description: 'a ping and a pong with payload interleaved with messages: only the ping is answered',
      send: Buffer.concat([text('one'), pong('ignored'), ping('answered'), text('two')]),
      chunking: BYTEWISE,
      expect: staysOpen([expectText('one'), expectPong('answered'), expectText('two')]),
    },
    {
      id: '2.14',
      description: 'a pong with 126 bytes (control frame too large) fails the connection with 1002',
      send: frame({ opcode: Op.PONG, payload: binaryPayload(126) }),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
  ],
};
