import { JwksServer, signToken, testKey, type TestKey } from '../../test/helpers/jwks-server.js';
import { refusalReason } from '../../test/helpers/token-refusal.js';
import { TokenVerifier } from './token-verifier.js';
import type { JwksOptions } from './token-options.js';

const reason = refusalReason;

describe('TokenVerifier with a remote JWKS', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let jwks: JwksServer;
  let warnings: string[];

  const verifierFor = (url: string, jwksOptions: JwksOptions = {}, extra = {}) =>
    new TokenVerifier({
      jwksUrl: url,
      issuer: 'https://id.example',
      audience: 'chat',
      jwks: { timeoutMs: 500, cooldownMs: 0, ...jwksOptions },
      logger: { warn: (message: string) => warnings.push(message) },
      ...extra,
    });
  const claims = { sub: 'u-1', name: 'Alice', iss: 'https://id.example', aud: 'chat' };

  beforeAll(async () => {
    rsa = await testKey('rsa-1', 'RS256');
    ec = await testKey('ec-1', 'ES256');
  });
  beforeEach(async () => {
    warnings = [];
    jwks = await JwksServer.start([rsa, ec]);
  });
  afterEach(() => jwks.stop());

  it('verifies RS256 and ES256 tokens by their kid, fetching the key set once', async () => {
    const verifier = verifierFor(jwks.url);
    await expect(verifier.verify(await signToken(rsa, claims))).resolves.toMatchObject({
      name: 'Alice',
      subject: 'u-1',
    });
    await expect(verifier.verify(await signToken(ec, claims))).resolves.toMatchObject({ name: 'Alice' });
    await expect(verifier.verify(await signToken(ec, claims))).resolves.toMatchObject({ name: 'Alice' });
    expect(jwks.fetches).toBe(1);
  });

  it('refuses an expired token, one not valid yet, and one without exp', async () => {
    const verifier = verifierFor(jwks.url);
    const now = Math.floor(Date.now() / 1000);
    expect(await reason(verifier, await signToken(rsa, { ...claims, exp: now - 120 }))).toMatch(/expired/);
    expect(await reason(verifier, await signToken(rsa, { ...claims, nbf: now + 600 }))).toMatch(/not valid yet/);
    expect(await reason(verifier, await signToken(rsa, { ...claims, exp: undefined }))).toMatch(/no expiry/);
  });

  it('refuses a bad signature, a wrong issuer and a wrong audience', async () => {
    const verifier = verifierFor(jwks.url);
    const impostor = { ...(await testKey('rsa-1', 'RS256')) };
    expect(await reason(verifier, await signToken(impostor, claims))).toMatch(/signature is not valid/);
    expect(await reason(verifier, await signToken(rsa, { ...claims, iss: 'https://other.example' }))).toMatch(/issuer/);
    expect(await reason(verifier, await signToken(rsa, { ...claims, aud: 'other' }))).toMatch(/audience/);
  });

  it('refuses an unknown kid after looking at a fresh key set', async () => {
    const verifier = verifierFor(jwks.url);
    await verifier.verify(await signToken(rsa, claims));
    const stranger = await testKey('nobody-knows', 'RS256');
    expect(await reason(verifier, await signToken(stranger, claims))).toMatch(/key id \(kid\) is unknown/);
    expect(jwks.fetches).toBe(2);
    expect(warnings).toEqual([]);
  });

  it('picks up a rotated key (new kid) without a restart', async () => {
    const verifier = verifierFor(jwks.url);
    await verifier.verify(await signToken(rsa, claims));
    const next = await testKey('rsa-2', 'RS256');
    jwks.keys = [next];
    await expect(verifier.verify(await signToken(next, claims))).resolves.toMatchObject({ name: 'Alice' });
    // The retired key is gone from the refreshed set.
    expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/kid/);
  });

  it('does not fetch again for unknown kids within the cooldown', async () => {
    const verifier = verifierFor(jwks.url, { cooldownMs: 60_000 });
    await verifier.verify(await signToken(rsa, claims));
    for (let i = 0; i < 5; i++) {
      const random = await signToken(rsa, claims, { kid: `random-${i}` });
      expect(await reason(verifier, random)).toMatch(/kid/);
    }
    expect(jwks.fetches).toBe(1);
  });

  it('keeps to the algorithm allow-list', async () => {
    const verifier = verifierFor(jwks.url, {}, { algorithms: ['ES256'] });
    await expect(verifier.verify(await signToken(ec, claims))).resolves.toMatchObject({ name: 'Alice' });
    expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/algorithm is not allowed/);
  });

  it('answers a clear refusal and warns once when the key set is unreachable', async () => {
    const url = jwks.url;
    await jwks.stop();
    const verifier = verifierFor(url);
    expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/signing keys cannot be fetched/);
    expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/signing keys cannot be fetched/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(url);
    jwks = await JwksServer.start([rsa]);
  });

  it('gives up on a key set that does not answer within the timeout', async () => {
    jwks.behaviour = 'hang';
    const verifier = verifierFor(jwks.url, { timeoutMs: 200 });
    const started = performance.now();
    expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/signing keys cannot be fetched/);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(warnings).toHaveLength(1);
  });

  it.each(['error', 'garbage'] as const)(
    'refuses tokens while the key set answers %s, then recovers',
    async (behaviour) => {
      jwks.behaviour = behaviour;
      const verifier = verifierFor(jwks.url);
      expect(await reason(verifier, await signToken(rsa, claims))).toMatch(/signing keys cannot be fetched/);
      jwks.behaviour = 'serve';
      await expect(verifier.verify(await signToken(rsa, claims))).resolves.toMatchObject({ name: 'Alice' });
    },
  );
});
