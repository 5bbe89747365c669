import { JwtService } from '@nestjs/jwt';
import { InvalidTokenError, TokenVerifier } from './token-verifier.js';

const SECRET = 'test-secret-that-is-long-enough';
const signer = new JwtService({ secret: SECRET });

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier(SECRET);

  it('takes the chat name from the name claim', () => {
    const token = signer.sign({ sub: 'u-1', name: 'Alice' });
    expect(verifier.verify(token)).toEqual({ name: 'Alice', subject: 'u-1' });
  });

  it('falls back to sub when there is no name', () => {
    expect(verifier.verify(signer.sign({ sub: 'bob' }))).toEqual({ name: 'bob', subject: 'bob' });
  });

  it('refuses a token without name or sub', () => {
    expect(() => verifier.verify(signer.sign({ role: 'x' }))).toThrow(InvalidTokenError);
  });

  it('refuses a token signed with another secret', () => {
    const forged = new JwtService({ secret: 'another-secret' }).sign({ sub: 'eve' });
    expect(() => verifier.verify(forged)).toThrow(InvalidTokenError);
  });

  it('refuses an expired token', () => {
    const expired = signer.sign({ sub: 'old', exp: Math.floor(Date.now() / 1000) - 60 });
    expect(() => verifier.verify(expired)).toThrow(/expired/);
  });

  it('refuses algorithms other than HS256, including none', () => {
    const hs512 = signer.sign({ sub: 'x' }, { algorithm: 'HS512' });
    expect(() => verifier.verify(hs512)).toThrow(InvalidTokenError);
    const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from('{"sub":"x"}').toString('base64url');
    expect(() => verifier.verify(`${header}.${payload}.`)).toThrow(InvalidTokenError);
  });

  it('refuses garbage', () => {
    expect(() => verifier.verify('not-a-jwt')).toThrow(InvalidTokenError);
  });

  it('cannot be built without a secret', () => {
    expect(() => new TokenVerifier('')).toThrow();
  });
});
