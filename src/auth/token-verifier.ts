import { Logger } from '@nestjs/common';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, type KeyInput } from 'jose';
import type { Principal } from './principal.js';
import { tokenNameProblem } from './token-name.js';
import {
  DEFAULT_CLOCK_TOLERANCE_SEC,
  DEFAULT_MAX_NAME_LENGTH,
  defaultAlgorithms,
  tokenOptionProblems,
  type TokenVerifierOptions,
} from './token-options.js';
import { rejectionReason } from './token-rejection.js';
import { publicKeyFromPem, remoteKeySet, SigningKeysUnavailableError } from './verification-key.js';

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** While the key set stays unreachable, one warning per this long (not one per client). */
const UNAVAILABLE_WARNING_INTERVAL_MS = 60_000;

type VerificationKey = KeyInput | JWTVerifyGetKey;

/**
 * Verifies JWTs (signature, algorithm allow-list, `exp` required, `nbf`, issuer, audience) with
 * an HS256 secret, a PEM public key or a remote JWKS, and turns their claims into a Principal.
 * Every refusal is an InvalidTokenError whose message says why.
 */
export class TokenVerifier {
  private readonly key: VerificationKey;
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly maxNameLength: number;
  private readonly warn: (message: string) => void;
  private readonly keySource: string;
  private lastUnavailableWarning = -Infinity;

  /** A secret string (HS256, as before) or the options. */
  constructor(options: string | TokenVerifierOptions) {
    const resolved = typeof options === 'string' ? { secret: options } : options;
    const problems = tokenOptionProblems(resolved);
    if (problems.length > 0) throw new Error(`TokenVerifier: ${problems.join('; ')}`);
    if (resolved.secret) {
      this.key = new TextEncoder().encode(resolved.secret);
      this.keySource = 'the shared secret';
    } else if (resolved.publicKey) {
      this.key = publicKeyFromPem(resolved.publicKey);
      this.keySource = 'the public key';
    } else {
      this.key = remoteKeySet(resolved.jwksUrl!, resolved.jwks);
      this.keySource = `the key set at ${String(resolved.jwksUrl)}`;
    }
    this.verifyOptions = {
      algorithms: defaultAlgorithms(resolved),
      requiredClaims: ['exp'],
      clockTolerance: resolved.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
      ...(resolved.issuer !== undefined ? { issuer: toList(resolved.issuer) } : {}),
      ...(resolved.audience !== undefined ? { audience: toList(resolved.audience) } : {}),
    };
    this.maxNameLength = resolved.maxNameLength ?? DEFAULT_MAX_NAME_LENGTH;
    const logger = resolved.logger ?? new Logger('Auth');
    this.warn = (message) => {
      logger.warn(message);
    };
    if (!resolved.secret && resolved.audience === undefined) {
      // A provider signs tokens for all its applications: without this check any of them passes.
      this.warn(`Tokens verified with ${this.keySource} have no audience check: set the audience (AUTH_AUDIENCE)`);
    }
  }

  async verify(token: string): Promise<Principal> {
    const claims = await this.verifiedClaims(token);
    const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
    const name = claims.name !== undefined ? claims.name : subject;
    if (name === undefined) throw new InvalidTokenError('the token has neither a name nor a sub claim');
    const problem = tokenNameProblem(name, this.maxNameLength);
    if (problem !== undefined) throw new InvalidTokenError(problem);
    return { name: name as string, subject, claims };
  }

  private async verifiedClaims(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key, this.verifyOptions);
      return payload;
    } catch (error) {
      if (error instanceof SigningKeysUnavailableError) {
        this.warnUnavailable(error);
        throw new InvalidTokenError('the signing keys cannot be fetched right now; try again later');
      }
      throw new InvalidTokenError(rejectionReason(error));
    }
  }

  private warnUnavailable(error: SigningKeysUnavailableError): void {
    const now = performance.now();
    if (now - this.lastUnavailableWarning < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    this.lastUnavailableWarning = now;
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
    this.warn(`Tokens are refused: ${this.keySource} cannot be fetched (${cause})`);
  }
}

function toList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}
