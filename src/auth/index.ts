export { ApiAuthGuard } from './api-auth.guard.js';
export { AuthModule } from './auth.module.js';
export { bearerToken } from './bearer-token.js';
export type { Principal } from './principal.js';
export { InvalidTokenError, TokenVerifier } from './token-verifier.js';
export { upgradeAuthorizer } from './upgrade-authorizer.js';
