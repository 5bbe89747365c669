import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAuthGuard } from './api-auth.guard.js';
import { TokenVerifier } from './token-verifier.js';

/** JWT mode (AUTH_JWT_SECRET set): guards REST writes; the adapter guards upgrades. */
@Module({})
export class AuthModule {
  static forSecret(secret: string): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: TokenVerifier, useValue: new TokenVerifier(secret) },
        { provide: APP_GUARD, useClass: ApiAuthGuard },
      ],
      exports: [TokenVerifier],
    };
  }
}
