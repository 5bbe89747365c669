import { negotiateDeflate, parseWindowBits } from './deflate-negotiation.js';
import { DEFAULT_DEFLATE_SETTINGS, resolveDeflateOptions, type PerMessageDeflateOptions } from './deflate-options.js';
import { parseExtensions } from './header-tokens.js';

/** The 101's Sec-WebSocket-Extensions for an offer header, or null when declined. */
function respond(offer: string, options: PerMessageDeflateOptions = {}): string | null {
  const offers = parseExtensions(offer);
  if (offers === null) throw new Error(`unparseable offer in the test table: ${offer}`);
  return negotiateDeflate(offers, resolveDeflateOptions(options)!)?.response ?? null;
}

const PMD = 'permessage-deflate';
const NO_TAKEOVER = `${PMD}; server_no_context_takeover; client_no_context_takeover`;
/** A server that allows context takeover both ways (and adds nothing by itself). */
const TAKEOVER: PerMessageDeflateOptions = { serverNoContextTakeover: false, clientNoContextTakeover: false };

describe('permessage-deflate negotiation (RFC 7692 section 7)', () => {
  describe('with the default settings (no context takeover either way)', () => {
    it.each([
      ['a bare offer', PMD, NO_TAKEOVER],
      ["Chrome's and Firefox's offer", `${PMD}; client_max_window_bits`, NO_TAKEOVER],
      ['an offer asking for server_no_context_takeover', `${PMD}; server_no_context_takeover`, NO_TAKEOVER],
      ['an offer announcing client_no_context_takeover', `${PMD}; client_no_context_takeover`, NO_TAKEOVER],
      ['server_max_window_bits=10', `${PMD}; server_max_window_bits=10`, `${NO_TAKEOVER}; server_max_window_bits=10`],
      ['server_max_window_bits=8', `${PMD}; server_max_window_bits=8`, `${NO_TAKEOVER}; server_max_window_bits=8`],
      ['client_max_window_bits=9', `${PMD}; client_max_window_bits=9`, `${NO_TAKEOVER}; client_max_window_bits=9`],
      ['a quoted value', `${PMD}; client_max_window_bits="12"`, `${NO_TAKEOVER}; client_max_window_bits=12`],
      [
        'every parameter',
        `${PMD}; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12`,
        `${NO_TAKEOVER}; server_max_window_bits=11; client_max_window_bits=12`,
      ],
      ['a differently cased extension name', 'Permessage-Deflate', NO_TAKEOVER],
    ])('accepts %s', (_name, offer, response) => {
      expect(respond(offer)).toBe(response);
    });
  });

  describe('with context takeover allowed', () => {
    it.each([
      ['a bare offer', PMD, PMD],
      ["Chrome's offer", `${PMD}; client_max_window_bits`, PMD],
      ['server_no_context_takeover', `${PMD}; server_no_context_takeover`, `${PMD}; server_no_context_takeover`],
      ['client_no_context_takeover', `${PMD}; client_no_context_takeover`, `${PMD}; client_no_context_takeover`],
      ['server_max_window_bits=9', `${PMD}; server_max_window_bits=9`, `${PMD}; server_max_window_bits=9`],
      ['client_max_window_bits=15', `${PMD}; client_max_window_bits=15`, `${PMD}; client_max_window_bits=15`],
    ])('answers %s with exactly what was asked', (_name, offer, response) => {
      expect(respond(offer, TAKEOVER)).toBe(response);
    });

    it('limits the windows to the configured ones, lowering what was offered but never raising it', () => {
      const small = { ...TAKEOVER, serverMaxWindowBits: 10, clientMaxWindowBits: 11 };
      expect(respond(PMD, small)).toBe(`${PMD}; server_max_window_bits=10`);
      expect(respond(`${PMD}; server_max_window_bits=12`, small)).toBe(`${PMD}; server_max_window_bits=10`);
      expect(respond(`${PMD}; server_max_window_bits=9`, small)).toBe(`${PMD}; server_max_window_bits=9`);
      expect(respond(`${PMD}; client_max_window_bits`, small)).toBe(
        `${PMD}; server_max_window_bits=10; client_max_window_bits=11`,
      );
      expect(respond(`${PMD}; client_max_window_bits=13`, small)).toBe(
        `${PMD}; server_max_window_bits=10; client_max_window_bits=11`,
      );
      expect(respond(`${PMD}; client_max_window_bits=9`, small)).toBe(
        `${PMD}; server_max_window_bits=10; client_max_window_bits=9`,
      );
    });

    it('never names client_max_window_bits when the client did not offer it, and then inflates with 15', () => {
      const offers = parseExtensions(PMD)!;
      const agreement = negotiateDeflate(offers, resolveDeflateOptions({ ...TAKEOVER, clientMaxWindowBits: 9 })!);
      expect(agreement?.response).toBe(PMD);
      expect(agreement?.params.clientMaxWindowBits).toBe(15);
    });
  });

  describe('several offers', () => {
    it('takes the first acceptable one, skipping invalid ones and other extensions', () => {
      expect(
        respond(
          `x-webkit-deflate-frame, ${PMD}; server_max_window_bits=20, ${PMD}; client_max_window_bits=10, ${PMD}`,
          TAKEOVER,
        ),
      ).toBe(`${PMD}; client_max_window_bits=10`);
    });

    it('takes the first when all are valid (the client lists its preference first)', () => {
      expect(respond(`${PMD}; server_max_window_bits=10, ${PMD}`, TAKEOVER)).toBe(`${PMD}; server_max_window_bits=10`);
    });

    it('declines when no offer is valid, and when none is permessage-deflate', () => {
      expect(respond(`${PMD}; foo, ${PMD}; server_max_window_bits`)).toBeNull();
      expect(respond('x-webkit-deflate-frame; no_context_takeover')).toBeNull();
      expect(respond('')).toBeNull();
    });
  });

  describe('invalid offers are declined, not failed', () => {
    it.each([
      ['an unknown parameter', `${PMD}; foo`],
      ['an unknown parameter with a value', `${PMD}; foo=1`],
      ['a repeated parameter', `${PMD}; client_no_context_takeover; client_no_context_takeover`],
      ['a repeated window parameter', `${PMD}; server_max_window_bits=10; server_max_window_bits=10`],
      ['server_no_context_takeover with a value', `${PMD}; server_no_context_takeover=1`],
      ['client_no_context_takeover with a value', `${PMD}; client_no_context_takeover="x"`],
      ['server_max_window_bits without a value', `${PMD}; server_max_window_bits`],
      ['server_max_window_bits below 8', `${PMD}; server_max_window_bits=7`],
      ['server_max_window_bits above 15', `${PMD}; server_max_window_bits=16`],
      ['client_max_window_bits with a leading zero', `${PMD}; client_max_window_bits=09`],
      ['client_max_window_bits that is not a number', `${PMD}; client_max_window_bits=a`],
      ['a quoted invalid value', `${PMD}; client_max_window_bits="16"`],
      ['a differently cased parameter name', `${PMD}; Server_No_Context_Takeover`],
    ])('%s', (_name, offer) => {
      expect(respond(offer)).toBeNull();
      expect(respond(offer, TAKEOVER)).toBeNull();
    });
  });

  it('reports the agreed parameters the codecs use', () => {
    const offers = parseExtensions(`${PMD}; server_max_window_bits=10; client_max_window_bits=9`)!;
    expect(negotiateDeflate(offers, DEFAULT_DEFLATE_SETTINGS)?.params).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 9,
    });
  });

  it('reads window bits 8 to 15 written without leading zeros', () => {
    expect(['8', '9', '10', '11', '12', '13', '14', '15'].map(parseWindowBits)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    for (const bad of ['', '7', '16', '08', '010', '1', '19', '+9', ' 9', '9 ', '1a']) {
      expect(parseWindowBits(bad)).toBeUndefined();
    }
  });
});

describe('permessage-deflate options', () => {
  it('is off unless asked for, and true means the defaults', () => {
    expect(resolveDeflateOptions(undefined)).toBeUndefined();
    expect(resolveDeflateOptions(false)).toBeUndefined();
    expect(resolveDeflateOptions(true)).toEqual(DEFAULT_DEFLATE_SETTINGS);
    expect(resolveDeflateOptions({})).toEqual(DEFAULT_DEFLATE_SETTINGS);
  });

  it('defaults to no context takeover both ways, 15-bit windows, a 1 KiB threshold', () => {
    expect(DEFAULT_DEFLATE_SETTINGS).toMatchObject({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
      threshold: 1024,
    });
  });

  it.each([
    ['serverMaxWindowBits', 7],
    ['serverMaxWindowBits', 16],
    ['clientMaxWindowBits', 7.5],
    ['threshold', -1],
    ['level', 10],
    ['memLevel', 0],
    ['concurrencyLimit', 0],
  ])('refuses %s = %s, naming it', (name, value) => {
    expect(() => resolveDeflateOptions({ [name]: value })).toThrow(new RegExp(`perMessageDeflate.${name}`));
  });

  it('refuses a context takeover flag that is not a boolean', () => {
    expect(() => resolveDeflateOptions({ serverNoContextTakeover: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});
