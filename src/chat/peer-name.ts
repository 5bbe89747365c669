import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../http/client-address.js';
import { peerName } from './text-lines.js';

/**
 * The name of a connection's peer: the client address (behind TRUST_PROXY, the one the proxies
 * vouch for) with its port, `203.0.113.7:50212`; a forwarded address has no port (proxies do
 * not pass the client's), so behind a proxy the name is the address alone, `203.0.113.7`.
 */
export function peerNameOf(request: IncomingMessage): string {
  const { address, port } = clientAddress(request);
  return peerName(address, port);
}
