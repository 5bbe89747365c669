import { JwtService } from '@nestjs/jwt';
import type { Principal } from './principal.js';

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

const MAX_NAME_LENGTH = 64;

/** Verifies HS256 JWTs (signature, `exp`, `nbf`) and turns their claims into a Principal. */
export class TokenVerifier {
  private readonly jwt: JwtService;

  constructor(secret: string) {
    if (secret.length === 0) throw new Error('TokenVerifier needs a non-empty secret');
    this.jwt = new JwtService({ secret, verifyOptions: { algorithms: ['HS256'] } });
  }

  verify(token: string): Principal {
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name : subject;
    if (name === undefined || name.trim().length === 0) {
      throw new InvalidTokenError('token has neither a name nor a sub claim');
    }
    return { name: name.trim().slice(0, MAX_NAME_LENGTH), subject };
  }
}
