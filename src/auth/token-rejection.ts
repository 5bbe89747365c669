import { errors } from 'jose';

/** Why a token was refused, in words a client developer can act on (sent with the 401). */
export function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat' ? 'the token was issued too long ago' : 'the token has expired';
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimReason(error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token key id (kid) is unknown';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'the token names no key id (kid) and several keys match';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the token is malformed';
  if (error instanceof errors.JOSENotSupported) return 'the token uses an unsupported algorithm or key';
  return 'the token is not valid';
}

function claimReason(error: InstanceType<typeof errors.JWTClaimValidationFailed>): string {
  if (error.reason === 'missing') {
    return error.claim === 'exp'
      ? 'the token has no expiry (exp claim); tokens must expire'
      : `the token has no ${error.claim} claim`;
  }
  switch (error.claim) {
    case 'nbf':
      return 'the token is not valid yet (nbf)';
    case 'iss':
      return 'the token issuer (iss) is not accepted';
    case 'aud':
      return 'the token audience (aud) is not accepted';
    case 'iat':
      return 'the token issue time (iat) is in the future';
    default:
      return `the token ${error.claim} claim is not valid`;
  }
}
