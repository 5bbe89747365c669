import type { DeflateSettings } from './deflate-options.js';
import type { ExtensionOffer } from './header-tokens.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** What both sides agreed on for one connection (RFC 7692 section 7.1). */
export interface DeflateParams {
  /** We reset our compressor after every message. */
  readonly serverNoContextTakeover: boolean;
  /** The client resets its compressor after every message. */
  readonly clientNoContextTakeover: boolean;
  /** Largest window (base-2 log) our compressor may use. */
  readonly serverMaxWindowBits: number;
  /** Largest window the client's compressor uses: the one we decompress with. */
  readonly clientMaxWindowBits: number;
}

export interface DeflateAgreement {
  readonly params: DeflateParams;
  /** The Sec-WebSocket-Extensions value of the 101 response. */
  readonly response: string;
}

/** One permessage-deflate offer, checked. `clientMaxWindowBits` 0: offered without a value. */
interface Offer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: number | undefined;
}

const NO_VALUE = 0;

/**
 * Picks the first permessage-deflate offer we can honour and builds the response (RFC 7692
 * section 7). Offers of other extensions are ignored; an offer with an unknown parameter, a
 * repeated parameter or an invalid value is declined (section 7: "MUST decline") and the next
 * one is tried. Every valid offer can be honoured: resetting our context or using a smaller
 * window is always in our power, and a client that cannot be asked for a smaller window is
 * decompressed with the full one. Returns undefined when no offer is acceptable: the
 * connection then goes on without the extension.
 */
export function negotiateDeflate(
  offers: readonly ExtensionOffer[],
  settings: DeflateSettings,
): DeflateAgreement | undefined {
  for (const extension of offers) {
    if (extension.name.toLowerCase() !== PERMESSAGE_DEFLATE) continue;
    const offer = readOffer(extension);
    if (offer !== undefined) return accept(offer, settings);
  }
  return undefined;
}

function accept(offer: Offer, settings: DeflateSettings): DeflateAgreement {
  // A server may always add the no-context-takeover parameters (7.1.1.1, 7.1.1.2); we add
  // client_no_context_takeover when offered too: the client announced it resets anyway, and
  // saying so lets us keep no decompressor.
  const serverNoContextTakeover = offer.serverNoContextTakeover || settings.serverNoContextTakeover;
  const clientNoContextTakeover = offer.clientNoContextTakeover || settings.clientNoContextTakeover;
  let response = PERMESSAGE_DEFLATE;
  if (serverNoContextTakeover) response += '; server_no_context_takeover';
  if (clientNoContextTakeover) response += '; client_no_context_takeover';

  // The response may repeat the offered value or a smaller one, and may name a value that
  // was not offered (7.1.2.1).
  let serverMaxWindowBits = settings.serverMaxWindowBits;
  if (offer.serverMaxWindowBits !== undefined)
    serverMaxWindowBits = Math.min(serverMaxWindowBits, offer.serverMaxWindowBits);
  if (offer.serverMaxWindowBits !== undefined || serverMaxWindowBits < 15) {
    response += `; server_max_window_bits=${serverMaxWindowBits}`;
  }

  // Only when offered may the response carry client_max_window_bits (7.1.2.2).
  let clientMaxWindowBits = 15;
  if (offer.clientMaxWindowBits !== undefined) {
    clientMaxWindowBits =
      offer.clientMaxWindowBits === NO_VALUE
        ? settings.clientMaxWindowBits
        : Math.min(offer.clientMaxWindowBits, settings.clientMaxWindowBits);
    if (offer.clientMaxWindowBits !== NO_VALUE || clientMaxWindowBits < 15) {
      response += `; client_max_window_bits=${clientMaxWindowBits}`;
    }
  }

  return {
    params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
    response,
  };
}

/** The offer's parameters, or undefined when the offer must be declined. */
function readOffer(extension: ExtensionOffer): Offer | undefined {
  const offer: Offer = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [name, value] of extension.params) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
        if (value !== true) return undefined;
        offer.serverNoContextTakeover = true;
        break;
      case 'client_no_context_takeover':
        if (value !== true) return undefined;
        offer.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = value === true ? undefined : parseWindowBits(value);
        if (bits === undefined) return undefined;
        offer.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        const bits = value === true ? NO_VALUE : parseWindowBits(value);
        if (bits === undefined) return undefined;
        offer.clientMaxWindowBits = bits;
        break;
      }
      default:
        return undefined;
    }
  }
  return offer;
}

/** "8" to "15": a decimal integer without leading zeros (RFC 7692 7.1.2.1). */
export function parseWindowBits(value: string): number | undefined {
  if (value.length === 1) {
    return value === '8' ? 8 : value === '9' ? 9 : undefined;
  }
  if (value.length !== 2 || value.charCodeAt(0) !== 0x31) return undefined;
  const units = value.charCodeAt(1) - 0x30;
  return units >= 0 && units <= 5 ? 10 + units : undefined;
}
