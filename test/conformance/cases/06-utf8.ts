import { BYTEWISE, WHOLE } from '../chunking.js';
import { continuation, fragments, Op, pieces, text } from '../frame.js';
import { asciiPayload, closesWith, expectText, hex, staysOpen, type ConformanceCase, type Section } from './types.js';
import { INVALID, KOSME, VALID, type Utf8Sample } from './utf8-samples.js';

const INVALID_SAMPLES = INVALID.flatMap((c) =>
  c.samples.map((s) => ({ ...s, className: c.name, definite: c.definite })),
);
const MULTIBYTE_VALID = VALID.filter((s) => s.bytes.some((b) => b >= 0x80));

/** Every way to cut `bytes` into a first and a final fragment (the final one may be empty). */
function twoWaySplits(bytes: Buffer): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let at = 1; at <= bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return out;
}

const splitName = (s: Utf8Sample, at: number) => `${s.name} split after byte ${at} of ${s.bytes.length}`;

const validInOneFrame: ConformanceCase[] = VALID.map((s, i) => ({
  id: `6.1.${i + 1}`,
  description: `valid ${s.name} in one frame is echoed`,
  send: text(s.bytes),
  chunking: WHOLE,
  expect: staysOpen([expectText(s.bytes)]),
}));

const validSplit: ConformanceCase[] = MULTIBYTE_VALID.flatMap((s) =>
  twoWaySplits(s.bytes)
    .slice(0, -1)
    .map(([first, rest]) => ({ s, first, rest })),
).map(({ s, first, rest }, i) => ({
  id: `6.2.${i + 1}`,
  description: `valid ${splitName(s, first.length)} across 2 fragments is echoed`,
  send: Buffer.concat(fragments(Op.TEXT, [first, rest])),
  chunking: WHOLE,
  expect: staysOpen([expectText(s.bytes)]),
}));

const validBytePerFragment: ConformanceCase[] = MULTIBYTE_VALID.map((s, i) => ({
  id: `6.3.${i + 1}`,
  description: `valid ${s.name} with one byte per fragment, sent one byte at a time, is echoed`,
  send: Buffer.concat(fragments(Op.TEXT, pieces(s.bytes, 1))),
  chunking: BYTEWISE,
  expect: staysOpen([expectText(s.bytes)]),
}));

const invalidInOneFrame: ConformanceCase[] = INVALID_SAMPLES.map((s, i) => ({
  id: `6.4.${i + 1}`,
  description: `${s.className}: ${s.name} in one frame fails the connection with 1007`,
  send: text(s.bytes),
  chunking: WHOLE,
  expect: closesWith(1007),
}));

const invalidSplit: ConformanceCase[] = INVALID_SAMPLES.flatMap((s) =>
  twoWaySplits(s.bytes).map(([first, rest]) => ({ s, first, rest })),
).map(({ s, first, rest }, i) => ({
  id: `6.5.${i + 1}`,
  description: `${s.className}: ${splitName(s, first.length)} across 2 fragments fails with 1007`,
  send: Buffer.concat(fragments(Op.TEXT, [first, rest])),
  chunking: WHOLE,
  expect: closesWith(1007),
}));

// The rest of the message is never sent: only a server that validates each fragment as it
// arrives (ours does: invalid UTF-8 closes with 1007 as soon as the bytes received prove it,
// fragment by fragment, not only at FIN) can answer these. One sample per class and
// position keeps a server that validates only at FIN from costing a timeout per sample.
const failFast: ConformanceCase[] = INVALID.filter((c) => c.definite)
  .flatMap((c) => {
    const first = c.samples[0];
    const last = c.samples[c.samples.length - 1];
    return [
      {
        description: `${c.name}: ${first.name} in an unfinished first fragment is rejected with 1007 before the message ends`,
        send: text(first.bytes, { fin: false }),
      },
      {
        description: `${c.name}: ${last.name} in an unfinished second fragment after valid "κόσμε" is rejected with 1007`,
        send: Buffer.concat([text(KOSME, { fin: false }), continuation(last.bytes, { fin: false })]),
      },
    ];
  })
  .concat([
    {
      description: 'a surrogate whose lead byte ends the first fragment is rejected when the second fragment arrives',
      send: Buffer.concat([
        text(Buffer.concat([KOSME, hex('ed')]), { fin: false }),
        continuation(hex('a0 80'), { fin: false }),
      ]),
    },
    {
      description: 'U+110000 spread over three unfinished fragments is rejected with 1007 before the message ends',
      send: Buffer.concat([
        text(hex('f4'), { fin: false }),
        continuation(hex('90'), { fin: false }),
        continuation(hex('80'), { fin: false }),
      ]),
    },
  ])
  .map((c, i) => ({ ...c, id: `6.6.${i + 1}`, chunking: WHOLE, expect: closesWith(1007) }));

// Validators often take a fast path over ASCII words; the bad sequence lands on and around
// 4-, 8-, 16- and 32-byte boundaries.
const ASCII_RUNS = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 65535];
const afterAscii: ConformanceCase[] = ASCII_RUNS.map((run, i) => {
  const bytes = Buffer.concat([asciiPayload(run), hex('ed a0 80'), asciiPayload(20)]);
  return {
    id: `6.7.${i + 1}`,
    description: `a surrogate after ${run} ASCII bytes fails the connection with 1007`,
    send: text(bytes),
    chunking: WHOLE,
    expect: closesWith(1007),
  };
}).concat([
  {
    id: `6.7.${ASCII_RUNS.length + 1}`,
    description: 'a 65536-byte text whose last byte is a lone continuation fails the connection with 1007',
    send: text(Buffer.concat([asciiPayload(65535), hex('80')])),
    chunking: WHOLE,
    expect: closesWith(1007),
  },
]);

const afterValidMessage: ConformanceCase[] = [
  {
    id: '6.8.1',
    description: 'a valid text, then an invalid one: the first is echoed, then 1007',
    send: Buffer.concat([text(KOSME), text(hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64'))]),
    chunking: WHOLE,
    expect: closesWith(1007, [expectText(KOSME)]),
  },
  {
    id: '6.8.2',
    description:
      'a valid text ending mid-character in its first fragment, then a text ending mid-character: echo, then 1007',
    send: Buffer.concat([
      ...fragments(Op.TEXT, [hex('f0 9f'), hex('98 80')]),
      ...fragments(Op.TEXT, [hex('61 f0 9f'), hex('98')]),
    ]),
    chunking: BYTEWISE,
    expect: closesWith(1007, [expectText('😀')]),
  },
  {
    id: '6.8.3',
    // The validator's state must not leak from one message into the next.
    description: 'a text ending in a truncated character fails, even if the next frame could complete it',
    send: Buffer.concat([text(hex('e2 82')), text(hex('ac'))]),
    chunking: WHOLE,
    expect: closesWith(1007),
  },
];

export const utf8Section: Section = {
  id: '6',
  title: 'UTF-8 handling',
  cases: [
    {
      id: '6.0.1',
      description: 'an empty text is echoed',
      send: text(''),
      chunking: WHOLE,
      expect: staysOpen([expectText('')]),
    },
    ...validInOneFrame,
    ...validSplit,
    ...validBytePerFragment,
    ...invalidInOneFrame,
    ...invalidSplit,
    ...failFast,
    ...afterAscii,
    ...afterValidMessage,
  ],
};
