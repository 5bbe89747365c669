export { ApiAuthGuard } from './api-auth.guard.js';
export { AuthModule, type ApiGuardOptions, type AuthModuleAsyncOptions } from './auth.module.js';
export { bearerToken } from './bearer-token.js';
export type { Principal } from './principal.js';
export {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  type JwksOptions,
  type TokenVerifierOptions,
} from './token-options.js';
export { InvalidTokenError, TokenVerifier } from './token-verifier.js';
export { upgradeAuthorizer } from './upgrade-authorizer.js';
