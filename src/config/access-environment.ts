import { readFileSync } from 'node:fs';
import { publicKeyProblem } from '../auth/verification-key.js';
import { tokenOptionProblems, type TokenVerifierOptions } from '../auth/token-options.js';
import { trustFunctionOf, type TrustProxy } from '../http/client-address.js';

/** The variables of identity and access, as Environment holds them (already type-checked). */
export interface AccessVariables {
  AUTH_JWT_SECRET: string;
  AUTH_JWKS_URL: string;
  AUTH_PUBLIC_KEY: string;
  AUTH_PUBLIC_KEY_FILE: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_ALGORITHMS: string;
  AUTH_CLOCK_TOLERANCE_SEC: number;
  AUTH_JWKS_TIMEOUT_MS: number;
  AUTH_JWKS_COOLDOWN_MS: number;
  AUTH_JWKS_CACHE_MAX_AGE_MS: number;
  TRUST_PROXY: string;
}

const KEY_VARIABLES = ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY', 'AUTH_PUBLIC_KEY_FILE'] as const;
const CHECK_VARIABLES = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_ALGORITHMS'] as const;

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** TRUST_PROXY as Express and the adapter take it: off, a hop count, or addresses/CIDRs. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'off' || text === 'false' || text === '0') return false;
  if (text === 'true') {
    throw new Error('"true" would believe any X-Forwarded-For a client writes; give a hop count or proxy addresses');
  }
  if (/^\d+$/.test(text)) return Number(text);
  const list = commaList(value);
  trustFunctionOf(list);
  return list;
}

/** The PEM text of AUTH_PUBLIC_KEY (`\n` escapes allowed, for one-line env files) or of the file. */
function publicKeyText(env: AccessVariables): string {
  if (env.AUTH_PUBLIC_KEY_FILE) return readFileSync(env.AUTH_PUBLIC_KEY_FILE, 'utf8');
  return env.AUTH_PUBLIC_KEY.replace(/\\n/g, '\n');
}

/** Whether a way to verify tokens is configured (JWT mode). */
export function hasTokenKey(env: AccessVariables): boolean {
  return KEY_VARIABLES.some((name) => env[name] !== '');
}

/** Token verification from the environment; undefined when no key is configured (anonymous). */
export function tokenVerifierOptionsOf(env: AccessVariables, maxNameLength?: number): TokenVerifierOptions | undefined {
  const key = env.AUTH_JWT_SECRET
    ? { secret: env.AUTH_JWT_SECRET }
    : env.AUTH_JWKS_URL
      ? { jwksUrl: env.AUTH_JWKS_URL }
      : env.AUTH_PUBLIC_KEY || env.AUTH_PUBLIC_KEY_FILE
        ? { publicKey: publicKeyText(env) }
        : undefined;
  if (key === undefined) return undefined;
  return {
    ...key,
    ...(env.AUTH_ALGORITHMS ? { algorithms: commaList(env.AUTH_ALGORITHMS) } : {}),
    ...(env.AUTH_ISSUER ? { issuer: commaList(env.AUTH_ISSUER) } : {}),
    ...(env.AUTH_AUDIENCE ? { audience: commaList(env.AUTH_AUDIENCE) } : {}),
    clockToleranceSec: env.AUTH_CLOCK_TOLERANCE_SEC,
    jwks: {
      timeoutMs: env.AUTH_JWKS_TIMEOUT_MS,
      cooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
      cacheMaxAgeMs: env.AUTH_JWKS_CACHE_MAX_AGE_MS,
    },
    ...(maxNameLength !== undefined ? { maxNameLength } : {}),
  };
}

/** Combinations that cannot work, each naming its variables; empty when all is well. */
export function accessProblems(env: AccessVariables): string[] {
  const problems: string[] = [];
  try {
    parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    problems.push(`TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)}: ${(error as Error).message}`);
  }
  const keys = KEY_VARIABLES.filter((name) => env[name] !== '');
  if (keys.length === 0) {
    const orphans = CHECK_VARIABLES.filter((name) => env[name] !== '');
    if (orphans.length > 0) {
      problems.push(`${orphans.join(', ')} set without a key: set AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_PUBLIC_KEY`);
    }
    return problems;
  }
  if (keys.length > 1) {
    problems.push(`${keys.join(' and ')} are both set: choose one way to verify tokens`);
    return problems;
  }
  let options: TokenVerifierOptions;
  try {
    options = tokenVerifierOptionsOf(env)!;
  } catch (error) {
    problems.push(`AUTH_PUBLIC_KEY_FILE=${JSON.stringify(env.AUTH_PUBLIC_KEY_FILE)}: ${(error as Error).message}`);
    return problems;
  }
  for (const problem of tokenOptionProblems(options)) {
    const variable = problem.startsWith('algorithm') ? 'AUTH_ALGORITHMS' : keys[0];
    problems.push(`${variable}: ${problem.replace(/\b(secret|jwksUrl|publicKey)\b/g, (word) => VARIABLE_OF[word])}`);
  }
  if (options.publicKey !== undefined) {
    const problem = publicKeyProblem(options.publicKey);
    if (problem !== undefined) problems.push(`${keys[0]}: ${problem}`);
  }
  return problems;
}

const VARIABLE_OF: Record<string, string> = {
  secret: 'AUTH_JWT_SECRET',
  jwksUrl: 'AUTH_JWKS_URL',
  publicKey: 'AUTH_PUBLIC_KEY',
};
