import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';
import { nonNegativeInteger } from '../common/number-checks.js';

/**
 * Which proxies' `X-Forwarded-For` is believed, as Express's `trust proxy` takes it: false (none,
 * the default), a number of hops in front of the server, or addresses, CIDR ranges and
 * proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = false | number | readonly string[];

/** Whether the hop at `hop` (0: the socket's peer) with `address` is a trusted proxy. */
export type TrustFunction = (address: string, hop: number) => boolean;

/** The compiled setting; undefined when nothing is trusted. Throws on an invalid address. */
export function trustFunctionOf(setting: TrustProxy): TrustFunction | undefined {
  if (setting === false || setting === 0) return undefined;
  if (typeof setting === 'number') {
    nonNegativeInteger(setting, 'trustProxy hop count');
    return (_address, hop) => hop < setting;
  }
  if (setting.length === 0) return undefined;
  return proxyaddr.compile([...setting]);
}

/** Who is on the other end, as far as trusted proxies vouch for it. */
export interface ClientAddress {
  /** The client's IP address; undefined once the socket is gone (and no proxy spoke). */
  readonly address: string | undefined;
  /** The client's port, known only when it connected directly (proxies do not forward it). */
  readonly port: number | undefined;
  /** True when the address came from `X-Forwarded-For`. */
  readonly forwarded: boolean;
  /** The peer of the socket: the nearest proxy when `forwarded`. */
  readonly socketAddress: string | undefined;
}

const remembered = new WeakMap<IncomingMessage, ClientAddress>();

function direct(request: IncomingMessage): ClientAddress {
  const { remoteAddress, remotePort } = request.socket;
  return { address: remoteAddress, port: remotePort, forwarded: false, socketAddress: remoteAddress };
}

/**
 * Works out and remembers the client address of `request` under `trust` (the WebSocket adapter
 * does this for every upgrade, before any gateway or hook sees it).
 */
export function rememberClientAddress(request: IncomingMessage, trust: TrustFunction | undefined): ClientAddress {
  let resolved = direct(request);
  if (trust !== undefined && resolved.address !== undefined && request.headers['x-forwarded-for'] !== undefined) {
    // Nearest first: the socket's peer, then X-Forwarded-For from right to left, as far as trusted.
    const chain = proxyaddr.all(request, trust);
    // A hop count can reach entries a client wrote itself: the walk stops before anything that
    // is not an IP address.
    let index = 0;
    while (index + 1 < chain.length && isIP(chain[index + 1]) !== 0) index++;
    if (index > 0) resolved = { ...resolved, address: chain[index], port: undefined, forwarded: true };
  }
  remembered.set(request, resolved);
  return resolved;
}

/**
 * What the WebSocket adapter's `resolveClientAddress` option takes: remembers the client address
 * of every upgrade under a `trust proxy` setting; undefined when nothing is trusted (the
 * socket's peer is the client). Throws on an invalid setting.
 */
export function clientAddressResolver(setting: TrustProxy): ((request: IncomingMessage) => ClientAddress) | undefined {
  const trust = trustFunctionOf(setting);
  return trust && ((request) => rememberClientAddress(request, trust));
}

/**
 * The client address of a request, for names, logs and per-client limits: what the adapter
 * remembered for a WebSocket upgrade, Express's `request.ip` (its `trust proxy` setting) for an
 * HTTP request, or else the socket's peer.
 */
export function clientAddress(request: IncomingMessage): ClientAddress {
  const known = remembered.get(request);
  if (known !== undefined) return known;
  const own = direct(request);
  const ip = (request as IncomingMessage & { ip?: unknown }).ip;
  if (typeof ip !== 'string' || ip === '' || ip === own.address) return own;
  return { ...own, address: ip, port: undefined, forwarded: true };
}
