import type { IncomingMessage } from 'node:http';
import { HandshakeRejection } from '../websocket/index.js';
import { bearerToken } from './bearer-token.js';
import type { Principal } from './principal.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="chat"' };

/**
 * The adapter's `authorize` hook for JWT mode: the principal of a valid token, otherwise a
 * 401 before any upgrade happens.
 */
export function upgradeAuthorizer(verifier: TokenVerifier): (req: IncomingMessage) => Principal {
  return (req) => {
    const token = bearerToken(req);
    if (token === undefined) throw new HandshakeRejection(401, 'Missing bearer token', CHALLENGE);
    try {
      return verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new HandshakeRejection(401, 'Invalid bearer token', CHALLENGE);
      }
      throw error;
    }
  };
}
