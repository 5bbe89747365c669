import { hex } from './types.js';

export interface Utf8Sample {
  readonly name: string;
  readonly bytes: Buffer;
}

export interface InvalidClass {
  readonly name: string;
  /** True when the bytes are wrong as soon as they arrive, not only once the message ends. */
  readonly definite: boolean;
  readonly samples: readonly Utf8Sample[];
}

const sample = (name: string, bytes: Buffer | string): Utf8Sample => ({
  name,
  bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes,
});

const kosme = hex('ce ba e1 bd b9 cf 83 ce bc ce b5');

export const VALID: readonly Utf8Sample[] = [
  sample('mixed Latin-1 "Hello-µ@ßöäüàá-UTF-8!!"', 'Hello-µ@ßöäüàá-UTF-8!!'),
  sample('Greek "κόσμε"', kosme),
  sample('first 1-byte code point U+0000', hex('00')),
  sample('first 2-byte code point U+0080', hex('c2 80')),
  sample('first 3-byte code point U+0800', hex('e0 a0 80')),
  sample('first 4-byte code point U+10000', hex('f0 90 80 80')),
  sample('last 1-byte code point U+007F', hex('7f')),
  sample('last 2-byte code point U+07FF', hex('df bf')),
  sample('last 3-byte code point U+FFFF', hex('ef bf bf')),
  sample('last code point U+10FFFF', hex('f4 8f bf bf')),
  sample('U+D7FF, just below the surrogates', hex('ed 9f bf')),
  sample('U+E000, just above the surrogates', hex('ee 80 80')),
  sample('U+FFFD replacement character', hex('ef bf bd')),
  sample('U+FEFF byte order mark', hex('ef bb bf')),
  sample('noncharacters U+FFFE U+FDD0 U+1FFFE U+10FFFE', hex('ef bf be ef b7 90 f0 9f bf be f4 8f bf be')),
  sample('4-byte characters "😀𝄞𠜎"', '😀𝄞𠜎'),
  sample('every width in a row "a€𐍈ß中"', 'a€𐍈ß中'),
];

export const INVALID: readonly InvalidClass[] = [
  {
    name: 'overlong',
    definite: true,
    samples: [
      sample('overlong "/" C0 AF', hex('c0 af')),
      sample('overlong "/" E0 80 AF', hex('e0 80 af')),
      sample('overlong "/" F0 80 80 AF', hex('f0 80 80 af')),
      sample('largest overlong 2-byte C1 BF', hex('c1 bf')),
      sample('largest overlong 3-byte E0 9F BF', hex('e0 9f bf')),
      sample('largest overlong 4-byte F0 8F BF BF', hex('f0 8f bf bf')),
      sample('overlong NUL C0 80', hex('c0 80')),
      sample('overlong NUL E0 80 80', hex('e0 80 80')),
      sample('overlong NUL F0 80 80 80', hex('f0 80 80 80')),
    ],
  },
  {
    name: 'surrogate',
    definite: true,
    samples: [
      sample('high surrogate U+D800 ED A0 80', hex('ed a0 80')),
      sample('high surrogate U+DB7F ED AD BF', hex('ed ad bf')),
      sample('high surrogate U+DB80 ED AE 80', hex('ed ae 80')),
      sample('high surrogate U+DBFF ED AF BF', hex('ed af bf')),
      sample('low surrogate U+DC00 ED B0 80', hex('ed b0 80')),
      sample('low surrogate U+DF80 ED BE 80', hex('ed be 80')),
      sample('low surrogate U+DFFF ED BF BF', hex('ed bf bf')),
      sample('surrogate pair U+D800 U+DC00 (CESU-8)', hex('ed a0 80 ed b0 80')),
      sample('surrogate pair U+DBFF U+DFFF (CESU-8)', hex('ed af bf ed bf bf')),
    ],
  },
  {
    name: 'beyond U+10FFFF',
    definite: true,
    samples: [
      sample('U+110000 F4 90 80 80', hex('f4 90 80 80')),
      sample('U+140000 F5 80 80 80', hex('f5 80 80 80')),
      sample('U+1FFFFF F7 BF BF BF', hex('f7 bf bf bf')),
      sample('5-byte form F8 88 80 80 80', hex('f8 88 80 80 80')),
      sample('6-byte form FC 84 80 80 80 80', hex('fc 84 80 80 80 80')),
    ],
  },
  {
    name: 'impossible byte',
    definite: true,
    samples: [
      sample('byte FE', hex('fe')),
      sample('byte FF', hex('ff')),
      sample('bytes FE FE FF FF', hex('fe fe ff ff')),
    ],
  },
  {
    name: 'unexpected continuation',
    definite: true,
    samples: [
      sample('lone continuation 80', hex('80')),
      sample('lone continuation BF', hex('bf')),
      sample('continuations 80 BF', hex('80 bf')),
      sample('ASCII then continuation "a" 80', hex('61 80')),
      sample('4 continuations 80 BF 80 BF', hex('80 bf 80 bf')),
    ],
  },
  {
    name: 'invalid continuation',
    definite: true,
    samples: [
      sample('2-byte start then ASCII C2 41', hex('c2 41')),
      sample('3-byte start then ASCII E0 A0 41', hex('e0 a0 41')),
      sample('4-byte start then ASCII F0 90 80 41', hex('f0 90 80 41')),
      sample('start byte then start byte C2 C2 80', hex('c2 c2 80')),
      sample('broken euro sign E2 82 C2 AC', hex('e2 82 c2 ac')),
      sample('"κόσμε" + ED A0 80 + "edited"', Buffer.concat([kosme, hex('ed a0 80'), Buffer.from('edited')])),
    ],
  },
  {
    name: 'truncated',
    definite: false,
    samples: [
      sample('2-byte sequence missing its last byte C2', hex('c2')),
      sample('3-byte sequence missing its last byte E0 A0', hex('e0 a0')),
      sample('4-byte sequence missing its last byte F0 90 80', hex('f0 90 80')),
      sample('euro sign missing its last byte E2 82', hex('e2 82')),
      sample('"κόσμ" + a lone lead byte CE', Buffer.concat([kosme.subarray(0, 9), hex('ce')])),
      sample('"Hello" + a truncated emoji F0 9F 98', Buffer.concat([Buffer.from('Hello'), hex('f0 9f 98')])),
    ],
  },
];

export const KOSME = kosme;
