import { InvalidTokenError, type TokenVerifier } from '../../src/auth/index.js';

/** Why `verifier` refuses `token`; fails the test when it accepts it. */
export async function refusalReason(verifier: TokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.message;
    throw error;
  }
  throw new Error('the token was accepted');
}
