import type { LoggerService } from '@nestjs/common';
import { type NumberRule, numberProblem } from '../common/number-checks.js';

/** Shared-secret algorithms: only with `secret`. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/** Public-key algorithms: only with `jwksUrl` or `publicKey` (all of them are the default there). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** How tokens are verified; exactly one of `secret`, `jwksUrl` and `publicKey`. */
export interface TokenVerifierOptions {
  /** HS256 shared secret (AUTH_JWT_SECRET). */
  secret?: string;
  /** A remote JSON Web Key Set, as OpenID Connect providers publish it (AUTH_JWKS_URL). */
  jwksUrl?: string | URL;
  /** PEM text of an SPKI public key or an X.509 certificate (AUTH_PUBLIC_KEY). */
  publicKey?: string;
  /**
   * Accepted `alg` values (AUTH_ALGORITHMS). Default `['HS256']` with a secret, every entry of
   * ASYMMETRIC_ALGORITHMS with a key; HMAC and public-key algorithms never mix.
   */
  algorithms?: readonly string[];
  /** Accepted `iss` values (AUTH_ISSUER); unset: not checked. */
  issuer?: string | readonly string[];
  /** Accepted `aud` values, one must match (AUTH_AUDIENCE); unset: not checked. */
  audience?: string | readonly string[];
  /** Seconds of clock difference allowed on `exp`, `nbf` and `iat` (AUTH_CLOCK_TOLERANCE_SEC). Default 30. */
  clockToleranceSec?: number;
  /** Longest name a token may carry; keep it equal to ChatModule's `maxNameLength`. Default 32. */
  maxNameLength?: number;
  /** The remote key set: fetch timeout, minimum time between fetches, cache lifetime. */
  jwks?: JwksOptions;
  /** Where the "signing keys unavailable" warning goes. Default: Nest's Logger ('Auth'). */
  logger?: Pick<LoggerService, 'warn'>;
}

export interface JwksOptions {
  /** Abandon a key set fetch after this long (AUTH_JWKS_TIMEOUT_MS). Default 5000. */
  timeoutMs?: number;
  /**
   * After a fetch, an unknown `kid` fetches again only once this long has passed, so random
   * kids cannot make us hammer the provider (AUTH_JWKS_COOLDOWN_MS). Default 30000.
   */
  cooldownMs?: number;
  /** Fetch again when the keys are this old (AUTH_JWKS_CACHE_MAX_AGE_MS). Default 600000. */
  cacheMaxAgeMs?: number;
}

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
export const DEFAULT_MAX_NAME_LENGTH = 32;
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;

/**
 * What is wrong with `options`, one sentence per problem naming the option; empty when they
 * can build a verifier. The environment check reports these under the variables' names.
 */
export function tokenOptionProblems(options: TokenVerifierOptions): string[] {
  const problems: string[] = [];
  const sources = (['secret', 'jwksUrl', 'publicKey'] as const).filter(
    (key) => options[key] !== undefined && String(options[key]) !== '',
  );
  if (sources.length !== 1) {
    problems.push(
      sources.length === 0
        ? 'one of secret, jwksUrl or publicKey is needed'
        : `only one of secret, jwksUrl and publicKey may be set (got ${sources.join(', ')})`,
    );
    return problems;
  }
  const allowed: readonly string[] = sources[0] === 'secret' ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  if (options.algorithms !== undefined) {
    if (options.algorithms.length === 0) problems.push('algorithms must not be empty');
    for (const algorithm of options.algorithms) {
      if (!allowed.includes(algorithm)) {
        problems.push(
          `algorithm ${JSON.stringify(algorithm)} cannot be used with ${sources[0]} (allowed: ${allowed.join(', ')})`,
        );
      }
    }
  }
  if (sources[0] === 'jwksUrl' && !isHttpUrl(options.jwksUrl!))
    problems.push('jwksUrl must be an http:// or https:// URL');
  const numbers: [NumberRule, number | undefined, string][] = [
    ['nonNegativeNumber', options.clockToleranceSec, 'clockToleranceSec'],
    ['positiveInteger', options.maxNameLength, 'maxNameLength'],
    ...Object.entries(options.jwks ?? {}).map(([key, value]): [NumberRule, number | undefined, string] => [
      'nonNegativeNumber',
      value as number | undefined,
      `jwks.${key}`,
    ]),
  ];
  for (const [rule, value, name] of numbers) {
    const problem = value === undefined ? undefined : numberProblem(rule, value, name);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

export function defaultAlgorithms(options: TokenVerifierOptions): string[] {
  if (options.algorithms !== undefined) return [...options.algorithms];
  return options.secret ? ['HS256'] : [...ASYMMETRIC_ALGORITHMS];
}

function isHttpUrl(value: string | URL): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
