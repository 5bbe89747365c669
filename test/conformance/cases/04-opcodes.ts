import { BYTEWISE, WHOLE } from '../chunking.js';
import { frame, ping, text } from '../frame.js';
import { closesWith, expectText, type ConformanceCase, type Section } from './types.js';

const hexOpcode = (opcode: number) => `0x${opcode.toString(16).toUpperCase()}`;

// RFC 6455 5.2: 0x3-0x7 are reserved non-control opcodes, 0xB-0xF reserved control opcodes.
function reserved(section: string, opcodes: readonly number[], kind: string): ConformanceCase[] {
  return opcodes.flatMap((opcode, i) => [
    {
      id: `${section}.${2 * i + 1}`,
      description: `reserved ${kind} opcode ${hexOpcode(opcode)} without payload fails the connection with 1002`,
      send: frame({ opcode }),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
    {
      id: `${section}.${2 * i + 2}`,
      description: `a text echoed, then reserved opcode ${hexOpcode(opcode)} with payload, then a ping: echo, 1002, no pong`,
      send: Buffer.concat([text('before'), frame({ opcode, payload: 'reserved' }), ping('never answered')]),
      chunking: i % 2 === 0 ? WHOLE : BYTEWISE,
      expect: closesWith(1002, [expectText('before')]),
    },
  ]);
}

export const opcodesSection: Section = {
  id: '4',
  title: 'Opcodes',
  cases: [
    ...reserved('4.1', [0x3, 0x4, 0x5, 0x6, 0x7], 'non-control'),
    ...reserved('4.2', [0xb, 0xc, 0xd, 0xe, 0xf], 'control'),
    {
      id: '4.3.1',
      description: 'reserved opcode 0x3 on an unfinished frame (FIN clear) fails the connection with 1002',
      send: frame({ opcode: 0x3, fin: false, payload: 'x' }),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
    {
      id: '4.3.2',
      description: 'reserved opcode 0xB between the fragments of a text fails the connection with 1002',
      send: Buffer.concat([text('Hel', { fin: false }), frame({ opcode: 0xb })]),
      chunking: WHOLE,
      expect: closesWith(1002),
    },
  ],
};
