import { WHOLE } from '../chunking.js';
import { ClientCompressor, parseDeflateResponse } from '../deflate.js';
import { frame, Op, Rsv, text } from '../frame.js';
import { chatText } from './12-compression.js';
import { closesWith, expectText, staysOpen, type ConformanceCase, type Section } from './types.js';

const PMD = 'permessage-deflate';

/** The offers every target is asked, in the order of the answer tables. */
export const OFFERS = [
  PMD,
  `${PMD}; client_max_window_bits`,
  `${PMD}; client_no_context_takeover`,
  `${PMD}; server_no_context_takeover`,
  `${PMD}; server_no_context_takeover; client_no_context_takeover`,
  `${PMD}; server_max_window_bits=8`,
  `${PMD}; server_max_window_bits=9`,
  `${PMD}; server_max_window_bits=15`,
  `${PMD}; client_max_window_bits=8`,
  `${PMD}; client_max_window_bits=12`,
  `${PMD}; server_max_window_bits=10; client_max_window_bits=10; client_no_context_takeover`,
  `${PMD}; server_max_window_bits=8, ${PMD}`,
  `${PMD}; server_max_window_bits=16, ${PMD}; client_max_window_bits`,
  `${PMD}; client_max_window_bits="9"`,
  `${PMD}; unknown_parameter`,
  `${PMD}; server_no_context_takeover=yes`,
  'x-webkit-deflate-frame',
] as const;

/** An answer that repeats its offer word for word (the server accepts every parameter as given). */
export const AS_OFFERED = Symbol('as offered');

/** One answer per offer of OFFERS (null: the extension is declined). */
type Answers<T extends readonly unknown[]> = { readonly [K in keyof T]: string | null | typeof AS_OFFERED };
export type AnswerTable = Answers<typeof OFFERS>;

// Text with long-distance repeats (a 1 KiB block seen again 1 KiB later), cross-message
// repeats (the same chat text twice) and plain ASCII: the server must honour the agreed
// windows and contexts to produce anything these checks can inflate.
const block = Buffer.from(noise(768).toString('base64'));
const MESSAGES: readonly Buffer[] = [
  chatText(3000, 1),
  chatText(3000, 1),
  Buffer.concat([block, chatText(300, 2), block]),
  Buffer.from('short'),
  chatText(20_000, 3),
  Buffer.concat([block, block]),
];

/** Bytes that do not compress, the same on every run (a failing case must reproduce). */
function noise(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** Section 13 for one server profile: `answers[i]` is its 101 answer to OFFERS[i]. */
export function compressionParametersSection(answers: AnswerTable): Section {
  const cases: ConformanceCase[] = [];
  OFFERS.forEach((offer, i) => {
    const answer = answers[i];
    const negotiated = answer === AS_OFFERED ? offer : answer;
    const id = `13.${i + 1}`;
    if (negotiated === null) {
      cases.push({
        id: `${id}.1`,
        description: `${JSON.stringify(offer)} is declined, and the connection works uncompressed`,
        offer,
        negotiated,
        send: Buffer.concat(MESSAGES.map((m) => text(m))),
        chunking: WHOLE,
        expect: staysOpen(MESSAGES.map((m) => expectText(m))),
      });
      cases.push({
        id: `${id}.2`,
        description: `${JSON.stringify(offer)} is declined, so RSV1 fails the connection with 1002`,
        offer,
        negotiated,
        send: frame({ opcode: Op.TEXT, payload: Buffer.from([0x00]), rsv: Rsv.RSV1 }),
        chunking: WHOLE,
        expect: closesWith(1002),
      });
      return;
    }
    const agreed = parseDeflateResponse(negotiated);
    if (typeof agreed === 'string') throw new Error(`bad answer table entry ${negotiated}: ${agreed}`);
    const compressor = new ClientCompressor({
      noContextTakeover: agreed.clientNoContextTakeover,
      windowBits: agreed.clientMaxWindowBits,
    });
    // Every message but the short one compressed, as the agreed parameters allow the client.
    const send = Buffer.concat(
      MESSAGES.map((m) =>
        m.length < 10 ? text(m) : frame({ opcode: Op.TEXT, payload: compressor.compress(m), rsv: Rsv.RSV1 }),
      ),
    );
    cases.push({
      id: `${id}.1`,
      description: `${JSON.stringify(offer)} is answered ${JSON.stringify(negotiated)}, and messages round-trip under those parameters`,
      offer,
      negotiated,
      send,
      chunking: WHOLE,
      expect: staysOpen(MESSAGES.map((m) => expectText(m))),
      timeoutMs: 5000,
    });
  });
  return { id: '13', title: 'permessage-deflate parameters (negotiation and use)', cases };
}
