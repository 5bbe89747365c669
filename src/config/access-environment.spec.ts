import { exportSPKI, generateKeyPair } from 'jose';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrustProxy, tokenVerifierOptionsOf } from './access-environment.js';
import { InvalidConfigurationError, loadEnvironment } from './environment.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadEnvironment(env);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error.message;
    throw error;
  }
  return '';
}

let publicPem = '';
beforeAll(async () => {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  publicPem = await exportSPKI(publicKey);
});

describe('TRUST_PROXY', () => {
  it.each([
    ['', false],
    ['off', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['172.16.0.0/12', ['172.16.0.0/12']],
    ['loopback, 10.0.0.1 ,fd00::/8', ['loopback', '10.0.0.1', 'fd00::/8']],
  ])('reads %j as %j', (text, setting) => {
    expect(parseTrustProxy(text)).toEqual(setting);
    expect(problemsOf({ TRUST_PROXY: text })).toBe('');
  });

  it.each(['true', '10.0.0.0/99', 'proxy.example', '-1'])('stops the start on %j, naming TRUST_PROXY', (text) => {
    expect(problemsOf({ TRUST_PROXY: text })).toContain(`TRUST_PROXY=${JSON.stringify(text)}`);
  });
});

describe('auth variables', () => {
  it('is anonymous without a key', () => {
    expect(tokenVerifierOptionsOf(loadEnvironment({}))).toBeUndefined();
  });

  it('builds JWKS options with issuer, audience, algorithms and the JWKS limits', () => {
    const env = loadEnvironment({
      AUTH_JWKS_URL: 'https://id.example/jwks',
      AUTH_ISSUER: 'https://id.example',
      AUTH_AUDIENCE: 'chat, chat-staging',
      AUTH_ALGORITHMS: 'RS256,ES256',
      AUTH_CLOCK_TOLERANCE_SEC: '5',
      AUTH_JWKS_TIMEOUT_MS: '2000',
    });
    expect(tokenVerifierOptionsOf(env, 40)).toMatchObject({
      jwksUrl: 'https://id.example/jwks',
      issuer: ['https://id.example'],
      audience: ['chat', 'chat-staging'],
      algorithms: ['RS256', 'ES256'],
      clockToleranceSec: 5,
      maxNameLength: 40,
      jwks: { timeoutMs: 2000, cooldownMs: 30_000, cacheMaxAgeMs: 600_000 },
    });
  });

  it('reads a PEM key from the variable (with \\n escapes) or from a file', () => {
    const oneLine = publicPem.trim().replace(/\n/g, '\\n');
    expect(tokenVerifierOptionsOf(loadEnvironment({ AUTH_PUBLIC_KEY: oneLine }))).toMatchObject({
      publicKey: publicPem.trim(),
    });
    const dir = mkdtempSync(join(tmpdir(), 'pem-'));
    try {
      writeFileSync(join(dir, 'key.pem'), publicPem);
      expect(tokenVerifierOptionsOf(loadEnvironment({ AUTH_PUBLIC_KEY_FILE: join(dir, 'key.pem') }))).toMatchObject({
        publicKey: publicPem,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      { AUTH_JWT_SECRET: 's', AUTH_JWKS_URL: 'https://id.example/jwks' },
      /AUTH_JWT_SECRET and AUTH_JWKS_URL are both set/,
    ],
    [{ AUTH_ISSUER: 'https://id.example' }, /AUTH_ISSUER set without a key/],
    [{ AUTH_AUDIENCE: 'chat', AUTH_ALGORITHMS: 'RS256' }, /AUTH_AUDIENCE, AUTH_ALGORITHMS set without a key/],
    [
      { AUTH_JWT_SECRET: 's', AUTH_ALGORITHMS: 'RS256' },
      /AUTH_ALGORITHMS: algorithm "RS256" cannot be used with AUTH_JWT_SECRET/,
    ],
    [{ AUTH_JWKS_URL: 'https://id.example/jwks', AUTH_ALGORITHMS: 'HS256' }, /AUTH_ALGORITHMS: algorithm "HS256"/],
    [{ AUTH_JWKS_URL: 'https://id.example/jwks', AUTH_ALGORITHMS: 'none' }, /AUTH_ALGORITHMS: algorithm "none"/],
    [{ AUTH_JWKS_URL: 'ftp://id.example/jwks' }, /AUTH_JWKS_URL="ftp/],
    [{ AUTH_PUBLIC_KEY: 'not a key' }, /AUTH_PUBLIC_KEY: not PEM text/],
    [{ AUTH_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }, /AUTH_PUBLIC_KEY_FILE="\/nonexistent\/key.pem": ENOENT/],
    [{ AUTH_JWT_SECRET: 's', AUTH_CLOCK_TOLERANCE_SEC: '-1' }, /AUTH_CLOCK_TOLERANCE_SEC="-1"/],
    [{ AUTH_JWKS_URL: 'https://id.example/jwks', AUTH_JWKS_TIMEOUT_MS: '0' }, /AUTH_JWKS_TIMEOUT_MS="0"/],
  ])('stops the start on %j, naming the variables', (env, message) => {
    expect(problemsOf(env)).toMatch(message);
  });

  it('refuses a public key and its file together', () => {
    expect(problemsOf({ AUTH_PUBLIC_KEY: publicPem, AUTH_PUBLIC_KEY_FILE: '/tmp/x.pem' })).toMatch(
      /AUTH_PUBLIC_KEY and AUTH_PUBLIC_KEY_FILE are both set/,
    );
  });
});
