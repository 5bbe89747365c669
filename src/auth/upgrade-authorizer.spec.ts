import { SignJWT } from 'jose';
import type { IncomingMessage } from 'node:http';
import { HandshakeRejection } from '../websocket/index.js';
import { TokenVerifier } from './token-verifier.js';
import { upgradeAuthorizer } from './upgrade-authorizer.js';

const SECRET = 'upgrade-secret';
const authorize = upgradeAuthorizer(new TokenVerifier(SECRET));
const upgrade = (headers: Record<string, string>, url = '/chat') => ({ headers, url }) as unknown as IncomingMessage;
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));

async function rejection(run: () => Promise<unknown>): Promise<HandshakeRejection> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HandshakeRejection) return error;
    throw error;
  }
  throw new Error('expected a HandshakeRejection');
}

describe('upgradeAuthorizer', () => {
  it('returns the principal of a valid token', async () => {
    const token = await sign({ sub: 'id-7', name: 'Carol', exp: Math.floor(Date.now() / 1000) + 60 });
    await expect(authorize(upgrade({}, `/chat?access_token=${token}`))).resolves.toMatchObject({
      name: 'Carol',
      subject: 'id-7',
    });
  });

  it('answers 401 with a Bearer challenge when the token is missing', async () => {
    const error = await rejection(() => authorize(upgrade({})));
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 saying why when the token is invalid (RFC 6750 error_description)', async () => {
    expect((await rejection(() => authorize(upgrade({ authorization: 'Bearer x.y.z' })))).status).toBe(401);
    const forever = await sign({ sub: 'id-8' });
    const error = await rejection(() => authorize(upgrade({ authorization: `Bearer ${forever}` })));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/no expiry/);
    expect(error.headers['WWW-Authenticate']).toMatch(/error="invalid_token", error_description="[^"]*no expiry/);
  });
});
