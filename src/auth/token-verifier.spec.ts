import { JwtService } from '@nestjs/jwt';
import { exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type JWTPayload } from 'jose';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken, testKey, type TestKey } from '../../test/helpers/jwks-server.js';
import { refusalReason } from '../../test/helpers/token-refusal.js';
import { InvalidTokenError, TokenVerifier } from './token-verifier.js';

const SECRET = 'test-secret-that-is-long-enough';
const secretKey = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token with `exp` an hour ahead unless `claims` set it (`exp: undefined` drops it). */
function hs256(claims: JWTPayload, secret = secretKey, alg = 'HS256'): Promise<string> {
  const payload: JWTPayload = { exp: now() + 3600, ...claims };
  if ('exp' in claims && claims.exp === undefined) delete payload.exp;
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(secret);
}

const reason = refusalReason;

describe('TokenVerifier with an HS256 secret', () => {
  const verifier = new TokenVerifier(SECRET);

  it('takes the chat name from the name claim and keeps the claims', async () => {
    const principal = await verifier.verify(await hs256({ sub: 'u-1', name: 'Alice', role: 'admin' }));
    expect(principal).toMatchObject({ name: 'Alice', subject: 'u-1' });
    expect(principal.claims).toMatchObject({ role: 'admin' });
  });

  it('falls back to sub when there is no name', async () => {
    await expect(verifier.verify(await hs256({ sub: 'bob' }))).resolves.toMatchObject({ name: 'bob', subject: 'bob' });
  });

  it('accepts tokens made by @nestjs/jwt with an expiry', async () => {
    const token = new JwtService({ secret: SECRET }).sign({ sub: 'nest' }, { expiresIn: '1h' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ name: 'nest' });
  });

  it('refuses a token without name or sub', async () => {
    expect(await reason(verifier, await hs256({ role: 'x' }))).toMatch(/neither a name nor a sub/);
  });

  it('refuses a token without exp, saying tokens must expire', async () => {
    expect(await reason(verifier, await hs256({ sub: 'forever', exp: undefined }))).toMatch(/no expiry \(exp claim\)/);
  });

  it('refuses a token signed with another secret', async () => {
    expect(await reason(verifier, await hs256({ sub: 'eve' }, new TextEncoder().encode('another-secret')))).toMatch(
      /signature is not valid/,
    );
  });

  it('refuses an expired token, beyond the clock tolerance', async () => {
    expect(await reason(verifier, await hs256({ sub: 'old', exp: now() - 60 }))).toMatch(/has expired/);
  });

  it('allows the clock tolerance (30 s by default, configurable)', async () => {
    const justExpired = await hs256({ sub: 'late', exp: now() - 10 });
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ name: 'late' });
    const strict = new TokenVerifier({ secret: SECRET, clockToleranceSec: 0 });
    expect(await reason(strict, justExpired)).toMatch(/has expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    expect(await reason(verifier, await hs256({ sub: 'early', nbf: now() + 600 }))).toMatch(/not valid yet/);
  });

  it('refuses algorithms other than HS256, including none', async () => {
    expect(await reason(verifier, await hs256({ sub: 'x' }, secretKey, 'HS512'))).toMatch(/algorithm is not allowed/);
    const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(`{"sub":"x","exp":${now() + 60}}`).toString('base64url');
    await expect(verifier.verify(`${header}.${payload}.`)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses garbage', async () => {
    expect(await reason(verifier, 'not-a-jwt')).toMatch(/malformed/);
  });

  it('cannot be built without a key, or with two', () => {
    expect(() => new TokenVerifier('')).toThrow(/one of secret, jwksUrl or publicKey/);
    expect(() => new TokenVerifier({ secret: SECRET, jwksUrl: 'https://id.example/jwks' })).toThrow(/only one of/);
    expect(() => new TokenVerifier({ secret: SECRET, algorithms: ['RS256'] })).toThrow(
      /RS256.*cannot be used with secret/,
    );
  });

  it('names every numeric option out of range', () => {
    const options = {
      jwksUrl: 'https://id.example/jwks',
      clockToleranceSec: -1,
      maxNameLength: 0,
      jwks: { timeoutMs: Number.NaN },
    };
    expect(() => new TokenVerifier(options)).toThrow(
      /clockToleranceSec must be a number >= 0, got -1.*maxNameLength must be a positive integer, got 0.*jwks\.timeoutMs must be a number >= 0, got NaN/s,
    );
  });
});

describe('TokenVerifier name rules (the chat name rules)', () => {
  const verifier = new TokenVerifier({ secret: SECRET, maxNameLength: 32 });

  it.each([
    ['a 500-character name with an RTL override', `\u202e${'x'.repeat(499)}`, /longer than 32/],
    ['an RTL override', 'ad\u202emin', /control, invisible or direction/],
    ['a newline', 'ann\nadmin say: hi', /control, invisible or direction/],
    ['an escape sequence', '\u001b[31mred', /control, invisible or direction/],
    ['spaces at either end', ' ann ', /spaces at either end/],
    ['an empty name', '', /empty/],
    ['a name that is not a string', 42, /not a string/],
    ['a name shaped like a plain-text client (impersonation)', '127.0.0.1:4242', /shaped like a peer address/],
  ])('refuses a token carrying %s, rather than rewriting it', async (_what, name, why) => {
    expect(await reason(verifier, await hs256({ sub: 'u-1', name }))).toMatch(why);
  });

  it('checks sub by the same rules when it is the name', async () => {
    expect(await reason(verifier, await hs256({ sub: 'x\u0000y' }))).toMatch(/control/);
  });

  it('takes the longest length from the options', async () => {
    const roomy = new TokenVerifier({ secret: SECRET, maxNameLength: 64 });
    await expect(roomy.verify(await hs256({ sub: 'u', name: 'n'.repeat(64) }))).resolves.toMatchObject({
      name: 'n'.repeat(64),
    });
  });
});

describe('TokenVerifier with a PEM public key', () => {
  let es256: TestKey;
  let rs256: TestKey;
  beforeAll(async () => {
    es256 = await testKey('es', 'ES256');
    rs256 = await testKey('rs', 'RS256');
  });

  it('verifies ES256 and RS256 tokens against their SPKI key', async () => {
    for (const key of [es256, rs256]) {
      const verifier = new TokenVerifier({ publicKey: key.publicPem });
      await expect(verifier.verify(await signToken(key, { sub: 'pem-user' }))).resolves.toMatchObject({
        name: 'pem-user',
      });
    }
  });

  it('refuses a token signed by another key', async () => {
    const verifier = new TokenVerifier({ publicKey: es256.publicPem });
    const other = await testKey('other', 'ES256');
    expect(await reason(verifier, await signToken(other, { sub: 'eve' }))).toMatch(/signature is not valid/);
  });

  it('keeps to the algorithm allow-list', async () => {
    const verifier = new TokenVerifier({ publicKey: rs256.publicPem, algorithms: ['RS512'] });
    expect(await reason(verifier, await signToken(rs256, { sub: 'x' }))).toMatch(/algorithm is not allowed/);
  });

  it('refuses an HS256 token made with the public key text as its secret (algorithm confusion)', async () => {
    const verifier = new TokenVerifier({ publicKey: rs256.publicPem });
    const forged = await hs256({ sub: 'eve' }, new TextEncoder().encode(rs256.publicPem));
    expect(await reason(verifier, forged)).toMatch(/algorithm is not allowed/);
  });

  it('checks issuer and audience', async () => {
    const verifier = new TokenVerifier({
      publicKey: es256.publicPem,
      issuer: 'https://id.example',
      audience: ['chat', 'chat-staging'],
    });
    const good = { sub: 'u', iss: 'https://id.example', aud: 'chat' };
    await expect(verifier.verify(await signToken(es256, good))).resolves.toMatchObject({ name: 'u' });
    expect(await reason(verifier, await signToken(es256, { ...good, iss: 'https://evil.example' }))).toMatch(/issuer/);
    expect(await reason(verifier, await signToken(es256, { ...good, aud: 'billing' }))).toMatch(/audience/);
    expect(await reason(verifier, await signToken(es256, { sub: 'u', aud: 'chat' }))).toMatch(/has no iss claim/);
  });

  it('verifies against the key of an X.509 certificate (PEM)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=chat-test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const privateKey = await importPKCS8(readFileSync(join(dir, 'key.pem'), 'utf8'), 'ES256');
      const verifier = new TokenVerifier({ publicKey: readFileSync(join(dir, 'cert.pem'), 'utf8') });
      const token = await new SignJWT({ sub: 'cert-user', exp: now() + 60 })
        .setProtectedHeader({ alg: 'ES256' })
        .sign(privateKey);
      await expect(verifier.verify(token)).resolves.toMatchObject({ name: 'cert-user' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns at construction when no audience is checked', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    new TokenVerifier({ publicKey: es256.publicPem, logger });
    expect(warnings).toEqual([expect.stringMatching(/no audience check.*AUTH_AUDIENCE/)]);
    new TokenVerifier({ publicKey: es256.publicPem, audience: 'chat', logger });
    expect(warnings).toHaveLength(1);
  });

  it('refuses a private key in place of the public key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    expect(() => new TokenVerifier({ publicKey: pem })).toThrow(/PRIVATE KEY/);
  });
});
