import { BYTEWISE, randomSplits, WHOLE } from '../chunking.js';
import { binary, close, continuation, fragments, Op, pieces, ping, pong, text } from '../frame.js';
import {
  asciiPayload,
  binaryPayload,
  closesWith,
  expectBinary,
  expectPong,
  expectText,
  staysOpen,
  type ConformanceCase,
  type Section,
  compareIds,
} from './types.js';

const twoParts = ['fragment1', 'fragment2'];
const twoFragments = Buffer.concat(fragments(Op.TEXT, twoParts));
const withPingBetween = Buffer.concat([
  text(twoParts[0], { fin: false }),
  ping('ping between'),
  continuation(twoParts[1]),
]);
const fivePartsWithPings = Buffer.concat(
  ['one', 'two', 'three', 'four', 'five'].flatMap((part, i, all) => {
    const piece = i === 0 ? text(part, { fin: false }) : continuation(part, { fin: i === all.length - 1 });
    return i < all.length - 1 ? [piece, ping(`ping ${i}`)] : [piece];
  }),
);
const fivePongs = [0, 1, 2, 3].map((i) => expectPong(`ping ${i}`));

const accepted: ConformanceCase[] = [
  {
    id: '5.3',
    description: 'text in 2 fragments is echoed once',
    send: twoFragments,
    chunking: WHOLE,
    expect: staysOpen([expectText('fragment1fragment2')]),
  },
  {
    id: '5.4',
    description: 'text in 2 fragments sent at random split points is echoed once',
    send: twoFragments,
    chunking: randomSplits(54, 7),
    expect: staysOpen([expectText('fragment1fragment2')]),
  },
  {
    id: '5.5',
    description: 'text in 2 fragments sent one byte at a time is echoed once',
    send: twoFragments,
    chunking: BYTEWISE,
    expect: staysOpen([expectText('fragment1fragment2')]),
  },
  {
    id: '5.6',
    description: 'fragmented text with a ping between fragments is echoed once, after the pong',
    send: withPingBetween,
    chunking: WHOLE,
    expect: staysOpen([expectPong('ping between'), expectText('fragment1fragment2')], true),
  },
  {
    id: '5.7',
    description: 'the same sent at random split points: pong, then the echo',
    send: withPingBetween,
    chunking: randomSplits(57, 5),
    expect: staysOpen([expectPong('ping between'), expectText('fragment1fragment2')], true),
  },
  {
    id: '5.8',
    description: 'the same sent one byte at a time: pong, then the echo',
    send: withPingBetween,
    chunking: BYTEWISE,
    expect: staysOpen([expectPong('ping between'), expectText('fragment1fragment2')], true),
  },
  {
    id: '5.19',
    description: 'text in 5 fragments with a ping after each but the last: 4 pongs, then one echo',
    send: fivePartsWithPings,
    chunking: WHOLE,
    expect: staysOpen([...fivePongs, expectText('onetwothreefourfive')], true),
  },
  {
    id: '5.20',
    description: 'the same sent one byte at a time: 4 pongs, then one echo',
    send: fivePartsWithPings,
    chunking: BYTEWISE,
    expect: staysOpen([...fivePongs, expectText('onetwothreefourfive')], true),
  },
  {
    id: '5.21',
    description: 'binary in 2 fragments is echoed once as binary',
    send: Buffer.concat(fragments(Op.BINARY, [binaryPayload(100), binaryPayload(300)])),
    chunking: WHOLE,
    expect: staysOpen([expectBinary(Buffer.concat([binaryPayload(100), binaryPayload(300)]))]),
  },
  {
    id: '5.22',
    description: 'binary of 65536 bytes in 64 fragments is echoed once',
    send: Buffer.concat(fragments(Op.BINARY, pieces(binaryPayload(65536), 1024))),
    chunking: randomSplits(522, 3000),
    expect: staysOpen([expectBinary(binaryPayload(65536))]),
  },
  {
    id: '5.23',
    description: 'text of 300 bytes in 300 one-byte fragments is echoed once',
    send: Buffer.concat(fragments(Op.TEXT, pieces(asciiPayload(300), 1))),
    chunking: WHOLE,
    expect: staysOpen([expectText(asciiPayload(300))]),
  },
  {
    id: '5.24',
    description: 'text with empty first, middle and last fragments is echoed once',
    send: Buffer.concat(fragments(Op.TEXT, ['', 'ab', '', '', 'cd', ''])),
    chunking: BYTEWISE,
    expect: staysOpen([expectText('abcd')]),
  },
  {
    id: '5.25',
    description: 'a text of only empty fragments is echoed as an empty text',
    send: Buffer.concat(fragments(Op.TEXT, ['', '', ''])),
    chunking: WHOLE,
    expect: staysOpen([expectText('')]),
  },
  {
    id: '5.26',
    description: 'an unsolicited pong between fragments is ignored and the text echoed once',
    send: Buffer.concat([text('frag', { fin: false }), pong('ignored'), continuation('ment')]),
    chunking: WHOLE,
    expect: staysOpen([expectText('fragment')]),
  },
  {
    id: '5.27',
    description: 'two fragmented messages back to back, text then binary, are echoed in order',
    send: Buffer.concat([
      ...fragments(Op.TEXT, ['ab', 'cd']),
      ...fragments(Op.BINARY, [binaryPayload(3), binaryPayload(5)]),
    ]),
    chunking: BYTEWISE,
    expect: staysOpen([expectText('abcd'), expectBinary(Buffer.concat([binaryPayload(3), binaryPayload(5)]))]),
  },
  {
    id: '5.28',
    description: 'a close between fragments ends the connection without echoing the message',
    send: Buffer.concat([text('frag', { fin: false }), close(1000), continuation('ment')]),
    chunking: WHOLE,
    expect: closesWith(1000),
  },
];

const rejected: ConformanceCase[] = [
  {
    id: '5.1',
    description: 'a ping split into 2 fragments fails the connection with 1002',
    send: Buffer.concat([ping('frag', { fin: false }), continuation('ment')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.2',
    description: 'a pong split into 2 fragments fails the connection with 1002',
    send: Buffer.concat([pong('frag', { fin: false }), continuation('ment')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.9',
    description: 'a final continuation without a message in progress fails the connection with 1002',
    send: Buffer.concat([continuation('orphan'), text('never echoed')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.10',
    description: 'the same sent one byte at a time fails the connection with 1002',
    send: Buffer.concat([continuation('orphan'), text('never echoed')]),
    chunking: BYTEWISE,
    expect: closesWith(1002),
  },
  {
    id: '5.12',
    description: 'a non-final continuation without a message in progress fails the connection with 1002',
    send: Buffer.concat([continuation('orphan', { fin: false }), text('never echoed')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.15',
    description: 'a complete fragmented text, then a continuation: the text is echoed, then 1002',
    send: Buffer.concat([
      ...fragments(Op.TEXT, ['fragment1', 'fragment2']),
      continuation('fragment3', { fin: false }),
      continuation('fragment4'),
    ]),
    chunking: WHOLE,
    expect: closesWith(1002, [expectText('fragment1fragment2')]),
  },
  {
    id: '5.16',
    description: 'a new text frame before the previous message ended fails the connection with 1002',
    send: Buffer.concat([text('fragment1', { fin: false }), text('fragment2', { fin: false }), continuation('end')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.17',
    description: 'a final text frame before the previous message ended fails the connection with 1002',
    send: Buffer.concat([text('fragment1', { fin: false }), text('fragment2')]),
    chunking: BYTEWISE,
    expect: closesWith(1002),
  },
  {
    id: '5.18',
    description: 'a binary frame inside a fragmented text fails the connection with 1002',
    send: Buffer.concat([text('fragment1', { fin: false }), binary(binaryPayload(4)), continuation('end')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.29',
    description: 'a close frame with FIN clear fails the connection with 1002',
    send: Buffer.concat([close(1000, '', { fin: false }), continuation('')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.30',
    description: 'a fragmented ping between the fragments of a text fails the connection with 1002',
    send: Buffer.concat([text('frag', { fin: false }), ping('x', { fin: false }), continuation('ment')]),
    chunking: WHOLE,
    expect: closesWith(1002),
  },
  {
    id: '5.31',
    description: 'a text echoed, then a new binary before the second message ended: echo, then 1002',
    send: Buffer.concat([text('complete'), binary(binaryPayload(2), { fin: false }), binary(binaryPayload(2))]),
    chunking: BYTEWISE,
    expect: closesWith(1002, [expectText('complete')]),
  },
];

export const fragmentationSection: Section = {
  id: '5',
  title: 'Fragmentation',
  cases: [...rejected, ...accepted].sort((a, b) => compareIds(a.id, b.id)),
};
