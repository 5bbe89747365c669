import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What `?session=` takes: a secret the client chose, long enough not to be guessed. */
const SESSION_KEY = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The sender id (`fromId`) of an anonymous client that opened the connection with
 * `?session=<secret>`: derived from the secret, so the client keeps it across reconnections
 * (and its idempotency keys stay its own) while nobody without the secret can take it.
 * Undefined without a well-formed secret: the connection id is the sender id then.
 */
export function sessionSenderId(request: Pick<IncomingMessage, 'url'>): string | undefined {
  const query = request.url?.indexOf('?') ?? -1;
  if (query < 0) return undefined;
  const secret = new URLSearchParams(request.url?.slice(query + 1)).get('session');
  if (secret === null || !SESSION_KEY.test(secret)) return undefined;
  return `s-${createHash('sha256').update(secret).digest('base64url').slice(0, 22)}`;
}
