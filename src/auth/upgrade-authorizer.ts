import type { IncomingMessage } from 'node:http';
import { HandshakeRejection } from '../websocket/index.js';
import { bearerToken } from './bearer-token.js';
import type { Principal } from './principal.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

const REALM = 'Bearer realm="chat"';

/**
 * The adapter's `authorize` hook for JWT mode: the principal of a valid token, otherwise a
 * 401 before any upgrade happens, whose body and `WWW-Authenticate` (RFC 6750) say why.
 */
export function upgradeAuthorizer(verifier: TokenVerifier): (req: IncomingMessage) => Promise<Principal> {
  return async (req) => {
    const token = bearerToken(req);
    if (token === undefined) {
      throw new HandshakeRejection(401, 'Missing bearer token', { 'WWW-Authenticate': REALM });
    }
    try {
      return await verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new HandshakeRejection(401, `Invalid bearer token: ${error.message}`, {
          'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${error.message}"`,
        });
      }
      throw error;
    }
  };
}
