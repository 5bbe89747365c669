import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import {
  DEFAULT_JWKS_CACHE_MAX_AGE_MS,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_TIMEOUT_MS,
  type JwksOptions,
} from './token-options.js';

/** The keys could not be had (network, timeout, not a key set): the token was not judged. */
export class SigningKeysUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`signing keys unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SigningKeysUnavailableError';
  }
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']);

/**
 * A public key from PEM text: SPKI (`BEGIN PUBLIC KEY`), PKCS#1 RSA or an X.509 certificate.
 * A private key is refused (it would work, but has no business in a verifier's config).
 */
export function publicKeyFromPem(pem: string): KeyObject {
  const label = PEM_LABEL.exec(pem)?.[1];
  if (label === undefined) throw new Error('not PEM text (no "-----BEGIN ...-----" line)');
  if (!PUBLIC_LABELS.has(label)) {
    throw new Error(`PEM holds a ${label}; give the public key (BEGIN PUBLIC KEY) or a certificate`);
  }
  return createPublicKey(pem);
}

/** What the problem with `pem` is, or undefined when it is a usable public key. */
export function publicKeyProblem(pem: string): string | undefined {
  try {
    publicKeyFromPem(pem);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Errors that say something about the token rather than about fetching the key set. */
function judgesTheToken(error: unknown): boolean {
  return error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys;
}

/**
 * Keys from a remote JWKS: cached, fetched again when older than `cacheMaxAgeMs` or when a token
 * names an unknown `kid` (at most once per `cooldownMs`), every fetch bounded by `timeoutMs`.
 * Failing fetches surface as SigningKeysUnavailableError.
 */
export function remoteKeySet(url: string | URL, options: JwksOptions = {}): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(new URL(url), {
    timeoutDuration: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS,
    cooldownDuration: options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    cacheMaxAge: options.cacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
  });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (judgesTheToken(error)) throw error;
      throw new SigningKeysUnavailableError(error);
    }
  };
}
