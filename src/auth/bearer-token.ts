import type { IncomingMessage } from 'node:http';

const BEARER = 'bearer ';

/**
 * The token of a request: `Authorization: Bearer <token>`, or the `access_token` query
 * parameter (browsers cannot set headers on a WebSocket upgrade).
 */
export function bearerToken(req: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.length > BEARER.length) {
    if (header.slice(0, BEARER.length).toLowerCase() === BEARER) {
      const token = header.slice(BEARER.length).trim();
      if (token.length > 0) return token;
    }
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const token = new URLSearchParams(url.slice(query + 1)).get('access_token');
  return token !== null && token.length > 0 ? token : undefined;
}
