import { JwtService } from '@nestjs/jwt';
import type { IncomingMessage } from 'node:http';
import { HandshakeRejection } from '../websocket/index.js';
import { TokenVerifier } from './token-verifier.js';
import { upgradeAuthorizer } from './upgrade-authorizer.js';

const SECRET = 'upgrade-secret';
const authorize = upgradeAuthorizer(new TokenVerifier(SECRET));
const upgrade = (headers: Record<string, string>, url = '/chat') =>
  ({ headers, url }) as unknown as IncomingMessage;

function rejection(run: () => unknown): HandshakeRejection {
  try {
    run();
  } catch (error) {
    if (error instanceof HandshakeRejection) return error;
    throw error;
  }
  throw new Error('expected a HandshakeRejection');
}

describe('upgradeAuthorizer', () => {
  it('returns the principal of a valid token', () => {
    const token = new JwtService({ secret: SECRET }).sign({ sub: 'id-7', name: 'Carol' });
    expect(authorize(upgrade({}, `/chat?access_token=${token}`))).toEqual({
      name: 'Carol',
      subject: 'id-7',
    });
  });

  it('answers 401 with a Bearer challenge when the token is missing', () => {
    const error = rejection(() => authorize(upgrade({})));
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 when the token is invalid', () => {
    expect(rejection(() => authorize(upgrade({ authorization: 'Bearer x.y.z' }))).status).toBe(401);
  });
});
